"""CSV export and import of a commission's register (bulk entry of an annual work plan).

The file's columns and how a line is read and checked are in csv_rows.py; this module reads and
writes the register.

One row per agreement, Spanish headers, UTF-8 with BOM so spreadsheets open it as it is.
Import is all or nothing: every line is checked first, and the first bad one is reported with its
line number and reason, importing nothing. A row with a known code updates that agreement (a new
deadline is recorded as a rescheduling); a row without a code, or with an unknown code of this
commission, adds an agreement. Exporting and importing the export gives the same register.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import nmsg
from bot.workflows.access import Action, access_commission
from bot.workflows.agreements.create import (
    AUDITED_FIELDS,
    commission_seats,
    format_code,
    next_code,
    seat_people,
)
from bot.workflows.agreements.csv_rows import HEADERS, SEPARATOR, STATUS_OUT, CsvRow, apply_row, parse_rows
from bot.workflows.audit import audited, snapshot
from bot.workflows.business_days import lima_date
from bot.workflows.membership.commissions import normalise, seat_names
from bot.workflows.notices import Notice
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementSeat,
    AgreementStatus,
    Person,
    Role,
)


@dataclass(frozen=True)
class Exported:
    file_name: str
    content: bytes
    count: int


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notices: list[Notice] = field(default_factory=list)


async def export_csv(
    db: AsyncSession, person: Person | None, commission_id: int, *, now: datetime
) -> Exported:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    agreements = (
        await db.exec(
            select(Agreement)
            .where(Agreement.commission_id == commission_id)
            .order_by(col(Agreement.year), col(Agreement.seq))
        )
    ).all()
    ids = [a.id for a in agreements]
    links = (await db.exec(select(AgreementSeat).where(col(AgreementSeat.agreement_id).in_(ids)))).all()
    names = await seat_names(db, list({link.seat_id for link in links}))
    seats: dict[int, list[str]] = {}
    for link in links:
        seats.setdefault(link.agreement_id, []).append(names.get(link.seat_id, ""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for a in agreements:
        writer.writerow(
            [
                a.code,
                a.text,
                SEPARATOR.join(sorted(seats.get(a.id or 0, []))),
                a.original_deadline.isoformat(),
                a.deadline.isoformat(),
                STATUS_OUT[a.status],
                a.progress,
                a.indicator or "",
                a.origin_label or "",
                a.cancel_reason or "",
            ]
        )
    await audited(
        db,
        actor,
        commission_id,
        "agreement.exported",
        "commission",
        commission_id,
        now=now,
        after={"count": len(agreements)},
    )
    name = f"acuerdos-{actor.commission.code}-{lima_date(now).isoformat()}.csv"
    return Exported(name, out.getvalue().encode("utf-8-sig"), len(agreements))


async def import_csv(
    db: AsyncSession, person: Person | None, commission_id: int, content: bytes, *, now: datetime
) -> Imported:
    """Check every line, then add or update the agreements; nothing at all if a line is bad."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    seats = {
        normalise(i.name): s.id for s, i in await commission_seats(db, commission_id) if s.id is not None
    }
    rows = parse_rows(content, actor.commission.code, seats)
    existing = {
        a.code: a
        for a in (await db.exec(select(Agreement).where(Agreement.commission_id == commission_id))).all()
    }
    result = Imported()
    new_by_seat: dict[int, int] = {}
    for row in rows:
        agreement = existing.get(row.code) if row.code else None
        if agreement is None:
            if row.code is not None and row.year is not None and row.seq is not None:
                year, seq, code = row.year, row.seq, format_code(actor.commission.code, row.year, row.seq)
            else:
                year, seq, code = await next_code(db, actor.commission, now)
            agreement = Agreement(
                commission_id=commission_id,
                code=code,
                year=year,
                seq=seq,
                text=row.text,
                original_deadline=row.original_deadline,
                deadline=row.deadline,
                created_by_id=actor.person.id,
                created_at=now,
                updated_at=now,
            )
            apply_row(agreement, row)
            if row.status in (AgreementStatus.DONE, AgreementStatus.CANCELLED):
                agreement.closed_at = now
            db.add(agreement)
            await db.flush()
            assert agreement.id is not None
            for seat_id in row.seat_ids:
                db.add(AgreementSeat(agreement_id=agreement.id, seat_id=seat_id))
                new_by_seat[seat_id] = new_by_seat.get(seat_id, 0) + 1
            db.add(
                AgreementEvent(
                    agreement_id=agreement.id,
                    at=now,
                    actor_id=actor.person.id,
                    kind=AgreementEventKind.IMPORTED,
                    status=agreement.status,
                    progress=agreement.progress,
                    new_deadline=agreement.deadline,
                )
            )
            await audited(
                db,
                actor,
                commission_id,
                "agreement.imported",
                "agreement",
                agreement.id,
                now=now,
                after=snapshot(agreement, *AUDITED_FIELDS) | {"seat_ids": row.seat_ids},
            )
            result.created += 1
            continue
        if await _update(db, agreement, row, actor.person, now):
            result.updated += 1
        else:
            result.unchanged += 1
    names = await seat_names(db, list(new_by_seat))
    for person_id, seat_id in await seat_people(db, list(new_by_seat), Role.LIAISON):
        result.notices.append(
            Notice(
                person_id,
                nmsg(
                    "Se registró {n} acuerdo nuevo a cargo de {institution}. Véalo con /acuerdos.",
                    "Se registraron {n} acuerdos nuevos a cargo de {institution}. Véalos con /acuerdos.",
                    new_by_seat[seat_id],
                    institution=names.get(seat_id, ""),
                ),
                commission_id,
            )
        )
    return result


async def _update(db: AsyncSession, agreement: Agreement, row: CsvRow, person: Person, now: datetime) -> bool:
    assert agreement.id is not None
    old_seats = list(
        (await db.exec(select(AgreementSeat.seat_id).where(AgreementSeat.agreement_id == agreement.id))).all()
    )
    before = snapshot(agreement, *AUDITED_FIELDS)
    old_deadline = agreement.deadline
    apply_row(agreement, row)
    after = snapshot(agreement, *AUDITED_FIELDS)
    if after == before and sorted(old_seats) == sorted(row.seat_ids):
        return False
    if sorted(old_seats) != sorted(row.seat_ids):
        await db.exec(delete(AgreementSeat).where(col(AgreementSeat.agreement_id) == agreement.id))
        for seat_id in row.seat_ids:
            db.add(AgreementSeat(agreement_id=agreement.id, seat_id=seat_id))
    agreement.updated_at = now
    db.add(agreement)
    rescheduled = old_deadline != agreement.deadline
    db.add(
        AgreementEvent(
            agreement_id=agreement.id,
            at=now,
            actor_id=person.id,
            kind=AgreementEventKind.RESCHEDULED if rescheduled else AgreementEventKind.EDITED,
            status=agreement.status,
            progress=agreement.progress,
            old_deadline=old_deadline if rescheduled else None,
            new_deadline=agreement.deadline if rescheduled else None,
            note=f"importación CSV, línea {row.line}",  # Spanish in the record; shown per reader
            import_line=row.line,
            agreed_by="importación CSV" if rescheduled else None,
        )
    )
    await audited(
        db,
        person,
        agreement.commission_id,
        "agreement.imported_update",
        "agreement",
        agreement.id,
        now=now,
        before=before | {"seat_ids": old_seats},
        after=after | {"seat_ids": row.seat_ids},
    )
    return True
