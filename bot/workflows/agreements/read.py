"""Reading the register: filtered pages, one agreement with its history, and `/avance` drafts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import button_labels as buttons
from bot.i18n import Text, msg
from bot.workflows.access import Action, access_commission
from bot.workflows.agreements.change import check_percent
from bot.workflows.agreements.create import (
    OPEN_STATUSES,
    Shown,
    access_agreement,
    agreement_seat_ids,
    shown_status,
)
from bot.workflows.agreements.progress import LIAISON_STATUSES, liaison_seat_ids, reporting_seat
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementSeat,
    AgreementStatus,
    EvidenceKind,
    MeetingSession,
    Membership,
    Person,
    ProgressDraft,
    Role,
)

PAGE_SIZE = 5


class Filter(StrEnum):
    ALL = "all"
    PENDING = "pendiente"
    IN_PROGRESS = "en_curso"
    DONE = "cumplido"
    CANCELLED = "cancelado"
    OVERDUE = "vencido"
    THIS_MONTH = "mes"
    MINE = "mine"  # the agreements of the person's own institution(s)


@dataclass(frozen=True)
class AgreementRow:
    id: int
    code: str
    text: str
    shown: Shown
    progress: int
    deadline: date
    original_deadline: date
    institutions: list[str]
    seat_ids: list[int]


@dataclass(frozen=True)
class Page:
    rows: list[AgreementRow]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class EventView:
    at: datetime
    who: str
    kind: AgreementEventKind
    institution: str | None
    status: AgreementStatus | None
    progress: int | None
    note: str | None
    old_deadline: date | None
    new_deadline: date | None
    agreed_by: str | None
    evidence_kind: EvidenceKind | None
    evidence_name: str | None
    evidence_link: str | None
    evidence_file_id: str | None
    event_id: int = 0  # for the button that opens the evidence
    import_line: int | None = None  # the CSV line the change came from


@dataclass(frozen=True)
class Detail:
    row: AgreementRow
    agreement: Agreement
    events: list[EventView]
    may_manage: bool
    may_report: bool
    origin: Text | str | None = None  # where it was adopted, in the reader's language when we wrote it


async def _rows(db: AsyncSession, agreements: list[Agreement], now: datetime) -> list[AgreementRow]:
    ids = [a.id for a in agreements if a.id is not None]
    links = (
        (await db.exec(select(AgreementSeat).where(col(AgreementSeat.agreement_id).in_(ids)))).all()
        if ids
        else []
    )
    names = await seat_names(db, list({link.seat_id for link in links}))
    by_agreement: dict[int, list[int]] = {}
    for link in links:
        by_agreement.setdefault(link.agreement_id, []).append(link.seat_id)
    rows = []
    for a in agreements:
        assert a.id is not None
        seats = by_agreement.get(a.id, [])
        rows.append(
            AgreementRow(
                a.id,
                a.code,
                a.text,
                shown_status(a, now),
                a.progress,
                a.deadline,
                a.original_deadline,
                sorted(names.get(s, "") for s in seats),
                seats,
            )
        )
    return rows


def _keep(row: AgreementRow, wanted: Filter, today: date, own: set[int], seat_id: int | None) -> bool:
    if seat_id is not None and seat_id not in row.seat_ids:
        return False
    if wanted == Filter.ALL:
        return True
    if wanted == Filter.MINE:
        return bool(own & set(row.seat_ids))
    if wanted == Filter.THIS_MONTH:
        return (row.deadline.year, row.deadline.month) == (today.year, today.month) and row.shown in (
            Shown.PENDING,
            Shown.IN_PROGRESS,
            Shown.OVERDUE,
        )
    return row.shown.value == wanted.value


async def own_seat_ids(db: AsyncSession, person_id: int, commission_id: int) -> set[int]:
    rows = await db.exec(
        select(Membership.seat_id).where(
            Membership.person_id == person_id, Membership.commission_id == commission_id
        )
    )
    return {s for s in rows.all() if s is not None}


async def list_agreements(
    db: AsyncSession,
    person: Person | None,
    commission_id: int,
    *,
    now: datetime,
    wanted: Filter = Filter.ALL,
    seat_id: int | None = None,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> Page:
    """One page of the commission's register, newest first, filtered."""
    actor = await access_commission(db, person, commission_id, Action.VIEW_AGREEMENTS)
    agreements = list(
        (
            await db.exec(
                select(Agreement)
                .where(Agreement.commission_id == commission_id)
                .order_by(col(Agreement.year).desc(), col(Agreement.seq).desc())
            )
        ).all()
    )
    assert actor.person.id is not None
    own = await own_seat_ids(db, actor.person.id, commission_id)
    today = lima_date(now)
    rows = [r for r in await _rows(db, agreements, now) if _keep(r, wanted, today, own, seat_id)]
    pages = max(1, math.ceil(len(rows) / page_size))
    page = min(max(page, 0), pages - 1)
    return Page(rows[page * page_size : (page + 1) * page_size], page, pages, len(rows))


