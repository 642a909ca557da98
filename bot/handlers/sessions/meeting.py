"""The session itself, run by the secretary from /sesiones: roll call, the vote on each agenda item
seat by seat, the agreement an approved item creates, closing the session and the acta and
attendance files."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.button_labels import CLOSE_ROLL
from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.sessions import ui
from bot.handlers.sessions.manage import managed
from bot.handlers.sessions.tally import show_item_votes, tally_key
from bot.i18n import Translator, msg
from bot.live import stale_press
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.agreements.create import parse_deadline
from bot.workflows.labels import item_title
from bot.workflows.notices import Notice
from bot.workflows.sessions.acta import attendance_csv, build_acta, set_opinions
from bot.workflows.sessions.forecast import voting_seats
from bot.workflows.sessions.meeting import (
    VoteClosed,
    cast_vote,
    close_session,
    close_vote,
    open_vote,
    tally,
)
from bot.workflows.sessions.rollcall import (
    RollCallOutcome,
    attendance_by_seat,
    close_roll_call,
    mark_attendance,
)
from bot.workflows.sessions.schedule import access_item, access_session, agenda
from db.models import Person, SessionStatus

# --- roll call -----------------------------------------------------------------------------------


async def show_roll(db: AsyncSession, sid: int, commission_id: int, tr: Translator, say: Replies) -> None:
    seats = await voting_seats(db, commission_id)
    present = {s for s, a in (await attendance_by_seat(db, sid)).items() if a.present}
    text = msg("Lista de asistencia: toque cada institución presente y luego «{button}».", button=CLOSE_ROLL)
    await say.screen(tr.render(text), reply_markup=ui.roll(tr, sid, seats, present), key=roll_key(sid))


def roll_key(session_id: int) -> str:
    return f"roll:{session_id}"


async def roll_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    session = await managed(query, callback_data, db, person)
    await show_roll(db, callback_data.session_id, session.commission_id, tr, say)


async def present_pressed(
    query: CallbackQuery,
    callback_data: ui.PresentCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    cb = callback_data
    if await stale_press(query, db, roll_key(cb.session_id), tr):
        return
    await mark_attendance(db, person, cb.session_id, cb.seat_id, cb.present, now=now)
    await query.answer(
        tr.gettext("✓ Asistencia registrada") if cb.present else tr.gettext("Asistencia quitada")
    )
    _, session = await access_session(db, person, cb.session_id, Action.MANAGE_SESSIONS)
    await show_roll(db, cb.session_id, session.commission_id, tr, say)


def roll_closed_text(tr: Translator, outcome: RollCallOutcome) -> str:
    r = outcome.result
    if outcome.second_call_at is not None:
        return tr.ngettext(
            "Sin quórum: {present} presente (quórum: {quorum}). Segunda llamada a las {at}; marque a "
            "quienes lleguen y toque «{button}» de nuevo.",
            "Sin quórum: {present} presentes (quórum: {quorum}). Segunda llamada a las {at}; marque a "
            "quienes lleguen y toque «{button}» de nuevo.",
            r.present,
            present=r.present,
            quorum=r.quorum,
            at=outcome.second_call_at,
            button=CLOSE_ROLL,
        )
    if r.installed:
        return tr.ngettext(
            "✅ Sesión instalada con {present} presente (quórum: {quorum}).",
            "✅ Sesión instalada con {present} presentes (quórum: {quorum}).",
            r.present,
            present=r.present,
            quorum=r.quorum,
        )
    return tr.ngettext(
        "❌ La sesión no se instaló por falta de quórum: {present} presente (quórum: {quorum}). "
        "Ausentes: {missing}.",
        "❌ La sesión no se instaló por falta de quórum: {present} presentes (quórum: {quorum}). "
        "Ausentes: {missing}.",
        r.present,
        present=r.present,
        quorum=r.quorum,
        missing=", ".join(outcome.missing),
    )


async def close_roll_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await managed(query, callback_data, db, person)
    outcome = await close_roll_call(db, person, callback_data.session_id, now=now)
    outbox.extend(outcome.notices)
    # A second call keeps the roll open: no next steps until it is closed again.
    steps = None if outcome.second_call_at is not None else ui.manage(tr, outcome.session)
    await say.screen(roll_closed_text(tr, outcome), reply_markup=steps)


# --- votes ---------------------------------------------------------------------------------------


async def show_vote_items(db: AsyncSession, session_id: int, text: str, tr: Translator, say: Replies) -> None:
    items = [i for i in await agenda(db, session_id) if i.needs_decision]
    await say.screen(text, reply_markup=ui.vote_items(tr, items))


async def votes_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    await managed(query, callback_data, db, person)
    await show_vote_items(db, callback_data.session_id, tr.gettext("Puntos por votar. Elija uno:"), tr, say)


async def open_pressed(
    query: CallbackQuery,
    callback_data: ui.ItemCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    """Opens the vote the first time (members get their ballots); afterwards shows the tally."""
    _, session, item = await access_item(db, person, callback_data.item_id, Action.MANAGE_SESSIONS)
    await query.answer()
    if item.vote_closed_at is None and session.status is SessionStatus.INSTALLED:
        outbox.extend(await open_vote(db, person, item.id or 0, now=now))
    await show_item_votes(db, person, item, tr, say)


async def seat_vote_pressed(
    query: CallbackQuery,
    callback_data: ui.SeatVoteCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    cb = callback_data
    if await stale_press(query, db, tally_key(cb.item_id), tr):
        return
    await cast_vote(db, person, cb.item_id, cb.vote, now=now, seat_id=cb.seat_id)
    await query.answer(tr.gettext("✓ Voto registrado"))
    _, _, item = await access_item(db, person, cb.item_id, Action.MANAGE_SESSIONS)
    await show_item_votes(db, person, item, tr, say)


async def opinions_pressed(
    query: CallbackQuery,
    callback_data: ui.ItemCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    _, _, item = await access_item(db, person, callback_data.item_id, Action.MANAGE_SESSIONS)
    await query.answer()
    await state.set_state(ui.SessionFlow.opinions)
    await state.set_data({"item_id": item.id})
    await say(
        tr.gettext(
            "Escriba el resumen de las intervenciones sobre «{title}» para el acta.", title=item_title(item)
        )
    )


async def type_opinions(
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
    await set_opinions(db, person, data["item_id"], text, now=now)
    await state.clear()
    await say(tr.gettext("Intervenciones guardadas para el acta."))


async def close_vote_pressed(
    query: CallbackQuery,
    callback_data: ui.ItemCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    """An approved item (other than an acta's) becomes an agreement: ask its deadline first."""
    _, session, item = await access_item(db, person, callback_data.item_id, Action.MANAGE_SESSIONS)
    await query.answer()
    result = await tally(db, session, item)
    if result.adopted and item.approves_acta_of_id is None:
        await state.set_state(ui.SessionFlow.deadline)
        await state.set_data({"item_id": item.id})
        await say.screen(tr.gettext("Punto aprobado. Escriba el plazo del acuerdo, por ejemplo 31/03/2027."))
        return
    await finish_vote(db, person, item.id or 0, None, tr, say, outbox, now)


async def type_deadline(
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
    deadline = parse_deadline(text)
    data = await state.get_data()
    await finish_vote(db, person, data["item_id"], deadline, tr, say, outbox, now)
    await state.clear()


def vote_closed_text(tr: Translator, closed: VoteClosed) -> str:
    r, n = closed.result, closed.item.position
    counts = {"yes": r.votes_for, "no": r.votes_against, "abstain": r.abstentions}
    if closed.item.adopted:
        text = tr.gettext(
            "Punto {n} APROBADO. A favor: {yes}; en contra: {no}; abstenciones: {abstain}.", n=n, **counts
        )
    else:
        text = tr.gettext(
            "Punto {n} NO aprobado. A favor: {yes}; en contra: {no}; abstenciones: {abstain}.", n=n, **counts
        )
    if r.casting_vote_used:
        text += "\n" + tr.gettext("Decidió el voto dirimente de la presidencia.")
    if closed.agreement is not None:
        text += "\n" + tr.gettext("Acuerdo {code} registrado.", code=closed.agreement.code)
    return text


async def finish_vote(
    db: AsyncSession,
    person: Person | None,
    item_id: int,
    deadline: date | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    closed = await close_vote(db, person, item_id, now=now, deadline=deadline)
    outbox.extend(closed.notices)
    await show_vote_items(db, closed.item.session_id, vote_closed_text(tr, closed), tr, say)


# --- closing and the acta ------------------------------------------------------------------------


async def close_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await managed(query, callback_data, db, person)
    held = await close_session(db, person, callback_data.session_id, now=now)
    await send_acta(db, person, callback_data.session_id, tr, say, now)
    await say.screen(
        tr.gettext(
            "Sesión cerrada. El acta se someterá a aprobación como primer punto de la próxima sesión."
        ),
        reply_markup=ui.manage(tr, held),
    )


async def acta_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await managed(query, callback_data, db, person)
    await send_acta(db, person, callback_data.session_id, tr, say, now)


async def send_acta(
    db: AsyncSession, person: Person | None, session_id: int, tr: Translator, say: Replies, now: datetime
) -> None:
    acta = await build_acta(db, person, session_id, now=now)
    caption = tr.gettext("Borrador del acta para revisar, imprimir y firmar.")
    await say.document(acta.file_name, acta.content, caption)


async def csv_pressed(
    query: CallbackQuery,
    callback_data: ui.SessionCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    await managed(query, callback_data, db, person)
    csv_file = await attendance_csv(db, person, callback_data.session_id)
    await say.document(csv_file.file_name, csv_file.content, tr.gettext("Lista de asistencia para publicar."))


def router() -> Router:
    r = Router(name="sessions_meeting")
    typed = (TEXT, NOT_COMMAND, PRIVATE)
    S, CB, Do, ItemCB, ItemDo = ui.SessionFlow, ui.SessionCB, ui.Do, ui.ItemCB, ui.ItemDo
    r.callback_query.register(roll_pressed, CB.filter(F.do == Do.ROLL))
    r.callback_query.register(close_roll_pressed, CB.filter(F.do == Do.CLOSE_ROLL))
    r.callback_query.register(votes_pressed, CB.filter(F.do == Do.VOTES))
    r.callback_query.register(close_pressed, CB.filter(F.do == Do.CLOSE))
    r.callback_query.register(acta_pressed, CB.filter(F.do == Do.ACTA))
    r.callback_query.register(csv_pressed, CB.filter(F.do == Do.CSV))
    r.callback_query.register(present_pressed, ui.PresentCB.filter())
    r.callback_query.register(open_pressed, ItemCB.filter(F.do == ItemDo.OPEN))
    r.callback_query.register(opinions_pressed, ItemCB.filter(F.do == ItemDo.OPINIONS))
    r.callback_query.register(close_vote_pressed, ItemCB.filter(F.do == ItemDo.CLOSE))
    r.callback_query.register(seat_vote_pressed, ui.SeatVoteCB.filter())
    r.message.register(type_deadline, StateFilter(S.deadline), *typed)
    r.message.register(type_opinions, StateFilter(S.opinions), *typed)
    return r
