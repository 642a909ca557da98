"""Progress rounds: the secretary asks every institution owning open agreements, at once.

A round covers each seat responsible for at least one open agreement of the commission; its
window closes N business days after it opens (Peru's holidays and weekends skipped). Institutions
without a liaison are told to the secretary at the start. Answers are progress updates of the
agreements register (see rounds_answers.py); the summary reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg, nmsg
from bot.workflows.access import Action, Actor, access_commission
from bot.workflows.agreements.create import OPEN_STATUSES, secretaries
from bot.workflows.audit import audited, snapshot
from bot.workflows.business_days import BusinessCalendar, lima_date
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import Notice
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementSeat,
    Membership,
    Person,
    ProgressRound,
    Role,
    RoundAnswer,
    RoundOutcome,
    RoundSchedule,
    RoundStatus,
    RoundTarget,
)

DEFAULT_WINDOW = 5
WINDOW_MIN, WINDOW_MAX = 1, 20


@dataclass(frozen=True)
class Opened:
    round: ProgressRound
    targets: list[RoundTarget]
    without_liaison: list[str]  # institutions nobody can answer for
    notices: list[Notice] = field(default_factory=list)


def window_end(opened: datetime, days: int, calendar: BusinessCalendar | None = None) -> date:
    """The last Lima day to answer: `days` business days after the opening day."""
    return (calendar or BusinessCalendar()).add_business_days(lima_date(opened), days)


async def open_round(db: AsyncSession, commission_id: int, *, now: datetime) -> ProgressRound | None:
    rows = await db.exec(
        select(ProgressRound).where(
            ProgressRound.commission_id == commission_id, ProgressRound.status == RoundStatus.OPEN
        )
    )
    return rows.first()


async def seats_with_open_agreements(db: AsyncSession, commission_id: int) -> dict[int, list[int]]:
    """seat id → its open agreements (ids, by deadline), for every seat owning one."""
    rows = await db.exec(
        select(AgreementSeat.seat_id, Agreement.id)
        .join(Agreement, col(Agreement.id) == AgreementSeat.agreement_id)
        .where(Agreement.commission_id == commission_id, col(Agreement.status).in_(OPEN_STATUSES))
        .order_by(col(Agreement.deadline), col(Agreement.id))
    )
    found: dict[int, list[int]] = {}
    for seat_id, agreement_id in rows.all():
        if agreement_id is not None:
            found.setdefault(seat_id, []).append(agreement_id)
    return found


async def seat_person(db: AsyncSession, seat_id: int, role: Role) -> int | None:
    rows = await db.exec(
        select(Membership.person_id)
        .where(Membership.seat_id == seat_id, Membership.role == role)
        .order_by(col(Membership.id))
    )
    return rows.first()


async def start_round(
    db: AsyncSession,
    person: Person | None,
    commission_id: int,
    *,
    now: datetime,
    window_days: int = DEFAULT_WINDOW,
) -> Opened:
    """Open a round now: one target per institution owning open agreements, each liaison asked."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    if not WINDOW_MIN <= window_days <= WINDOW_MAX:
        raise UserError(
            msg("El plazo de respuesta va de {min} a {max} días hábiles.", min=WINDOW_MIN, max=WINDOW_MAX)
        )
    if await open_round(db, commission_id, now=now) is not None:
        raise UserError(msg("Ya hay una ronda abierta en esta comisión. Espere a que cierre."))
    return await _open(db, actor, commission_id, window_days, now)


