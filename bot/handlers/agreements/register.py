"""Agreements: /nuevo_acuerdo (guided), /acuerdos (filters, pages, detail with history), edit,
reschedule, close, cancel, and CSV export/import. /avance lives in agreements_progress."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import DOCUMENT, NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.agreements import progress, ui
from bot.handlers.fallback import press_a_button
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action, Actor, access_commission
from bot.workflows.agreements.change import (
    cancel_agreement,
    clean_reason,
    close_agreement,
    edit_agreement,
    reschedule_agreement,
)
from bot.workflows.agreements.create import (
    check_deadline,
    check_seats,
    clean_text,
    commission_seats,
    create_agreement,
    parse_deadline,
)
from bot.workflows.agreements.csv_io import export_csv, import_csv
from bot.workflows.agreements.read import Filter, agreement_detail, list_agreements, own_seat_ids
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Notice
from db.models import Person


async def _actor(db: AsyncSession, person: Person | None, action: Action) -> Actor:
    return await access_active(db, person, action)


# --- /nuevo_acuerdo ------------------------------------------------------------------------------


async def start_new(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    actor = await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await state.set_state(ui.NewAgreementFlow.text)
    await state.set_data({"commission_id": actor.commission.id, "seats": []})
    await say(
        tr.gettext(
            "Nuevo acuerdo de {commission}. Escriba el texto del acuerdo.", commission=actor.commission.code
        )
    )


async def new_text(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    actor = await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await state.update_data(text=clean_text(text))
    await state.set_state(ui.NewAgreementFlow.seats)
    await _ask_seats(db, actor, set(), tr, say)


async def _ask_seats(db: AsyncSession, actor: Actor, chosen: set[int], tr: Translator, say: Replies) -> None:
    assert actor.commission.id is not None
    seats = [(s.id or 0, i.name) for s, i in await commission_seats(db, actor.commission.id)]
    if not seats:
        raise UserError(msg("La comisión todavía no tiene instituciones: invite primero a sus miembros."))
    await say(
        tr.gettext("¿Qué instituciones son responsables? Toque para marcar o desmarcar y luego «Listo»."),
        reply_markup=ui.seat_toggles(seats, chosen, tr),
    )


async def toggle_seat(
    query: CallbackQuery,
    callback_data: ui.AgSeatCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    actor = await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await query.answer()
    data = await state.get_data()
    chosen: list[int] = list(data.get("seats", []))
    assert actor.commission.id is not None
    if callback_data.seat_id == 0:
        chosen = await check_seats(db, actor.commission.id, chosen)
        await state.set_state(ui.NewAgreementFlow.deadline)
        today = lima_date(now)
        end_month = today.replace(day=calendar.monthrange(today.year, today.month)[1])
        options = [
            end_month,
            today + timedelta(days=30),
            today + timedelta(days=90),
            date(today.year, 12, 31),
        ]
        await say(
            tr.gettext("¿Cuál es el plazo? Escríbalo como 31/12/2026 o 2026-12-31, o elija una fecha:"),
            reply_markup=ui.deadline_choices(sorted(set(options)), tr),
        )
        return
    await check_seats(db, actor.commission.id, [callback_data.seat_id])
    if callback_data.seat_id in chosen:
        chosen.remove(callback_data.seat_id)
    else:
        chosen.append(callback_data.seat_id)
    await state.update_data(seats=chosen)
    await _ask_seats(db, actor, set(chosen), tr, say)


async def _deadline_chosen(
    deadline: date, tr: Translator, state: FSMContext, say: Replies, now: datetime
) -> None:
    check_deadline(deadline, now)
    await state.update_data(deadline=deadline.isoformat())
    await state.set_state(ui.NewAgreementFlow.indicator)
    await say(
        tr.gettext("Escriba la meta o indicador del acuerdo (opcional), o toque «Omitir»."),
        reply_markup=ui.skip(tr, ui.AgSkipCB()),
    )


async def new_deadline_typed(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await _deadline_chosen(parse_deadline(text), tr, state, say, now)


async def new_deadline_picked(
    query: CallbackQuery,
    callback_data: ui.AgDateCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await query.answer()
    d = callback_data.day
    await _deadline_chosen(date(int(d[:4]), int(d[4:6]), int(d[6:8])), tr, state, say, now)


async def new_indicator(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await _create(text, db, person, tr, state, say, outbox, now)


async def skip_indicator(
    query: CallbackQuery,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    await _create(None, db, person, tr, state, say, outbox, now)


async def _create(
    indicator: str | None,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    data = await state.get_data()
    created = await create_agreement(
        db,
        person,
        data["commission_id"],
        text=data["text"],
        seat_ids=data["seats"],
        deadline=date.fromisoformat(data["deadline"]),
        now=now,
        indicator=indicator,
    )
    await state.clear()
    outbox.extend(created.notices)
    a = created.agreement
    await say(
        tr.ngettext(
            "Acuerdo <b>{code}</b> registrado, plazo {deadline}. Se avisó a {n} coordinador(a) de enlace.",
            "Acuerdo <b>{code}</b> registrado, plazo {deadline}. Se avisó a {n} coordinadores de enlace.",
            len(created.notices),
            code=a.code,
            deadline=a.deadline,
        )
    )


# --- /acuerdos, detail ------------------------------------------------------------------------


async def show_page(
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
    wanted: Filter,
    page: int,
) -> None:
    actor = await _actor(db, person, Action.VIEW_AGREEMENTS)
    assert actor.commission.id is not None and actor.person.id is not None
    result = await list_agreements(db, person, actor.commission.id, now=now, wanted=wanted, page=page)
    with_mine = bool(await own_seat_ids(db, actor.person.id, actor.commission.id))
    await say(
        ui.page_text(tr, result, wanted),
        reply_markup=ui.register_page(result, wanted, tr, with_mine=with_mine),
    )


async def list_command(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies, now: datetime
) -> None:
    await show_page(db, person, tr, say, now, Filter.ALL, 0)


async def list_pressed(
    query: CallbackQuery,
    callback_data: ui.AgListCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    try:
        wanted = Filter(callback_data.show)
    except ValueError:
        wanted = Filter.ALL
    await show_page(db, person, tr, say, now, wanted, callback_data.page)


async def open_agreement(
    query: CallbackQuery,
    callback_data: ui.AgOpenCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    await _show_detail(db, person, callback_data.agreement_id, tr, say, now)


async def _show_detail(
    db: AsyncSession, person: Person | None, agreement_id: int, tr: Translator, say: Replies, now: datetime
) -> None:
    detail = await agreement_detail(db, person, agreement_id, now=now)
    await say(ui.detail_text(tr, detail), reply_markup=ui.detail_actions(detail, tr))


async def act(
    query: CallbackQuery,
    callback_data: ui.AgActCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    aid = callback_data.agreement_id
    if callback_data.act == "report":
        await progress.begin(aid, db, person, tr, state, say, now)
        return
    detail = await agreement_detail(db, person, aid, now=now)  # the gate, for every press
    if not detail.may_manage:
        raise UserError(msg("Su función en esta comisión no permite esta acción."))
    await state.set_data({"agreement_id": aid})
    if callback_data.act == "close":
        await state.clear()
        changed = await close_agreement(db, person, aid, now=now)
        outbox.extend(changed.notices)
        await say(tr.gettext("Acuerdo <b>{code}</b> declarado cumplido.", code=changed.agreement.code))
    elif callback_data.act == "edit":
        await state.set_state(ui.ManageFlow.text)
        await say(tr.gettext("Escriba el nuevo texto del acuerdo {code}.", code=detail.row.code))
    elif callback_data.act == "resched":
        await state.set_state(ui.ManageFlow.resched_date)
        await say(
            tr.gettext(
                "Plazo actual: {deadline}. Escriba el nuevo plazo (31/12/2026 o 2026-12-31).",
                deadline=detail.row.deadline,
            )
        )
    elif callback_data.act == "cancel":
        await state.set_state(ui.ManageFlow.cancel_reason)
        await say(
            tr.gettext("¿Por qué se cancela el acuerdo {code}? Escriba el motivo.", code=detail.row.code)
        )


async def edit_text(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    aid = (await state.get_data())["agreement_id"]
    changed = await edit_agreement(db, person, aid, text=text, now=now)
    await state.clear()
    outbox.extend(changed.notices)
    await say(tr.gettext("Texto del acuerdo <b>{code}</b> actualizado.", code=changed.agreement.code))


async def resched_date(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    await _actor(db, person, Action.MANAGE_AGREEMENTS)
    deadline = parse_deadline(text)
    check_deadline(deadline, now)
    await state.update_data(new_deadline=deadline.isoformat())
    await state.set_state(ui.ManageFlow.resched_reason)
    await say(tr.gettext("¿Cuál es el motivo de la reprogramación?"))


async def resched_reason(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await state.update_data(reason=clean_reason(text))
    await state.set_state(ui.ManageFlow.resched_who)
    await say(tr.gettext("¿Quién acordó el nuevo plazo? (por ejemplo «Sesión ordinaria del 5/12»)"))


async def resched_who(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    data = await state.get_data()
    changed = await reschedule_agreement(
        db,
        person,
        data["agreement_id"],
        new_deadline=date.fromisoformat(data["new_deadline"]),
        reason=data["reason"],
        agreed_by=text,
        now=now,
    )
    await state.clear()
    outbox.extend(changed.notices)
    a = changed.agreement
    await say(
        tr.gettext(
            "Plazo del acuerdo <b>{code}</b> reprogramado al {deadline} (original: {original}).",
            code=a.code,
            deadline=a.deadline,
            original=a.original_deadline,
        )
    )


async def cancel_reason(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    aid = (await state.get_data())["agreement_id"]
    changed = await cancel_agreement(db, person, aid, reason=text, now=now)
    await state.clear()
    outbox.extend(changed.notices)
    await say(tr.gettext("Acuerdo <b>{code}</b> cancelado.", code=changed.agreement.code))


# --- CSV ---------------------------------------------------------------------------------------


async def export_command(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies, now: datetime
) -> None:
    actor = await _actor(db, person, Action.MANAGE_AGREEMENTS)
    assert actor.commission.id is not None
    exported = await export_csv(db, person, actor.commission.id, now=now)
    caption = tr.ngettext(
        "Registro de acuerdos de {commission}: {n} acuerdo.",
        "Registro de acuerdos de {commission}: {n} acuerdos.",
        exported.count,
        commission=actor.commission.code,
    )
    await say.document(exported.file_name, exported.content, caption)


async def import_command(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    actor = await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await state.set_state(ui.ManageFlow.import_file)
    await state.set_data({"commission_id": actor.commission.id})
    await say(
        tr.gettext(
            "Envíe el archivo CSV con las columnas codigo, texto, instituciones, plazo_original, plazo, "
            "estado, avance, indicador, origen, motivo_cancelacion (como el de /exportar_acuerdos)."
        )
    )


async def import_file(
    message: Message,
    bot: Bot,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    assert message.document is not None
    data = await state.get_data()
    await access_commission(db, person, data.get("commission_id"), Action.MANAGE_AGREEMENTS)
    if (message.document.file_size or 0) > 2_000_000:
        raise UserError(msg("El archivo es demasiado grande (máximo 2 MB)."))
    downloaded = await bot.download(message.document.file_id)
    content = downloaded.read() if downloaded is not None else b""
    result = await import_csv(db, person, data["commission_id"], content, now=now)
    await state.clear()
    outbox.extend(result.notices)
    await say(
        tr.gettext(
            "Importación lista: {created} nuevos, {updated} actualizados, {unchanged} sin cambios.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )


async def send_a_file(message: Message, tr: Translator, say: Replies) -> None:
    await say(tr.gettext("Envíe el archivo CSV como documento, o escriba /cancelar."))


def router() -> Router:
    r = Router(name="agreements_register")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    r.message.register(start_new, Command("nuevo_acuerdo"))
    r.message.register(list_command, Command("acuerdos"))
    r.message.register(export_command, Command("exportar_acuerdos"))
    r.message.register(import_command, Command("importar_acuerdos"))
    r.message.register(new_text, StateFilter(ui.NewAgreementFlow.text), *typed)
    r.callback_query.register(toggle_seat, ui.AgSeatCB.filter(), StateFilter(ui.NewAgreementFlow.seats))
    r.message.register(press_a_button, StateFilter(ui.NewAgreementFlow.seats), *typed)
    r.message.register(new_deadline_typed, StateFilter(ui.NewAgreementFlow.deadline), *typed)
    r.callback_query.register(
        new_deadline_picked, ui.AgDateCB.filter(), StateFilter(ui.NewAgreementFlow.deadline)
    )
    r.message.register(new_indicator, StateFilter(ui.NewAgreementFlow.indicator), *typed)
    r.callback_query.register(
        skip_indicator, ui.AgSkipCB.filter(), StateFilter(ui.NewAgreementFlow.indicator)
    )
    r.callback_query.register(list_pressed, ui.AgListCB.filter())
    r.callback_query.register(open_agreement, ui.AgOpenCB.filter())
    r.callback_query.register(act, ui.AgActCB.filter())
    r.message.register(edit_text, StateFilter(ui.ManageFlow.text), *typed)
    r.message.register(resched_date, StateFilter(ui.ManageFlow.resched_date), *typed)
    r.message.register(resched_reason, StateFilter(ui.ManageFlow.resched_reason), *typed)
    r.message.register(resched_who, StateFilter(ui.ManageFlow.resched_who), *typed)
    r.message.register(cancel_reason, StateFilter(ui.ManageFlow.cancel_reason), *typed)
    r.message.register(import_file, StateFilter(ui.ManageFlow.import_file), DOCUMENT)
    r.message.register(send_a_file, StateFilter(ui.ManageFlow.import_file))
    return r