async def agreement_detail(
    db: AsyncSession, person: Person | None, agreement_id: int, *, now: datetime
) -> Detail:
    actor, agreement = await access_agreement(db, person, agreement_id, Action.VIEW_AGREEMENTS)
    (row,) = await _rows(db, [agreement], now)
    events = list(
        (
            await db.exec(
                select(AgreementEvent)
                .where(AgreementEvent.agreement_id == agreement_id)
                .order_by(col(AgreementEvent.at), col(AgreementEvent.id))
            )
        ).all()
    )
    people = {
        p.id: p.name
        for p in (
            await db.exec(
                select(Person).where(col(Person.id).in_({e.actor_id for e in events if e.actor_id}))
            )
        ).all()
    }
    names = await seat_names(db, list({e.seat_id for e in events if e.seat_id}))
    views = [
        EventView(
            e.at,
            people.get(e.actor_id, "") if e.actor_id else "",
            e.kind,
            names.get(e.seat_id) if e.seat_id else None,
            e.status,
            e.progress,
            e.note,
            e.old_deadline,
            e.new_deadline,
            e.agreed_by,
            e.evidence_kind,
            e.evidence_name,
            e.evidence_link,
            e.evidence_file_id,
            e.id or 0,
            e.import_line,
        )
        for e in events
    ]
    assert actor.person.id is not None
    own = set(await liaison_seat_ids(db, actor.person.id, agreement.commission_id))
    may_manage = actor.may(Action.MANAGE_AGREEMENTS)
    may_report = agreement.status in OPEN_STATUSES and (may_manage or bool(own & set(row.seat_ids)))
    origin = await origin_text(db, agreement)
    return Detail(row, agreement, views, may_manage, may_report, origin)


async def origin_text(db: AsyncSession, agreement: Agreement) -> Text | str | None:
    """«Session of <day>, item N» in the reader's language for agreements adopted in a session;
    the label as typed (CSV column `origen`) otherwise."""
    if agreement.origin_session_id is None or agreement.origin_item_position is None:
        return agreement.origin_label
    session = await db.get(MeetingSession, agreement.origin_session_id)
    if session is None:
        return agreement.origin_label
    day = lima_date(session.starts_at)
    return msg("Sesión del {day}, punto {n}", day=day, n=agreement.origin_item_position)


# --- /avance: what a liaison may report on, and the half-answered draft ------------------------


async def reportable_agreements(
    db: AsyncSession, person: Person | None, commission_id: int, *, now: datetime
) -> list[AgreementRow]:
    """Open agreements of the person's institution (all open ones for the secretary)."""
    actor = await access_commission(db, person, commission_id, Action.REPORT_PROGRESS)
    assert actor.person.id is not None
    query = select(Agreement).where(
        Agreement.commission_id == commission_id, col(Agreement.status).in_(OPEN_STATUSES)
    )
    if Role.SECRETARY not in actor.roles:
        seats = await liaison_seat_ids(db, actor.person.id, commission_id)
        query = query.join(AgreementSeat, col(AgreementSeat.agreement_id) == Agreement.id).where(
            col(AgreementSeat.seat_id).in_(seats)
        )
    agreements = list((await db.exec(query.order_by(col(Agreement.deadline), col(Agreement.id)))).all())
    return await _rows(db, list({a.id: a for a in agreements}.values()), now)


async def find_draft(db: AsyncSession, person: Person | None, commission_id: int) -> ProgressDraft | None:
    if person is None or person.id is None:
        return None
    draft = (
        await db.exec(
            select(ProgressDraft).where(
                ProgressDraft.person_id == person.id, ProgressDraft.commission_id == commission_id
            )
        )
    ).first()
    if draft is None:
        return None
    agreement = await db.get(Agreement, draft.agreement_id)
    if agreement is None or agreement.status not in OPEN_STATUSES:
        await db.delete(draft)
        return None
    return draft


async def save_draft(
    db: AsyncSession,
    person: Person | None,
    agreement_id: int,
    *,
    step: str,
    now: datetime,
    status: AgreementStatus | None = None,
    progress: int | None = None,
    note: str | None = None,
) -> ProgressDraft:
    """Keep what the liaison answered so far (one draft per person and commission)."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.REPORT_PROGRESS)
    await reporting_seat(db, actor, agreement)
    if agreement.status not in OPEN_STATUSES:
        raise UserError(msg("Ese acuerdo ya no está abierto: no admite avances."))
    if status is not None and status not in LIAISON_STATUSES:
        raise UserError(
            msg(
                "Como avance puede informar «{in_progress}» o «{done}».",
                in_progress=buttons.IN_PROGRESS,
                done=buttons.FULFILLED,
            )
        )
    if progress is not None:
        check_percent(progress)
    assert actor.person.id is not None
    draft = await find_draft(db, actor.person, agreement.commission_id)
    if draft is None or draft.agreement_id != agreement_id:
        if draft is not None:
            await db.delete(draft)
            await db.flush()
        draft = ProgressDraft(
            person_id=actor.person.id,
            commission_id=agreement.commission_id,
            agreement_id=agreement_id,
            step=step,
            updated_at=now,
        )
    draft.step, draft.updated_at = step, now
    if status is not None:
        draft.status = status
    if progress is not None:
        draft.progress = progress
    if note is not None:
        draft.note = " ".join(note.split())[:1000] or None
    db.add(draft)
    await db.flush()
    return draft


async def discard_draft(db: AsyncSession, person: Person | None, commission_id: int) -> None:
    draft = await find_draft(db, person, commission_id)
    if draft is not None:
        await db.delete(draft)
        await db.flush()


async def agreement_row(db: AsyncSession, agreement_id: int, now: datetime) -> AgreementRow:
    agreement = await db.get(Agreement, agreement_id)
    assert agreement is not None
    (row,) = await _rows(db, [agreement], now)
    return row


async def seats_of(db: AsyncSession, agreement_id: int) -> list[int]:
    return await agreement_seat_ids(db, agreement_id)
