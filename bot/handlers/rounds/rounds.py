"""/ronda: the secretary opens a progress round or reads its summary; a liaison answers it.

Where the liaison is lives in the database (round target), so /ronda resumes it even after a
restart that lost the conversation state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.evidence import required_evidence
from bot.filters import NOT_COMMAND, PRIVATE
from bot.handlers.rounds import ui
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action, Actor
from bot.workflows.errors import UserError
from bot.workflows.labels import yes_or_no
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Notice
from bot.workflows.rounds.answers import (
    Answered,
    answer_blocker,
    answer_evidence,
    answer_note,
    answer_percent,
    answer_status,
    pending_rounds,
    resume,
)
from bot.workflows.rounds.opening import (
    DEFAULT_WINDOW,
    current_summary,
    set_schedule,
    start_round,
    summary_text,
)
from bot.workflows.rounds.practices import mark_good_practice
from db.models import Person, Role


async def ronda(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    actor = await access_active(db, person, Action.VIEW_AGREEMENTS)
    args = (command.args or "").split()
    if args and args[0].lower() == "mensual":
        await _schedule(args[1:], db, person, actor.commission.id or 0, tr, say, now)
        return
    pending = await pending_rounds(db, person)
    leads = actor.roles & {Role.SECRETARY, Role.PRESIDENT}
    if pending and not leads and len(pending) == 1:
        await _show(await resume(db, person, pending[0].target.id or 0, now=now), tr, state, say, outbox)
        return
    if pending:
        await say(
            tr.gettext("Tiene rondas de avances por responder:"), reply_markup=ui.pending_choices(pending, tr)
        )
    if leads:
        await _lead_view(db, person, actor, tr, say, now)
    elif not pending:
        await say(tr.gettext("No tiene rondas de avances por responder."))


async def _lead_view(
    db: AsyncSession, person: Person | None, actor: Actor, tr: Translator, say: Replies, now: datetime
) -> None:
    """The secretary and president see the open round's summary, or may open one."""
    assert actor.commission.id is not None
    summary = await current_summary(db, person, actor.commission.id, now=now)
    if summary is not None:
        await say(tr.render(summary_text(summary)), reply_markup=ui.summary_keyboard(tr, summary))
    elif actor.may(Action.MANAGE_AGREEMENTS):
        await say(
            tr.gettext("¿Abrir una ronda de avances ahora? Elija el plazo de respuesta."),
            reply_markup=ui.window_choices(tr),
        )
    else:
        await say(tr.gettext("No hay una ronda de avances abierta."))


