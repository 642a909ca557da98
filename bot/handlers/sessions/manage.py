"""/sesiones: the list, a session's detail (live quorum forecast for the secretary and president)
and the secretary's steps before the session: convene, postpone, cancel. The session itself (roll
call, votes, closing, acta) is in meeting.py."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.sessions import ui
from bot.i18n import Catalogs, Translator
from bot.live import refresh_screen
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.errors import ReasonNeeded, UserError
from bot.workflows.membership.commissions import tidy
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Notice
from bot.workflows.screens import screens_showing
from bot.workflows.sessions.changes import cancel_session, postpone_session
from bot.workflows.sessions.convocation import (
    Convened,
    agenda_lines,
    convene,
    invitee_answers,
    is_invited,
)
from bot.workflows.sessions.forecast import forecast
from bot.workflows.sessions.schedule import access_session, check_session_date, list_sessions
from db.models import MeetingSession, Person, Role, SessionStatus

FORECAST_STATUSES = (SessionStatus.CONVENED, SessionStatus.POSTPONED, SessionStatus.PLANNED)
RSVP_STATUSES = (SessionStatus.CONVENED, SessionStatus.POSTPONED)


async def show_sessions(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies
) -> None:
    actor = await access_active(db, person, Action.VIEW_SESSIONS)
    assert actor.commission.id is not None
    sessions = await list_sessions(db, person, actor.commission.id)
    if not sessions:
        await say.screen(
            tr.gettext("{commission} no tiene sesiones registradas.", commission=actor.commission.code)
        )
        return
    await say.screen(
        tr.gettext("Sesiones de {commission}:", commission=actor.commission.code),
        reply_markup=ui.session_list(tr, sessions),
    )


def detail_key(session_id: int) -> str:
    return f"session:{session_id}"


async def detail_screen(
    db: AsyncSession, person: Person | None, session_id: int, tr: Translator, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The session as this person may see it, with the buttons their role and invitation allow."""
    actor, session = await access_session(db, person, session_id, Action.VIEW_SESSIONS)
    assert session.id is not None
    leads = bool(actor.roles & {Role.SECRETARY, Role.PRESIDENT})
    fc = await forecast(db, session) if leads and session.status in FORECAST_STATUSES else None
    answers = await invitee_answers(db, session.id) if leads else None
    agenda = await agenda_lines(db, session)
    reasons = Role.SECRETARY in actor.roles
    text = ui.detail(tr, session, actor.commission.name, agenda, fc, answers, reasons=reasons)
    if Role.SECRETARY in actor.roles:
        return text, ui.manage(tr, session)
    if session.status in RSVP_STATUSES and await is_invited(db, session.id, actor.person.id):
        here = now >= session.starts_at - ui.PRESENT_WINDOW
        return text, ui.rsvp(tr, session.id, here=here)
    return text, None


async def render_detail(
    db: AsyncSession, person: Person | None, session_id: int, tr: Translator, say: Replies, now: datetime
) -> None:
    text, keyboard = await detail_screen(db, person, session_id, tr, now)
    await say.screen(text, reply_markup=keyboard, key=detail_key(session_id))


async def refresh_details(db: AsyncSession, catalogs: Catalogs, session_id: int, *, now: datetime) -> None:
    """Every open detail of the session, refreshed for its reader (the live forecast follows the
    answers as they come); a reader who may no longer see it is skipped."""
    key = detail_key(session_id)
    for chat_id, message_id, reader in await screens_showing(db, key, now=now):
        if reader is None:
            continue
        try:
            text, keyboard = await detail_screen(
                db, reader, session_id, catalogs.translator(reader.language), now
            )
        except UserError:
            continue
        await refresh_screen(db, chat_id, message_id, key, text, keyboard, now=now)


async def managed(
    query: CallbackQuery, callback_data: ui.SessionCB, db: AsyncSession, person: Person | None
) -> MeetingSession:
    """The session a secretary's button names, after checking they still manage it."""
    _, session = await access_session(db, person, callback_data.session_id, Action.MANAGE_SESSIONS)
    await query.answer()
    return session


async def view_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    await render_detail(db, person, callback_data.session_id, tr, say, now)


def convened_text(tr: Translator, done: Convened) -> str:
    text = tr.ngettext(
        "Convocatoria enviada a {n} persona, con el archivo de calendario.",
        "Convocatoria enviada a {n} personas, con el archivo de calendario.",
        done.sent,
    )
    if done.unreachable:
        text += "\n" + tr.gettext(
            "No pude escribir a: {names}. Avíseles por otro medio.", names=", ".join(done.unreachable)
        )
    if done.posted_to_group:
        text += "\n" + tr.gettext("También la publiqué en el grupo de la comisión.")
    return text


