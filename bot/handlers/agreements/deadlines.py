"""Buttons under agreement messages that are not the detail's changes: open a piece of evidence;
a liaison asks for a new deadline (from the overdue notice: date, then reason); the secretary
accepts or refuses it (from the request's notice)."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.agreements import ui
from bot.i18n import Translator
from bot.replies import Replies
from bot.workflows.agreements.create import parse_deadline
from bot.workflows.agreements.deadline_requests import (
    accept_new_deadline,
    check_asked_deadline,
    check_may_ask,
    refuse_new_deadline,
    request_new_deadline,
)
from bot.workflows.agreements.evidence import open_evidence
from bot.workflows.notices import Notice
from db.models import Person


async def evidence_pressed(
    query: CallbackQuery,
    callback_data: ui.EvidenceCB,
    db: AsyncSession,
    person: Person | None,
    outbox: list[Notice],
) -> None:
    outbox.append(await open_evidence(db, person, callback_data.event_id))
    await query.answer()


async def ask_pressed(
    query: CallbackQuery,
    callback_data: ui.AskDeadlineCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await query.answer()
    agreement = await check_may_ask(db, person, callback_data.agreement_id)
    await state.set_state(ui.DeadlineAskFlow.deadline)
    await state.set_data({"agreement_id": agreement.id})
    await say(
        tr.gettext(
            "¿Qué nuevo plazo propone para el acuerdo <b>{code}</b>? Escríbalo como 31/12/2026.",
            code=agreement.code,
        )
    )


async def deadline_typed(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    agreement = await check_may_ask(db, person, int((await state.get_data())["agreement_id"]))
    deadline = parse_deadline(text)
    check_asked_deadline(agreement, deadline, now)
    await state.update_data(deadline=deadline.isoformat())
    await state.set_state(ui.DeadlineAskFlow.reason)
    await say(tr.gettext("¿Por qué necesita más tiempo? La secretaría técnica leerá el motivo."))


async def reason_typed(
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
    deadline = date.fromisoformat(str(data["deadline"]))
    asked = await request_new_deadline(
        db, person, int(data["agreement_id"]), new_deadline=deadline, reason=text, now=now
    )
    await state.clear()
    outbox.extend(asked.notices)
    await say(
        tr.gettext(
            "Pedido enviado a la secretaría técnica: nuevo plazo {deadline} para <b>{code}</b>. "
            "Le avisaremos de su respuesta.",
            deadline=deadline,
            code=asked.agreement.code,
        )
    )


async def accept_pressed(
    query: CallbackQuery,
    callback_data: ui.DecideDeadlineCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    changed = await accept_new_deadline(db, person, callback_data.request_id, now=now)
    outbox.extend(changed.notices)
    a = changed.agreement
    await say(
        tr.gettext(
            "Nuevo plazo de <b>{code}</b>: {deadline}. Se avisó a la institución.",
            code=a.code,
            deadline=a.deadline,
        )
    )


async def refuse_pressed(
    query: CallbackQuery,
    callback_data: ui.DecideDeadlineCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    changed = await refuse_new_deadline(db, person, callback_data.request_id, now=now)
    outbox.extend(changed.notices)
    a = changed.agreement
    await say(
        tr.gettext(
            "El plazo de <b>{code}</b> sigue siendo el {deadline}. Se avisó a la institución.",
            code=a.code,
            deadline=a.deadline,
        )
    )


def router() -> Router:
    r = Router(name="agreements_deadlines")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    r.callback_query.register(evidence_pressed, ui.EvidenceCB.filter())
    r.callback_query.register(ask_pressed, ui.AskDeadlineCB.filter())
    r.message.register(deadline_typed, StateFilter(ui.DeadlineAskFlow.deadline), *typed)
    r.message.register(reason_typed, StateFilter(ui.DeadlineAskFlow.reason), *typed)
    r.callback_query.register(accept_pressed, ui.DecideDeadlineCB.filter(F.accept))
    r.callback_query.register(refuse_pressed, ui.DecideDeadlineCB.filter(~F.accept))
    return r
