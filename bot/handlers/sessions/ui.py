"""Sessions: callback data (ids only, re-checked on arrival), keyboards, conversation states, texts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import button_labels as buttons
from bot.callbacks import KeepCB as KeepCB  # re-exported: the notices carry them (bot/notify.py)
from bot.callbacks import RsvpCB as RsvpCB
from bot.callbacks import VoteCB as VoteCB
from bot.handlers.sessions.rsvp_lines import answer_lines
from bot.i18n import Lines, Text, Translator, msg
from bot.keyboards import cancel_row
from bot.workflows.errors import UserError
from bot.workflows.labels import SESSION_STATUS_LABELS, item_title
from bot.workflows.sessions.convocation import KIND_LABELS, InviteeAnswer, where_text
from bot.workflows.sessions.dates import SessionDateError, parse_session_datetime
from bot.workflows.sessions.forecast import Forecast, SeatInfo
from bot.workflows.sessions.votes import Vote
from db.models import AgendaItem, Answer, MeetingSession, SessionStatus

# Members may tap «presente» from this long before the convened hour.
PRESENT_WINDOW = timedelta(hours=1)
DATE_ERRORS: dict[str, Text] = {
    "unparseable": msg("No entendí la fecha. Escríbala como 15/12 10:00 o 2026-12-15 10:00."),
    "no_time": msg("Falta la hora. Escriba por ejemplo 15/12 10:00."),
    "bad_date": msg("Esa fecha no existe. Revise el día y el mes, por ejemplo 15/12 10:00."),
    "bad_time": msg("Esa hora no existe. Use de 00:00 a 23:59, por ejemplo 15/12 10:00."),
    "past": msg("Esa fecha ya pasó. Escriba una fecha futura, por ejemplo 15/12 10:00."),
}


def parse_when(text: str, now: datetime) -> datetime:
    """A typed session date and time, or a refusal saying what to type."""
    try:
        return parse_session_datetime(text, now=now)
    except SessionDateError as error:
        raise UserError(DATE_ERRORS[error.reason]) from None


def looks_like_when(text: str, now: datetime) -> bool:
    """Whether an answer is another date and time rather than the reason asked for."""
    try:
        parse_session_datetime(text, now=now)
    except SessionDateError:
        return False
    return True


STATUS_LABELS = SESSION_STATUS_LABELS
VOTE_LABELS: dict[Vote, Text] = {
    Vote.FOR: msg("A favor"),
    Vote.AGAINST: msg("En contra"),
    Vote.ABSTAIN: msg("Abstención"),
}


class SessionFlow(StatesGroup):
    card = State()  # /nueva_sesion's card (bot/handlers/sessions/card.py); typing adds an agenda item
    start = State()
    override = State()
    calendar_reason = State()  # data: day; why /calendario plans a session on a non-working day
    place = State()
    item_kind = State()
    item_owner = State()
    documents = State()
    justification = State()
    alternate = State()
    postpone_date = State()
    postpone_override = State()  # data: starts_at; why a non-working day / short notice
    postpone_reason = State()
    cancel_reason = State()
    deadline = State()
    opinions = State()


class Do(StrEnum):
    VIEW = "view"
    CONVENE = "convene"
    ROLL = "roll"
    CLOSE_ROLL = "close_roll"
    VOTES = "votes"
    CLOSE = "close"
    ACTA = "acta"
    CSV = "csv"
    POSTPONE = "postpone"
    CANCEL = "cancel"
    HERE = "here"


class ItemDo(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    OPINIONS = "opinions"
    ATTACH = "attach"


class ItemKindCB(CallbackData, prefix="nsi1"):
    decision: bool


class OwnerCB(CallbackData, prefix="nso1"):
    seat_id: int  # 0: no owner


class SessionCB(CallbackData, prefix="ses1"):
    session_id: int
    do: Do


class ItemCB(CallbackData, prefix="itm1"):
    item_id: int
    do: ItemDo


class PresentCB(CallbackData, prefix="pres1"):
    session_id: int
    seat_id: int
    present: bool


class SeatVoteCB(CallbackData, prefix="svt1"):
    item_id: int
    seat_id: int
    vote: Vote


def item_kinds(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("Requiere votación"), callback_data=ItemKindCB(decision=True))
    kb.button(text=tr.gettext("Informativo"), callback_data=ItemKindCB(decision=False))
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def owners(tr: Translator, seats: Iterable[tuple[int, str]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for seat_id, name in seats:
        kb.button(text=name[:60], callback_data=OwnerCB(seat_id=seat_id))
    kb.button(text=tr.gettext("Sin institución responsable"), callback_data=OwnerCB(seat_id=0))
    kb.adjust(1)
    return kb.as_markup()


def session_list(tr: Translator, sessions: Sequence[MeetingSession]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for s in sessions:
        kind, status = tr.render(KIND_LABELS[s.kind]), tr.render(STATUS_LABELS[s.status])
        label = f"{tr.datetime(s.starts_at, 'short')} · {kind} · {status}"
        kb.button(text=label[:60], callback_data=SessionCB(session_id=s.id or 0, do=Do.VIEW))
    kb.adjust(1)
    return kb.as_markup()


def manage(tr: Translator, session: MeetingSession) -> InlineKeyboardMarkup | None:
    """The secretary's next steps for a session in its current status."""
    sid = session.id or 0
    steps: list[tuple[str, Do]] = []
    if session.status is SessionStatus.PLANNED:
        steps = [(tr.render(buttons.CONVENE), Do.CONVENE)]
    if session.status in (SessionStatus.CONVENED, SessionStatus.POSTPONED):
        steps = [(tr.gettext("📋 Pasar lista"), Do.ROLL)]
    if session.status in (SessionStatus.PLANNED, SessionStatus.CONVENED, SessionStatus.POSTPONED):
        steps += [(tr.gettext("📅 Postergar"), Do.POSTPONE), (tr.gettext("🚫 Cancelar sesión"), Do.CANCEL)]
    if session.status is SessionStatus.INSTALLED:
        steps = [(tr.gettext("🗳 Votaciones"), Do.VOTES), (tr.gettext("🔚 Cerrar sesión"), Do.CLOSE)]
    if session.status in (SessionStatus.HELD, SessionStatus.FAILED_QUORUM):
        steps = [(tr.gettext("📄 Acta (DOCX)"), Do.ACTA), (tr.gettext("📊 Asistencia (CSV)"), Do.CSV)]
    if not steps:
        return None
    kb = InlineKeyboardBuilder()
    for label, do in steps:
        kb.button(text=label, callback_data=SessionCB(session_id=sid, do=do))
    kb.adjust(1)
    return kb.as_markup()


