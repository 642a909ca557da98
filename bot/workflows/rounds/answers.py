"""The liaison's side of a round: agreement by agreement, every answer saved as it is given.

Where the liaison is (agreement position, step, the half-given answer) lives on the round target,
so a liaison who stops half-way resumes there, days later or after a restart. A finished answer
is a progress update of the agreements register (`record_progress`); "no change" and "skip" are
recorded on the round only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action, access_object
from bot.workflows.agreements.change import check_percent
from bot.workflows.agreements.create import OPEN_STATUSES, clean_optional, secretaries
from bot.workflows.agreements.progress import Evidence, record_progress
from bot.workflows.audit import audited
from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import Notice
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementStatus,
    Commission,
    Person,
    ProgressRound,
    RoundAnswer,
    RoundOutcome,
    RoundStatus,
    RoundTarget,
)

BLOCKER_MAX = 500
NOTE_MAX = 1000


class Choice:
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NO_CHANGE = "no_change"
    SKIP = "skip"
    ALL = (IN_PROGRESS, DONE, NO_CHANGE, SKIP)


@dataclass(frozen=True)
class Question:
    target: RoundTarget
    agreement: Agreement
    step: str
    index: int  # 1-based
    total: int


@dataclass(frozen=True)
class Pending:
    """A round a liaison still has to answer."""

    target: RoundTarget
    round: ProgressRound
    commission: Commission
    institution: str


@dataclass(frozen=True)
class Answered:
    question: Question | None  # the next thing to ask; None when the round is answered
    notices: list[Notice] = field(default_factory=list)


async def pending_rounds(db: AsyncSession, person: Person | None) -> list[Pending]:
    """The open rounds, in every commission, this liaison has not finished."""
    if person is None or person.id is None:
        return []
    rows = await db.exec(
        select(RoundTarget, ProgressRound, Commission)
        .join(ProgressRound, col(ProgressRound.id) == RoundTarget.round_id)
        .join(Commission, col(Commission.id) == ProgressRound.commission_id)
        .where(
            RoundTarget.person_id == person.id,
            col(RoundTarget.finished_at).is_(None),
            ProgressRound.status == RoundStatus.OPEN,
        )
        .order_by(col(Commission.code))
    )
    found = list(rows.all())
    names = await seat_names(db, [t.seat_id for t, _, _ in found])
    return [Pending(t, r, c, names.get(t.seat_id, "")) for t, r, c in found]


async def access_target(
    db: AsyncSession, person: Person | None, target_id: int
) -> tuple[RoundTarget, ProgressRound]:
    """The gate for answering: the liaison named on the target, in an open round, through REPORT_PROGRESS."""
    target = await db.get(RoundTarget, target_id)
    rnd = await db.get(ProgressRound, target.round_id) if target else None
    unknown = msg("Esa ronda no existe.")
    await access_object(db, person, rnd.commission_id if rnd else None, Action.REPORT_PROGRESS, unknown)
    assert person is not None and target is not None and rnd is not None
    if target.person_id != person.id:
        raise AccessDenied(msg("Esa ronda la responde el coordinador de enlace de otra institución."))
    if rnd.status != RoundStatus.OPEN:
        raise UserError(msg("Esa ronda ya cerró. Puede informar su avance con /avance."))
    if target.finished_at is not None:
        raise UserError(msg("Ya respondió esta ronda. Gracias."))
    return target, rnd


async def current_question(db: AsyncSession, target: RoundTarget) -> Question | None:
    """The agreement being answered, skipping ones closed or cancelled meanwhile."""
    while target.position < len(target.agreement_ids):
        agreement = await db.get(Agreement, target.agreement_ids[target.position])
        if agreement is not None and agreement.status in OPEN_STATUSES:
            return Question(target, agreement, target.step, target.position + 1, len(target.agreement_ids))
        target.position += 1
        target.step, target.pending = "status", {}
        db.add(target)
    return None


async def resume(db: AsyncSession, person: Person | None, target_id: int, *, now: datetime) -> Answered:
    """Where this liaison left off (the first question when starting)."""
    target, rnd = await access_target(db, person, target_id)
    if target.started_at is None:
        target.started_at = now
        db.add(target)
    question = await current_question(db, target)
    if question is None:
        return Answered(None, await _finish(db, person, target, rnd, now))
    return Answered(question)


async def _question(
    db: AsyncSession, person: Person | None, target_id: int, step: str
) -> tuple[RoundTarget, ProgressRound, Question]:
    target, rnd = await access_target(db, person, target_id)
    question = await current_question(db, target)
    if question is None or question.step != step:
        raise UserError(msg("Esa pregunta ya fue respondida. Escriba /ronda para continuar."))
    return target, rnd, question


def _go(target: RoundTarget, step: str, now: datetime, **pending: object) -> None:
    target.step = step
    target.pending = dict(target.pending) | pending
    if target.started_at is None:
        target.started_at = now


async def answer_status(
    db: AsyncSession, person: Person | None, target_id: int, choice: str, *, now: datetime
) -> Answered:
    target, rnd, question = await _question(db, person, target_id, "status")
    if choice not in Choice.ALL:
        raise UserError(msg("Elija una opción con los botones."))
    if choice in (Choice.NO_CHANGE, Choice.SKIP):
        outcome = RoundOutcome.NO_CHANGE if choice == Choice.NO_CHANGE else RoundOutcome.SKIPPED
        return await _answered(db, person, target, rnd, question.agreement, outcome, None, now)
    if choice == Choice.DONE:
        _go(target, "note", now, status=AgreementStatus.DONE.value, progress=100)
    else:
        _go(target, "percent", now, status=AgreementStatus.IN_PROGRESS.value)
    db.add(target)
    return Answered(await current_question(db, target))


async def answer_percent(
    db: AsyncSession, person: Person | None, target_id: int, value: int, *, now: datetime
) -> Answered:
    target, _, _ = await _question(db, person, target_id, "percent")
    _go(target, "note", now, progress=check_percent(value))
    db.add(target)
    return Answered(await current_question(db, target))


async def answer_note(
    db: AsyncSession, person: Person | None, target_id: int, note: str | None, *, now: datetime
) -> Answered:
    target, _, _ = await _question(db, person, target_id, "note")
    _go(target, "blocker", now, note=clean_optional(note, NOTE_MAX))
    db.add(target)
    return Answered(await current_question(db, target))


async def answer_blocker(
    db: AsyncSession, person: Person | None, target_id: int, blocker: str | None, *, now: datetime
) -> Answered:
    target, _, _ = await _question(db, person, target_id, "blocker")
    _go(target, "evidence", now, blocker=clean_optional(blocker, BLOCKER_MAX))
    db.add(target)
    return Answered(await current_question(db, target))


async def answer_evidence(
    db: AsyncSession, person: Person | None, target_id: int, evidence: Evidence | None, *, now: datetime
) -> Answered:
    """The last step: the update goes into the agreements register, then the next agreement."""
    target, rnd, question = await _question(db, person, target_id, "evidence")
    pending = target.pending
    agreement = question.agreement
    before = agreement.progress
    await record_progress(
        db,
        person,
        question.agreement.id or 0,
        status=AgreementStatus(str(pending.get("status", AgreementStatus.IN_PROGRESS.value))),
        progress=int(str(pending.get("progress", before))),
        note=pending.get("note"),
        evidence=evidence,
        now=now,
    )
    await db.flush()
    event_id = (
        await db.exec(
            select(AgreementEvent.id)
            .where(AgreementEvent.agreement_id == agreement.id)
            .order_by(col(AgreementEvent.id).desc())
        )
    ).first()
    blocker = pending.get("blocker")
    return await _answered(
        db,
        person,
        target,
        rnd,
        agreement,
        RoundOutcome.UPDATED,
        event_id,
        now,
        before=before,
        after=agreement.progress,
        blocker=str(blocker) if blocker else None,
    )


async def _answered(
    db: AsyncSession,
    person: Person | None,
    target: RoundTarget,
    rnd: ProgressRound,
    agreement: Agreement,
    outcome: RoundOutcome,
    event_id: int | None,
    now: datetime,
    *,
    before: int | None = None,
    after: int | None = None,
    blocker: str | None = None,
) -> Answered:
    assert target.id is not None and agreement.id is not None
    answer = RoundAnswer(
        target_id=target.id,
        agreement_id=agreement.id,
        outcome=outcome,
        event_id=event_id,
        progress_before=before if before is not None else agreement.progress,
        progress_after=after if after is not None else agreement.progress,
        blocker=blocker,
        at=now,
    )
    db.add(answer)
    await audited(
        db,
        person,
        rnd.commission_id,
        "rounds.answered",
        "agreement",
        agreement.id,
        now=now,
        after={"round_id": rnd.id, "outcome": outcome.value, "blocker": blocker},
    )
    target.position += 1
    target.step, target.pending = "status", {}
    if target.started_at is None:
        target.started_at = now
    db.add(target)
    question = await current_question(db, target)
    if question is not None:
        return Answered(question)
    return Answered(None, await _finish(db, person, target, rnd, now))


async def _finish(
    db: AsyncSession, person: Person | None, target: RoundTarget, rnd: ProgressRound, now: datetime
) -> list[Notice]:
    target.finished_at = now
    db.add(target)
    names = await seat_names(db, [target.seat_id])
    return [
        Notice(
            p,
            msg(
                "{who} ({institution}) terminó de responder la ronda de avances.",
                who=person.name if person else "",
                institution=names.get(target.seat_id, ""),
            ),
            rnd.commission_id,
        )
        for p in await secretaries(db, rnd.commission_id)
    ]