async def convene_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await managed(query, callback_data, db, person)
    await state.clear()
    done = await convene(db, person, callback_data.session_id, now=now)
    outbox.extend(done.notices)
    await say.screen(convened_text(tr, done), reply_markup=ui.manage(tr, done.session))


async def postpone_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await managed(query, callback_data, db, person)
    await state.set_state(ui.SessionFlow.postpone_date)
    await state.set_data({"session_id": callback_data.session_id})
    await say.screen(tr.gettext("Escriba la nueva fecha y hora, por ejemplo 15/12 10:00."))


async def cancel_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await managed(query, callback_data, db, person)
    await state.set_state(ui.SessionFlow.cancel_reason)
    await state.set_data({"session_id": callback_data.session_id})
    await say.screen(tr.gettext("Escriba el motivo de la cancelación; se comunicará a todos los convocados."))


async def type_postpone_date(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    data = await state.get_data()
    _, session = await access_session(db, person, data["session_id"], Action.MANAGE_SESSIONS)
    when = ui.parse_when(text, now)
    await state.update_data(starts_at=when.isoformat(), override=None)
    try:  # checked now, as for a new session: a refusal is said before the postponement's reason
        await check_session_date(db, session.commission_id, session.kind, when, now=now)
    except ReasonNeeded as refusal:  # allowed with a written reason (non-working day, short notice)
        await state.set_state(ui.SessionFlow.postpone_override)
        await say(tr.render(refusal.text) + "\n\n" + tr.render(refusal.prompt))
        return
    await _ask_postpone_reason(tr, state, say)


async def _ask_postpone_reason(tr: Translator, state: FSMContext, say: Replies) -> None:
    await state.set_state(ui.SessionFlow.postpone_reason)
    await say.screen(
        tr.gettext("Escriba el motivo de la postergación; se comunicará a todos los convocados.")
    )


async def type_postpone_override(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    """Why the new date (a non-working day, short notice) — or another date instead."""
    if ui.looks_like_when(text, now):
        await state.set_state(ui.SessionFlow.postpone_date)
        await type_postpone_date(message, text, db, person, tr, state, say, now)
        return
    reason = tidy(text)
    if not 5 <= len(reason) <= 1000:
        await say(tr.gettext("Escriba el motivo (entre 5 y 1000 caracteres)."))
        return
    await state.update_data(override=reason)
    await _ask_postpone_reason(tr, state, say)


async def type_postpone_reason(
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
    when = datetime.fromisoformat(data["starts_at"])
    session, notices = await postpone_session(
        db, person, data["session_id"], when, text, now=now, override_reason=data.get("override")
    )
    outbox.extend(notices)
    await state.clear()
    await say.screen(
        tr.gettext(
            "Sesión postergada al {when}. Avisé a todos los convocados; sus respuestas valen solo si "
            "las confirman.",
            when=session.starts_at,
        ),
        reply_markup=ui.manage(tr, session),
    )


async def type_cancel_reason(
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
    _, notices = await cancel_session(db, person, data["session_id"], text, now=now)
    outbox.extend(notices)
    await state.clear()
    await say.screen(tr.gettext("Sesión cancelada. Avisé a todos los convocados."))


def router() -> Router:
    r = Router(name="sessions_manage")
    typed = (TEXT, NOT_COMMAND, PRIVATE)
    S, CB, Do = ui.SessionFlow, ui.SessionCB, ui.Do
    r.message.register(show_sessions, Command("sesiones"), PRIVATE)
    r.callback_query.register(view_pressed, CB.filter(F.do == Do.VIEW))
    r.callback_query.register(convene_pressed, CB.filter(F.do == Do.CONVENE))
    r.callback_query.register(postpone_pressed, CB.filter(F.do == Do.POSTPONE))
    r.callback_query.register(cancel_pressed, CB.filter(F.do == Do.CANCEL))
    r.message.register(type_postpone_date, StateFilter(S.postpone_date), *typed)
    r.message.register(type_postpone_override, StateFilter(S.postpone_override), *typed)
    r.message.register(type_postpone_reason, StateFilter(S.postpone_reason), *typed)
    r.message.register(type_cancel_reason, StateFilter(S.cancel_reason), *typed)
    return r