def rsvp(tr: Translator, session_id: int, *, here: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr.gettext("✅ Asistiré"), callback_data=RsvpCB(session_id=session_id, answer=Answer.ATTENDING)
    )
    kb.button(
        text=tr.gettext("❌ No asistiré (justificar)"),
        callback_data=RsvpCB(session_id=session_id, answer=Answer.ABSENT),
    )
    kb.button(
        text=tr.gettext("👤 Enviaré a un alterno acreditado"),
        callback_data=RsvpCB(session_id=session_id, answer=Answer.ALTERNATE),
    )
    if here:
        kb.button(
            text=tr.gettext("🙋 Estoy presente"), callback_data=SessionCB(session_id=session_id, do=Do.HERE)
        )
    kb.adjust(1)
    return kb.as_markup()


def roll(
    tr: Translator, session_id: int, seats: Sequence[SeatInfo], present: set[int]
) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for seat in seats:
        here = seat.seat_id in present
        mark = "✅" if here else "⬜"
        kb.button(
            text=f"{mark} {seat.institution}"[:60],
            callback_data=PresentCB(session_id=session_id, seat_id=seat.seat_id, present=not here),
        )
    kb.button(
        text=tr.render(buttons.CLOSE_ROLL), callback_data=SessionCB(session_id=session_id, do=Do.CLOSE_ROLL)
    )
    kb.adjust(1)
    return kb.as_markup()