async def _open(
    db: AsyncSession, actor: Actor | None, commission_id: int, window_days: int, now: datetime
) -> Opened:
    seats = await seats_with_open_agreements(db, commission_id)
    if not seats:
        raise UserError(msg("No hay acuerdos abiertos: no hace falta una ronda."))
    opener = actor.person if actor else None
    rnd = ProgressRound(
        commission_id=commission_id,
        opened_at=now,
        opened_by_id=opener.id if opener else None,
        window_days=window_days,
        window_end=window_end(now, window_days),
    )
    db.add(rnd)
    await db.flush()
    assert rnd.id is not None
    names = await seat_names(db, list(seats))
    targets: list[RoundTarget] = []
    without: list[str] = []
    notices: list[Notice] = []
    for seat_id in sorted(seats, key=lambda s: names.get(s, "")):
        liaison = await seat_person(db, seat_id, Role.LIAISON)
        target = RoundTarget(
            round_id=rnd.id, seat_id=seat_id, person_id=liaison, agreement_ids=seats[seat_id]
        )
        db.add(target)
        targets.append(target)
        if liaison is None:
            without.append(names.get(seat_id, ""))
            continue
        n = len(seats[seat_id])
        notices.append(
            Notice(
                liaison,
                nmsg(
                    "Ronda de avances: la secretaría técnica pide el avance de {n} acuerdo de "
                    "{institution} hasta el {end}. Escriba /ronda para responder; puede dejarlo y "
                    "continuar después.",
                    "Ronda de avances: la secretaría técnica pide el avance de {n} acuerdos de "
                    "{institution} hasta el {end}. Escriba /ronda para responder; puede dejarlo y "
                    "continuar después.",
                    n,
                    institution=names.get(seat_id, ""),
                    end=rnd.window_end,
                ),
                commission_id,
            )
        )
    await db.flush()
    await audited(
        db,
        opener,
        commission_id,
        "rounds.opened",
        "progress_round",
        rnd.id,
        now=now,
        after=snapshot(rnd, "window_days", "window_end", "status") | {"seats": sorted(seats)},
    )
    if without and actor is None:  # a scheduled round: the secretaries hear of the gaps
        for p in await secretaries(db, commission_id):
            notices.append(Notice(p, _without_text(without), commission_id))
    return Opened(rnd, targets, without, notices)


def _without_text(without: list[str]) -> Text:
    return nmsg(
        "Sin coordinador de enlace (nadie responderá por ella): {names}.",
        "Sin coordinador de enlace (nadie responderá por ellas): {names}.",
        len(without),
        names=", ".join(without),
    )


# --- the summary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    code: str
    institution: str
    before: int | None
    after: int | None
    event_id: int | None


@dataclass(frozen=True)
class Blocker:
    code: str
    institution: str
    text: str


@dataclass(frozen=True)
class Summary:
    round: ProgressRound
    targets: int
    finished: list[str]
    partial: list[str]
    silent: list[str]  # asked, answered nothing
    without_liaison: list[str]
    changes: list[Change]
    blockers: list[Blocker]
    evidence: int

    @property
    def rate(self) -> int:
        """Response rate in %, over the institutions that were asked (those with a liaison)."""
        asked = len(self.finished) + len(self.partial) + len(self.silent)
        return round(100 * len(self.finished) / asked) if asked else 0


async def round_summary(db: AsyncSession, rnd: ProgressRound) -> Summary:
    assert rnd.id is not None
    targets = list(
        (
            await db.exec(
                select(RoundTarget).where(RoundTarget.round_id == rnd.id).order_by(col(RoundTarget.id))
            )
        ).all()
    )
    names = await seat_names(db, [t.seat_id for t in targets])
    finished, partial, silent, without = [], [], [], []
    for t in targets:
        name = names.get(t.seat_id, "")
        if t.person_id is None:
            without.append(name)
        elif t.finished_at is not None:
            finished.append(name)
        elif t.started_at is not None:
            partial.append(name)
        else:
            silent.append(name)
    by_id = {t.id: t for t in targets}
    answers = list(
        (
            await db.exec(
                select(RoundAnswer, Agreement.code)
                .join(Agreement, col(Agreement.id) == RoundAnswer.agreement_id)
                .where(col(RoundAnswer.target_id).in_(list(by_id)))
                .order_by(col(RoundAnswer.id))
            )
        ).all()
    )
    changes: list[Change] = []
    blockers: list[Blocker] = []
    event_ids = [a.event_id for a, _ in answers if a.event_id is not None]
    evidence = 0
    if event_ids:
        rows = await db.exec(
            select(AgreementEvent.id).where(
                col(AgreementEvent.id).in_(event_ids), col(AgreementEvent.evidence_kind).is_not(None)
            )
        )
        evidence = len(rows.all())
    for answer, code in answers:
        target = by_id[answer.target_id]
        name = names.get(target.seat_id, "")
        if answer.outcome == RoundOutcome.UPDATED and answer.progress_after != answer.progress_before:
            changes.append(Change(code, name, answer.progress_before, answer.progress_after, answer.event_id))
        if answer.blocker:
            blockers.append(Blocker(code, name, answer.blocker))
    return Summary(rnd, len(targets), finished, partial, silent, without, changes, blockers, evidence)


