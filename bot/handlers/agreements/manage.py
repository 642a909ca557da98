"""An agreement's changes, from the buttons under its detail in /acuerdos: edit the text,
reschedule (new deadline, reason, who agreed it), declare it done, cancel it; and «Registrar
avance», which starts the progress report of progress.py."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.agreements import progress, ui
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.agreements.change import (
    cancel_agreement,
    clean_reason,
    close_agreement,
    edit_agreement,
    reschedule_agreement,
)
from bot.workflows.agreements.create import check_deadline, parse_deadline
from bot.workflows.agreements.read import Detail, agreement_detail
from bot.workflows.errors import UserError
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Notice
from db.models import Person

Act = ui.Act


async def managed(
    query: CallbackQuery,
    callback_data: ui.AgActCB,
    db: AsyncSession,
    person: Person | None,
    state: FSMContext,
    now: datetime,
    step: State | None = None,
) -> Detail:
    """The agreement a button names, after the gate (on every press); `step` is what to ask next."""
    await query.answer()
    aid = callback_data.agreement_id
    detail = await agreement_detail(db, person, aid, now=now)
    if not detail.may_manage:
        raise UserError(msg("Su función en esta comisión no permite esta acción."))
    await state.set_data({"agreement_id": aid})
    await state.set_state(step)
    return detail


async def report_pressed(
    query: CallbackQuery,
    callback_data: ui.AgActCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    await progress.begin(callback_data.agreement_id, db, person, tr, state, say, now)


async def close_pressed(
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
    await managed(query, callback_data, db, person, state, now)
    await state.clear()
    changed = await close_agreement(db, person, callback_data.agreement_id, now=now)
    outbox.extend(changed.notices)
    await say(tr.gettext("Acuerdo <b>{code}</b> declarado cumplido.", code=changed.agreement.code))


async def edit_pressed(
    query: CallbackQuery,
    callback_data: ui.AgActCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    detail = await managed(query, callback_data, db, person, state, now, ui.ManageFlow.text)
    await say(tr.gettext("Escriba el nuevo texto del acuerdo {code}.", code=detail.row.code))


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


async def reschedule_pressed(
    query: CallbackQuery,
    callback_data: ui.AgActCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    detail = await managed(query, callback_data, db, person, state, now, ui.ManageFlow.resched_date)
    await say(
        tr.gettext(
            "Plazo actual: {deadline}. Escriba el nuevo plazo (31/12/2026 o 2026-12-31).",
            deadline=detail.row.deadline,
        )
    )


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
    await access_active(db, person, Action.MANAGE_AGREEMENTS)
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
    await access_active(db, person, Action.MANAGE_AGREEMENTS)
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
    deadline = date.fromisoformat(data["new_deadline"])
    changed = await reschedule_agreement(
        db,
        person,
        data["agreement_id"],
        new_deadline=deadline,
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


async def cancel_pressed(
    query: CallbackQuery,
    callback_data: ui.AgActCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    detail = await managed(query, callback_data, db, person, state, now, ui.ManageFlow.cancel_reason)
    await say(tr.gettext("¿Por qué se cancela el acuerdo {code}? Escriba el motivo.", code=detail.row.code))


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


def router() -> Router:
    r = Router(name="agreements_manage")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    M, CB = ui.ManageFlow, ui.AgActCB
    r.callback_query.register(report_pressed, CB.filter(F.do == Act.REPORT))
    r.callback_query.register(close_pressed, CB.filter(F.do == Act.CLOSE))
    r.callback_query.register(edit_pressed, CB.filter(F.do == Act.EDIT))
    r.callback_query.register(reschedule_pressed, CB.filter(F.do == Act.RESCHEDULE))
    r.callback_query.register(cancel_pressed, CB.filter(F.do == Act.CANCEL))
    r.message.register(edit_text, StateFilter(M.text), *typed)
    r.message.register(resched_date, StateFilter(M.resched_date), *typed)
    r.message.register(resched_reason, StateFilter(M.resched_reason), *typed)
    r.message.register(resched_who, StateFilter(M.resched_who), *typed)
    r.message.register(cancel_reason, StateFilter(M.cancel_reason), *typed)
    return r
