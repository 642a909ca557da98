"""/sesiones: the list, a session's detail (live quorum forecast for the secretary and president)
and the secretary's steps: convene, roll call, votes, closing, acta, postponement, cancellation."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.sessions import ui
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.agreements.create import parse_deadline
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Notice
from bot.workflows.sessions.acta import attendance_csv, build_acta, set_opinions
from bot.workflows.sessions.changes import cancel_session, postpone_session
from bot.workflows.sessions.convocation import (
    agenda_lines,
    convene,
    invitee_counts,
    invitees_of,
)
from bot.workflows.sessions.forecast import forecast, voting_seats
from bot.workflows.sessions.meeting import (
    cast_vote,
    close_session,
    close_vote,
    open_vote,
    present_voting_seats,
    tally,
    votes_of,
)
from bot.workflows.sessions.rollcall import attendance_by_seat, close_roll_call, mark_attendance, say_present
from bot.workflows.sessions.schedule import (
    access_item,
    access_session,
    agenda,
    attach_document,
    list_sessions,
)
from db.models import AgendaItem, Person, Role, SessionInvitee, SessionStatus


async def show_sessions(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies
) -> None:
    actor = await access_active(db, person, Action.VIEW_SESSIONS)
    assert actor.commission.id is not None
    sessions = await list_sessions(db, person, actor.commission.id)
    if not sessions:
        await say(tr.gettext("{commission} no tiene sesiones registradas.", commission=actor.commission.code))
        return
    await say(
        tr.gettext("Sesiones de {commission}:", commission=actor.commission.code),
        reply_markup=ui.session_list(tr, sessions),
    )


async def render_detail(
    db: AsyncSession, person: Person | None, session_id: int, tr: Translator, say: Replies, now: datetime
) -> None:
    actor, session = await access_session(db, person, session_id, Action.VIEW_SESSIONS)
    assert session.id is not None
    lines = await agenda_lines(db, session)
    leads = bool(actor.roles & {Role.SECRETARY, Role.PRESIDENT})
    fc = (
        await forecast(db, session)
        if leads
        and session.status in (SessionStatus.CONVENED, SessionStatus.POSTPONED, SessionStatus.PLANNED)
        else None
    )
    answers = invitee_counts([i for i, _ in await invitees_of(db, session.id)]) if leads else None
    text = ui.detail(tr, session, actor.commission.name, lines, fc, answers)
    if Role.SECRETARY in actor.roles:
        await say(text, reply_markup=ui.manage(tr, session))
        return
    invited = (
        await db.exec(
            select(SessionInvitee).where(
                SessionInvitee.session_id == session.id, SessionInvitee.person_id == actor.person.id
            )
        )
    ).first()
    if invited is not None and session.status in (SessionStatus.CONVENED, SessionStatus.POSTPONED):
        await say(
            text, reply_markup=ui.rsvp(tr, session.id, here=now >= session.starts_at - ui.PRESENT_WINDOW)
        )
        return
    await say(text)


async def on_session(
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
    do, sid = callback_data.do, callback_data.session_id
    if do is ui.Do.VIEW:
        await query.answer()
        await render_detail(db, person, sid, tr, say, now)
        return
    if do is ui.Do.HERE:
        return await _here(query, sid, db, person, tr, say, now)
    _, session = await access_session(db, person, sid, Action.MANAGE_SESSIONS)
    await query.answer()
    if do is ui.Do.CONVENE:
        await state.clear()
        done = await convene(db, person, sid, now=now)
        outbox.extend(done.notices)
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
        await say(text, reply_markup=ui.manage(tr, done.session))
    elif do is ui.Do.ROLL:
        await _roll(db, sid, session.commission_id, tr, say)
    elif do is ui.Do.CLOSE_ROLL:
        outcome = await close_roll_call(db, person, sid, now=now)
        outbox.extend(outcome.notices)
        r = outcome.result
        if outcome.second_call_at is not None:
            await say(
                tr.gettext(
                    "Sin quórum: {present} presentes de {quorum} necesarios. Segunda llamada a las "
                    "{at}; marque a quienes lleguen y toque «Cerrar lista» de nuevo.",
                    present=r.present,
                    quorum=r.quorum,
                    at=outcome.second_call_at,
                )
            )
        elif r.installed:
            await say(
                tr.gettext(
                    "✅ Sesión instalada con {present} presentes (quórum: {quorum}).",
                    present=r.present,
                    quorum=r.quorum,
                ),
                reply_markup=ui.manage(tr, outcome.session),
            )
        else:
            await say(
                tr.gettext(
                    "❌ La sesión no se instaló por falta de quórum: {present} presentes de {quorum} "
                    "necesarios. Ausentes: {missing}.",
                    present=r.present,
                    quorum=r.quorum,
                    missing=", ".join(outcome.missing),
                ),
                reply_markup=ui.manage(tr, outcome.session),
            )
    elif do is ui.Do.VOTES:
        items = [i for i in await agenda(db, sid) if i.needs_decision]
        await say(tr.gettext("Puntos por votar. Elija uno:"), reply_markup=ui.vote_items(tr, items))
    elif do is ui.Do.CLOSE:
        held = await close_session(db, person, sid, now=now)
        acta = await build_acta(db, person, sid, now=now)
        await say.document(
            acta.file_name, acta.content, tr.gettext("Borrador del acta para revisar, imprimir y firmar.")
        )
        await say(
            tr.gettext(
                "Sesión cerrada. El acta se someterá a aprobación como primer punto de la próxima sesión."
            ),
            reply_markup=ui.manage(tr, held),
        )
    elif do is ui.Do.ACTA:
        acta = await build_acta(db, person, sid, now=now)
        await say.document(
            acta.file_name, acta.content, tr.gettext("Borrador del acta para revisar, imprimir y firmar.")
        )
    elif do is ui.Do.CSV:
        csv_file = await attendance_csv(db, person, sid)
        await say.document(
            csv_file.file_name, csv_file.content, tr.gettext("Lista de asistencia para publicar.")
        )
    elif do is ui.Do.POSTPONE:
        await state.set_state(ui.SessionFlow.postpone_date)
        await state.set_data({"session_id": sid})
        await say(tr.gettext("Escriba la nueva fecha y hora, por ejemplo 15/12 10:00."))
    elif do is ui.Do.CANCEL:
        await state.set_state(ui.SessionFlow.cancel_reason)
        await state.set_data({"session_id": sid})
        await say(tr.gettext("Escriba el motivo de la cancelación; se comunicará a todos los convocados."))


async def _here(
    query: CallbackQuery,
    sid: int,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await say_present(db, person, sid, now=now)
    await query.answer()
    await say(tr.gettext("Registramos su asistencia. ¡Bienvenido(a)!"))


async def _roll(db: AsyncSession, sid: int, commission_id: int, tr: Translator, say: Replies) -> None:
    seats = await voting_seats(db, commission_id)
    present = {s for s, a in (await attendance_by_seat(db, sid)).items() if a.present}
    await say(
        tr.gettext("Lista de asistencia: toque cada institución presente y luego «Cerrar lista»."),
        reply_markup=ui.roll(tr, sid, seats, present),
    )


async def on_present(
    query: CallbackQuery,
    callback_data: ui.PresentCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await mark_attendance(
        db, person, callback_data.session_id, callback_data.seat_id, callback_data.present, now=now
    )
    await query.answer()
    _, session = await access_session(db, person, callback_data.session_id, Action.MANAGE_SESSIONS)
    await _roll(db, callback_data.session_id, session.commission_id, tr, say)


async def _item_view(
    db: AsyncSession, person: Person | None, item: AgendaItem, tr: Translator, say: Replies
) -> None:
    _, session = await access_session(db, person, item.session_id, Action.MANAGE_SESSIONS)
    assert item.id is not None
    present = await present_voting_seats(db, session)
    names = await seat_names(db, present)
    votes = await votes_of(db, item.id)
    result = await tally(db, session, item)
    await say(
        tr.gettext(
            "Votación del punto {n}: «{title}». A favor: {yes}; en contra: {no}; abstenciones: "
            "{abstain}; sin votar: {missing}.",
            n=item.position,
            title=item.title,
            yes=result.votes_for,
            no=result.votes_against,
            abstain=result.abstentions,
            missing=result.not_voted,
        ),
        reply_markup=ui.seat_votes(tr, item.id, [(s, names.get(s, "?")) for s in present], votes),
    )


async def on_item(
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
    _, session, item = await access_item(db, person, callback_data.item_id, Action.MANAGE_SESSIONS)
    await query.answer()
    if callback_data.do is ui.ItemDo.ATTACH:
        data = await state.get_data()
        if not data.get("file_id"):
            raise UserError(msg("Primero envíe el archivo y luego elija el punto."))
        await attach_document(
            db, person, item.id or 0, file_id=data["file_id"], file_name=data["file_name"], now=now
        )
        await state.update_data(file_id=None, file_name=None)
        await say(
            tr.gettext(
                "Documento «{name}» agregado al punto {n}. Envíe otro archivo o toque «Convocar».",
                name=data["file_name"],
                n=item.position,
            ),
            reply_markup=ui.manage(tr, session),
        )
    elif callback_data.do is ui.ItemDo.OPEN:
        if item.vote_closed_at is None and session.status is SessionStatus.INSTALLED:
            outbox.extend(await open_vote(db, person, item.id or 0, now=now))
        await _item_view(db, person, item, tr, say)
    elif callback_data.do is ui.ItemDo.OPINIONS:
        await state.set_state(ui.SessionFlow.opinions)
        await state.set_data({"item_id": item.id})
        await say(
            tr.gettext(
                "Escriba el resumen de las intervenciones sobre «{title}» para el acta.", title=item.title
            )
        )
    elif callback_data.do is ui.ItemDo.CLOSE:
        result = await tally(db, session, item)
        if result.adopted and item.approves_acta_of_id is None:
            await state.set_state(ui.SessionFlow.deadline)
            await state.set_data({"item_id": item.id})
            await say(tr.gettext("Punto aprobado. Escriba el plazo del acuerdo, por ejemplo 31/03/2027."))
            return
        await _close(db, person, item.id or 0, None, tr, say, outbox, now)


async def _close(
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
    r = closed.result
    if closed.item.adopted:
        text = tr.gettext(
            "Punto {n} APROBADO: {yes} a favor, {no} en contra, {abstain} abstenciones.",
            n=closed.item.position,
            yes=r.votes_for,
            no=r.votes_against,
            abstain=r.abstentions,
        )
    else:
        text = tr.gettext(
            "Punto {n} NO aprobado: {yes} a favor, {no} en contra, {abstain} abstenciones.",
            n=closed.item.position,
            yes=r.votes_for,
            no=r.votes_against,
            abstain=r.abstentions,
        )
    if r.casting_vote_used:
        text += "\n" + tr.gettext("Decidió el voto dirimente de la presidencia.")
    if closed.agreement is not None:
        text += "\n" + tr.gettext("Acuerdo {code} registrado.", code=closed.agreement.code)
    items = [i for i in await agenda(db, closed.item.session_id) if i.needs_decision]
    await say(text, reply_markup=ui.vote_items(tr, items))


async def on_seat_vote(
    query: CallbackQuery,
    callback_data: ui.SeatVoteCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await cast_vote(
        db, person, callback_data.item_id, callback_data.vote, now=now, seat_id=callback_data.seat_id
    )
    await query.answer()
    _, _, item = await access_item(db, person, callback_data.item_id, Action.MANAGE_SESSIONS)
    await _item_view(db, person, item, tr, say)


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
    await _close(db, person, data["item_id"], deadline, tr, say, outbox, now)
    await state.clear()


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
    await access_session(db, person, data["session_id"], Action.MANAGE_SESSIONS)
    when = ui.parse_when(text, now)
    await state.update_data(starts_at=when.isoformat())
    await state.set_state(ui.SessionFlow.postpone_reason)
    await say(tr.gettext("Escriba el motivo de la postergación; se comunicará a todos los convocados."))


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
    session, notices = await postpone_session(
        db, person, data["session_id"], datetime.fromisoformat(data["starts_at"]), text, now=now
    )
    outbox.extend(notices)
    await state.clear()
    await say(
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
    await say(tr.gettext("Sesión cancelada. Avisé a todos los convocados."))


def router() -> Router:
    r = Router(name="sessions_manage")
    typed = (TEXT, NOT_COMMAND, PRIVATE)
    S = ui.SessionFlow
    r.message.register(show_sessions, Command("sesiones"), PRIVATE)
    r.callback_query.register(on_session, ui.SessionCB.filter())
    r.callback_query.register(on_present, ui.PresentCB.filter())
    r.callback_query.register(on_item, ui.ItemCB.filter())
    r.callback_query.register(on_seat_vote, ui.SeatVoteCB.filter())
    r.message.register(type_deadline, StateFilter(S.deadline), *typed)
    r.message.register(type_opinions, StateFilter(S.opinions), *typed)
    r.message.register(type_postpone_date, StateFilter(S.postpone_date), *typed)
    r.message.register(type_postpone_reason, StateFilter(S.postpone_reason), *typed)
    r.message.register(type_cancel_reason, StateFilter(S.cancel_reason), *typed)
    return r
