"""What convened people tap: RSVP (with a written justification or an alternate's name), keeping
an answer after a postponement, «Estoy presente» at the session, votes from their phones; and
/vincular_grupo in the group."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import GROUP, NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.sessions import ui
from bot.handlers.sessions.manage import refresh_details
from bot.handlers.sessions.tally import refresh_tallies
from bot.i18n import Catalogs, Translator, msg
from bot.replies import Replies
from bot.workflows.errors import AccessDenied
from bot.workflows.membership.people import active_actor
from bot.workflows.notices import Notice
from bot.workflows.sessions.convocation import Answered, answer_convocation, check_answerable, keep_answer
from bot.workflows.sessions.meeting import cast_vote
from bot.workflows.sessions.rollcall import say_present
from bot.workflows.sessions.settings import link_group
from db.models import Answer, Person

Live = tuple[AsyncSession, Catalogs, datetime]  # what refreshing the open session details takes


async def _thanks(answered: Answered, tr: Translator, say: Replies, outbox: list[Notice], live: Live) -> None:
    outbox.extend(answered.notices)
    db, catalogs, now = live
    await refresh_details(db, catalogs, answered.session.id or 0, now=now)  # the secretary's forecast
    invitee, when = answered.invitee, answered.session.starts_at
    if invitee.answer is Answer.ATTENDING:
        await say(tr.gettext("Gracias. Registramos que asistirá a la sesión del {when}.", when=when))
    elif invitee.answer is Answer.ALTERNATE:
        await say(
            tr.gettext(
                "Gracias. Registramos que {name} asistirá como alterno(a) acreditado(a) a la sesión "
                "del {when}.",
                name=invitee.alternate_name or "",
                when=when,
            )
        )
    else:
        await say(
            tr.gettext("Gracias. Registramos su inasistencia justificada a la sesión del {when}.", when=when)
        )


async def on_rsvp(
    query: CallbackQuery,
    callback_data: ui.RsvpCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    sid = callback_data.session_id
    await check_answerable(db, person, sid, now=now)  # a stale button refuses before asking anything
    await query.answer()
    if callback_data.answer is Answer.ABSENT:
        await state.set_state(ui.SessionFlow.justification)
        await state.set_data({"session_id": sid})
        await say(tr.gettext("Escriba la justificación de su inasistencia; la verá la secretaría técnica."))
    elif callback_data.answer is Answer.ALTERNATE:
        await state.set_state(ui.SessionFlow.alternate)
        await state.set_data({"session_id": sid})
        await say(tr.gettext("Escriba el nombre completo de la persona alterna acreditada."))
    else:
        await _thanks(
            await answer_convocation(db, person, sid, callback_data.answer, now=now),
            tr,
            say,
            outbox,
            (db, catalogs, now),
        )


async def type_justification(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    data = await state.get_data()
    answered = await answer_convocation(
        db, person, data["session_id"], Answer.ABSENT, now=now, justification=text
    )
    await state.clear()
    await _thanks(answered, tr, say, outbox, (db, catalogs, now))


async def type_alternate(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    data = await state.get_data()
    answered = await answer_convocation(
        db, person, data["session_id"], Answer.ALTERNATE, now=now, alternate_name=text
    )
    await state.clear()
    await _thanks(answered, tr, say, outbox, (db, catalogs, now))


async def on_keep(
    query: CallbackQuery,
    callback_data: ui.KeepCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    answered = await keep_answer(db, person, callback_data.session_id, now=now)
    await query.answer()
    await _thanks(answered, tr, say, outbox, (db, catalogs, now))


async def on_vote(
    query: CallbackQuery,
    callback_data: ui.VoteCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    say: Replies,
    now: datetime,
) -> None:
    await cast_vote(db, person, callback_data.item_id, callback_data.vote, now=now)
    await query.answer(tr.gettext("✓ Voto registrado"))
    await say(tr.gettext("Voto registrado: {vote}.", vote=ui.VOTE_LABELS[callback_data.vote]))
    await refresh_tallies(db, catalogs, callback_data.item_id, now=now)  # the secretary's, by itself


async def link_this_group(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies, now: datetime
) -> None:
    actor = await active_actor(db, person) if person else None
    if actor is None or actor.commission.id is None:
        raise AccessDenied(msg("Necesita una invitación de su comisión para usar esta función."))
    await link_group(db, actor.person, actor.commission.id, message.chat.id, now=now)
    await say(
        tr.gettext(
            "Este grupo recibirá las convocatorias de {commission} (sin datos personales).",
            commission=actor.commission.name,
        )
    )


async def here_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    """A member says they are in the room (their own seat; the secretary's roll call may differ)."""
    await say_present(db, person, callback_data.session_id, now=now)
    await query.answer()
    await say(tr.gettext("Registramos su asistencia. ¡Bienvenido(a)!"))


def router() -> Router:
    r = Router(name="sessions_answers")
    typed = (TEXT, NOT_COMMAND, PRIVATE)
    r.callback_query.register(on_rsvp, ui.RsvpCB.filter())
    r.callback_query.register(on_keep, ui.KeepCB.filter())
    r.callback_query.register(here_pressed, ui.SessionCB.filter(F.do == ui.Do.HERE))
    r.callback_query.register(on_vote, ui.VoteCB.filter())
    r.message.register(type_justification, StateFilter(ui.SessionFlow.justification), *typed)
    r.message.register(type_alternate, StateFilter(ui.SessionFlow.alternate), *typed)
    r.message.register(link_this_group, Command("vincular_grupo"), GROUP)
    return r
