"""The agreements register: /nuevo_acuerdo (guided) and /acuerdos (filters, pages, each agreement's
detail with its history). Changes from the detail's buttons are in manage.py, CSV in csv_io.py and
/avance in progress.py."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import button_labels as buttons
from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.agreements import texts, ui
from bot.handlers.fallback import press_a_button
from bot.i18n import Translator, msg
from bot.live import stale_press
from bot.replies import Replies
from bot.workflows.access import Action, Actor
from bot.workflows.agreements.create import (
    check_deadline,
    check_seats,
    clean_text,
    commission_seats,
    create_agreement,
    parse_deadline,
)
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
        tr.gettext(
            "¿Qué instituciones son responsables? Toque para marcar o desmarcar y luego «{button}».",
            button=buttons.DONE,
        ),
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
) -> None:
    actor = await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await query.answer()
    assert actor.commission.id is not None
    await check_seats(db, actor.commission.id, [callback_data.seat_id])
    chosen: list[int] = list((await state.get_data()).get("seats", []))
    if callback_data.seat_id in chosen:
        chosen.remove(callback_data.seat_id)
    else:
        chosen.append(callback_data.seat_id)
    await state.update_data(seats=chosen)
    await _ask_seats(db, actor, set(chosen), tr, say)


async def seats_done(
    query: CallbackQuery,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    actor = await _actor(db, person, Action.MANAGE_AGREEMENTS)
    await query.answer()
    assert actor.commission.id is not None
    await check_seats(db, actor.commission.id, list((await state.get_data()).get("seats", [])))
    await state.set_state(ui.NewAgreementFlow.deadline)
    await say(
        tr.gettext("¿Cuál es el plazo? Escríbalo como 31/12/2026 o 2026-12-31, o elija una fecha:"),
        reply_markup=ui.deadline_choices(deadline_options(lima_date(now)), tr),
    )


def deadline_options(today: date) -> list[date]:
    """End of this month, in 30 and 90 days, end of the year: the usual deadlines, in order."""
    end_month = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    options = {end_month, today + timedelta(days=30), today + timedelta(days=90), date(today.year, 12, 31)}
    return sorted(options)


async def _deadline_chosen(
    deadline: date, tr: Translator, state: FSMContext, say: Replies, now: datetime
) -> None:
    check_deadline(deadline, now)
    await state.update_data(deadline=deadline.isoformat())
    await state.set_state(ui.NewAgreementFlow.indicator)
    await say(
        tr.gettext(
            "Escriba la meta o indicador del acuerdo (opcional), o toque «{button}».", button=buttons.SKIP
        ),
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

REGISTER = "agreements"  # the screen: one message per chat, paged and filtered in place


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
    await say.screen(
        texts.page_text(tr, result, wanted),
        reply_markup=ui.register_page(result, wanted, tr, with_mine=with_mine),
        key=REGISTER,
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
    if await stale_press(query, db, REGISTER, tr):
        return
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
    await say(texts.detail_text(tr, detail), reply_markup=ui.detail_actions(detail, tr))


def router() -> Router:
    r = Router(name="agreements_register")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    N = ui.NewAgreementFlow
    r.message.register(start_new, Command("nuevo_acuerdo"))
    r.message.register(list_command, Command("acuerdos"))
    r.message.register(new_text, StateFilter(N.text), *typed)
    r.callback_query.register(
        seats_done, ui.AgSeatCB.filter(F.seat_id == ui.SEATS_DONE), StateFilter(N.seats)
    )
    r.callback_query.register(toggle_seat, ui.AgSeatCB.filter(), StateFilter(N.seats))
    r.message.register(press_a_button, StateFilter(N.seats), *typed)
    r.message.register(new_deadline_typed, StateFilter(N.deadline), *typed)
    r.callback_query.register(new_deadline_picked, ui.AgDateCB.filter(), StateFilter(N.deadline))
    r.message.register(new_indicator, StateFilter(N.indicator), *typed)
    r.callback_query.register(skip_indicator, ui.AgSkipCB.filter(), StateFilter(N.indicator))
    r.callback_query.register(list_pressed, ui.AgListCB.filter())
    r.callback_query.register(open_agreement, ui.AgOpenCB.filter())
    return r