async def current_summary(
    db: AsyncSession, person: Person | None, commission_id: int, *, now: datetime
) -> Summary | None:
    """The open round's summary so far (None when no round is open), for the secretary or president."""
    actor = await access_commission(db, person, commission_id, Action.VIEW_AGREEMENTS)
    if not actor.roles & {Role.SECRETARY, Role.PRESIDENT}:
        from bot.workflows.errors import AccessDenied

        raise AccessDenied(msg("Su función en esta comisión no permite esta acción."))
    rnd = await open_round(db, commission_id, now=now)
    return await round_summary(db, rnd) if rnd else None


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else "—"


def summary_text(s: Summary) -> Text:
    """The round summary as one translatable message (lists are names and codes, not prose)."""
    changes = "; ".join(
        f"{c.code} ({c.institution}): {c.before if c.before is not None else 0} % → {c.after} %"
        for c in s.changes
    )
    blockers = "; ".join(f"{b.code} ({b.institution}): {b.text}" for b in s.blockers)
    return msg(
        "<b>Ronda de avances</b> (plazo: {end})\n"
        "Tasa de respuesta: {rate} %\n"
        "Respondieron todo: {finished}\n"
        "Respondieron en parte: {partial}\n"
        "No respondieron: {silent}\n"
        "Sin coordinador de enlace: {without}\n"
        "Cambios de avance: {changes}\n"
        "Nuevas dificultades: {blockers}\n"
        "Evidencias recibidas: {evidence}",
        end=s.round.window_end,
        rate=s.rate,
        finished=_names(s.finished),
        partial=_names(s.partial),
        silent=_names(s.silent),
        without=_names(s.without_liaison),
        changes=changes or "—",
        blockers=blockers or "—",
        evidence=s.evidence,
    )


async def set_schedule(
    db: AsyncSession,
    person: Person | None,
    commission_id: int,
    *,
    day_of_month: int | None,
    window_days: int = DEFAULT_WINDOW,
    now: datetime,
) -> RoundSchedule | None:
    """Make rounds recurring (monthly, on a day from 1 to 28), or stop them with `day_of_month=None`."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    if day_of_month is not None and not 1 <= day_of_month <= 28:
        raise UserError(msg("Elija un día del mes entre 1 y 28 (así existe en todos los meses)."))
    if not WINDOW_MIN <= window_days <= WINDOW_MAX:
        raise UserError(
            msg("El plazo de respuesta va de {min} a {max} días hábiles.", min=WINDOW_MIN, max=WINDOW_MAX)
        )
    schedule = (
        await db.exec(select(RoundSchedule).where(RoundSchedule.commission_id == commission_id))
    ).first()
    before = snapshot(schedule, "day_of_month", "window_days") if schedule else None
    if day_of_month is None:
        if schedule is not None:
            await db.delete(schedule)
        result = None
    else:
        schedule = schedule or RoundSchedule(commission_id=commission_id, day_of_month=day_of_month)
        schedule.day_of_month, schedule.window_days = day_of_month, window_days
        today = lima_date(now)
        # The first round is the next time that day comes, never at once for a day already past.
        schedule.last_opened_on = today if today.day >= day_of_month else None
        db.add(schedule)
        result = schedule
    await db.flush()
    await audited(
        db,
        actor,
        commission_id,
        "rounds.scheduled",
        "round_schedule",
        result.id if result else None,
        now=now,
        before=before,
        after=snapshot(result, "day_of_month", "window_days") if result else None,
    )
    return result