async def _schedule(
    args: list[str],
    db: AsyncSession,
    person: Person | None,
    commission_id: int,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    """`/ronda mensual DÍA [PLAZO]` makes rounds recurring; `/ronda mensual no` (or manam, janiwa…)
    stops them."""
    if args and not args[0].isdigit() and yes_or_no(args[0]) is False:
        await set_schedule(db, person, commission_id, day_of_month=None, now=now)
        await say(tr.gettext("Las rondas mensuales quedan desactivadas."))
        return
    if not args or not all(a.isdigit() for a in args[:2]):
        raise UserError(
            msg(
                "Escriba /ronda mensual DÍA PLAZO, por ejemplo /ronda mensual 5 5 "
                "(el día 5 de cada mes, 5 días hábiles)."
            )
        )
    window = int(args[1]) if len(args) > 1 else DEFAULT_WINDOW
    schedule = await set_schedule(
        db, person, commission_id, day_of_month=int(args[0]), window_days=window, now=now
    )
    assert schedule is not None
    await say(
        tr.ngettext(
            "Ronda mensual: el día {day} de cada mes, con {n} día hábil para responder.",
            "Ronda mensual: el día {day} de cada mes, con {n} días hábiles para responder.",
            schedule.window_days,
            day=schedule.day_of_month,
        )
    )


async def start_pressed(
    query: CallbackQuery,
    callback_data: ui.RdStartCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    actor = await access_active(db, person, Action.MANAGE_AGREEMENTS)
    assert actor.commission.id is not None
    opened = await start_round(db, person, actor.commission.id, now=now, window_days=callback_data.days)
    outbox.extend(opened.notices)
    asked = sum(1 for t in opened.targets if t.person_id is not None)
    await say(
        tr.ngettext(
            "Ronda abierta hasta el {end}: se consultó a {n} coordinador de enlace.",
            "Ronda abierta hasta el {end}: se consultó a {n} coordinadores de enlace.",
            asked,
            end=opened.round.window_end,
        )
    )
    if opened.without_liaison:
        await say(
            tr.ngettext(
                "Sin coordinador de enlace (nadie responderá por ella): {names}.",
                "Sin coordinador de enlace (nadie responderá por ellas): {names}.",
                len(opened.without_liaison),
                names=", ".join(opened.without_liaison),
            )
        )


async def _show(
    answered: Answered, tr: Translator, state: FSMContext, say: Replies, outbox: list[Notice]
) -> None:
    outbox.extend(answered.notices)
    q = answered.question
    if q is None:
        await state.clear()
        await say.screen(tr.gettext("Gracias: respondió todos los acuerdos de esta ronda."))
        return
    await state.set_state(ui.RoundFlow.answering)
    await state.update_data(target_id=q.target.id)
    await say.screen(ui.question_text(tr, q), reply_markup=ui.question_keyboard(tr, q))


async def answer_pressed(
    query: CallbackQuery,
    callback_data: ui.RdAnswerCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    await _show(await resume(db, person, callback_data.target_id, now=now), tr, state, say, outbox)


async def status_pressed(
    query: CallbackQuery,
    callback_data: ui.RdStatusCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    answered = await answer_status(db, person, callback_data.target_id, callback_data.choice, now=now)
    await _show(answered, tr, state, say, outbox)


async def percent_pressed(
    query: CallbackQuery,
    callback_data: ui.RdPercentCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    answered = await answer_percent(db, person, callback_data.target_id, callback_data.value, now=now)
    await _show(answered, tr, state, say, outbox)


async def skip_pressed(
    query: CallbackQuery,
    callback_data: ui.RdSkipCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    skip = SKIPS[callback_data.step]
    await _show(await skip(db, person, callback_data.target_id, None, now=now), tr, state, say, outbox)


# Each takes (db, person, target_id, None, now=…): the step answered with nothing.
SKIPS: dict[ui.Skip, Callable[..., Awaitable[Answered]]] = {
    ui.Skip.NOTE: answer_note,
    ui.Skip.BLOCKER: answer_blocker,
    ui.Skip.EVIDENCE: answer_evidence,
}


async def typed(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    """Text or a file while answering: what it means depends on the step the round is at."""
    tid = int((await state.get_data()).get("target_id") or 0)
    current = await resume(db, person, tid, now=now)
    q = current.question
    if q is None:
        await _show(current, tr, state, say, outbox)
        return
    answered = await _answer_typed(db, person, tid, q.step, message, now)
    if answered is None:
        await say(tr.gettext("Elija una opción con los botones de arriba, o escriba /cancelar."))
        return
    await _show(answered, tr, state, say, outbox)


async def _answer_typed(
    db: AsyncSession, person: Person | None, tid: int, step: str, message: Message, now: datetime
) -> Answered | None:
    """The typed answer to the round's current step; None when that step wants a button."""
    text = (message.text or "").strip()
    if step == "percent":
        return await answer_percent(db, person, tid, _percent(text), now=now)
    if step == "note" and text:
        return await answer_note(db, person, tid, text, now=now)
    if step == "blocker" and text:
        return await answer_blocker(db, person, tid, text, now=now)
    if step == "evidence":
        return await answer_evidence(db, person, tid, required_evidence(message), now=now)
    return None


def _percent(text: str) -> int:
    cleaned = text.rstrip("%").strip()
    if not cleaned.isdigit():
        raise UserError(
            msg("El avance es un porcentaje entre 0 y 100. Escriba solo el número, por ejemplo 40.")
        )
    return int(cleaned)


async def good_pressed(
    query: CallbackQuery,
    callback_data: ui.RdGoodCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    outbox.extend(await mark_good_practice(db, person, callback_data.event_id, now=now))
    await say(tr.gettext("Marcado como buena práctica y compartido con la CAN."))


def router() -> Router:
    r = Router(name="rounds")
    r.message.filter(PRIVATE)
    r.message.register(ronda, Command("ronda"))
    r.callback_query.register(start_pressed, ui.RdStartCB.filter())
    r.callback_query.register(answer_pressed, ui.RdAnswerCB.filter())
    r.callback_query.register(status_pressed, ui.RdStatusCB.filter())
    r.callback_query.register(percent_pressed, ui.RdPercentCB.filter())
    r.callback_query.register(skip_pressed, ui.RdSkipCB.filter())
    r.callback_query.register(good_pressed, ui.RdGoodCB.filter())
    r.message.register(typed, StateFilter(ui.RoundFlow.answering), NOT_COMMAND)
    return r