def vote_items(tr: Translator, items: Sequence[AgendaItem]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for item in items:
        mark = "🔒" if item.vote_closed_at else "🗳"
        kb.button(
            text=f"{mark} {item.position}. {tr.shown(item_title(item))}"[:60],
            callback_data=ItemCB(item_id=item.id or 0, do=ItemDo.OPEN),
        )
    kb.adjust(1)
    return kb.as_markup()


def seat_votes(
    tr: Translator, item_id: int, seats: Sequence[tuple[int, str]], votes: dict[int, Vote]
) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    sizes = []
    for seat_id, name in seats:
        kb.button(
            text=f"{name[:40]}: {tr.render(VOTE_LABELS[votes[seat_id]]) if seat_id in votes else '—'}",
            callback_data=SeatVoteCB(item_id=item_id, seat_id=seat_id, vote=votes.get(seat_id, Vote.FOR)),
        )
        for vote in Vote:
            kb.button(
                text=tr.render(VOTE_LABELS[vote]),
                callback_data=SeatVoteCB(item_id=item_id, seat_id=seat_id, vote=vote),
            )
        sizes += [1, 3]
    kb.button(
        text=tr.gettext("📝 Intervenciones para el acta"),
        callback_data=ItemCB(item_id=item_id, do=ItemDo.OPINIONS),
    )
    kb.button(text=tr.gettext("🔒 Cerrar votación"), callback_data=ItemCB(item_id=item_id, do=ItemDo.CLOSE))
    kb.adjust(*sizes, 1, 1)
    return kb.as_markup()


def document_items(tr: Translator, items: Sequence[AgendaItem]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for item in items:
        kb.button(
            text=f"{item.position}. {tr.shown(item_title(item))}"[:60],
            callback_data=ItemCB(item_id=item.id or 0, do=ItemDo.ATTACH),
        )
    kb.adjust(1)
    return kb.as_markup()


def detail(
    tr: Translator,
    session: MeetingSession,
    commission: str,
    agenda: Lines,
    fc: Forecast | None,
    answers: Sequence[InviteeAnswer] | None,
    *,
    reasons: bool = False,
) -> str:
    lines = [
        tr.gettext(
            "<b>Sesión {kind} de {commission}</b>\nFecha y hora: {when}\nLugar o enlace: "
            "{where}\nEstado: {status}",
            kind=KIND_LABELS[session.kind],
            commission=commission,
            when=session.starts_at,
            where=where_text(session),
            status=STATUS_LABELS[session.status],
        ),
        "",
        tr.gettext("Orden del día:"),
        tr.lines(agenda),
    ]
    if fc is not None and fc.seats:
        lines += quorum_lines(tr, fc)
    if answers is not None:
        lines += answer_lines(tr, answers, reasons=reasons)
    return "\n".join(lines)


def quorum_lines(tr: Translator, fc: Forecast) -> list[str]:
    """The quorum forecast under a session's detail, with a warning when it is at risk."""
    q = fc.quorum
    lines = [
        "",
        tr.gettext(
            "Quórum: {quorum} de {habil} (número hábil). Confirmados: {confirmed}. Sin "
            "respuesta: {unanswered}. "
            "Justificados: {justified}.",
            quorum=q.quorum,
            habil=q.habil,
            confirmed=q.confirmed,
            unanswered=q.unanswered,
            justified=q.justified_absences,
        ),
    ]
    if q.impossible:
        lines.append(
            tr.gettext("⚠️ Con estas inasistencias justificadas el quórum es imposible: reprograme la sesión.")
        )
    elif q.at_risk:
        lines.append(
            tr.ngettext(
                "⚠️ Falta {n} confirmación para el quórum.",
                "⚠️ Faltan {n} confirmaciones para el quórum.",
                q.missing,
            )
        )
    return lines
