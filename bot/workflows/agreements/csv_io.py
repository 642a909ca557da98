"""CSV export and import of a commission's register (bulk entry of an annual work plan).

The file's columns and how a line is read and checked are in csv_rows.py; this module reads and
writes the register.

One row per agreement, Spanish headers, UTF-8 with BOM so spreadsheets open it as it is.
Import is all or nothing: every line is checked first (in a worker thread, by the handler), and all
the bad ones are reported with their line numbers and reasons, importing nothing. A row with a
known code updates that agreement (a new deadline is recorded as a rescheduling); a row without a
code, or with an unknown code of this commission, adds an agreement.
Exporting and importing the export gives the same register.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import nmsg
from bot.workflows.access import Action, access_commission
from bot.workflows.agreements.create import (
    AUDITED_FIELDS,
    commission_seats,
    format_code,
    seat_people,
)
from bot.workflows.agreements.csv_rows import (
    HEADERS,
    SEPARATOR,
    STATUS_OUT,
    Checked,
    CsvRow,
    LineError,
    apply_row,
    check_rows,
    refusal,
)
from bot.workflows.agreements.sheets import read_table, template_csv, template_xlsx
from bot.workflows.audit import Change, audited, jsonable, lock_chain, record_many, snapshot
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import normalise, seat_names
from bot.workflows.notices import Notice
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementSeat,
    AgreementStatus,
    Commission,
    Person,
    Role,
)

BATCH = 250  # new agreements inserted per statement batch
# Core inserts (executemany, ids returned in order): the ORM's unit of work costs more than the
# rows themselves at a thousand rows (benchmarks/import_pause.py).
AGREEMENT, SEATS, EVENTS = (
    SQLModel.metadata.tables[t] for t in ("agreement", "agreement_seat", "agreement_event")
)
_INSERT_AGREEMENTS = insert(AGREEMENT).returning(AGREEMENT.c.id, sort_by_parameter_order=True)


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


@dataclass(frozen=True)
class ImportTarget:
    """What checking a file needs from the database, read before the (threaded) check."""

    commission_code: str
    seats_by_name: dict[str, int]


class ImportRefused(UserError):
    """Bad lines: all of them, none imported."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(refusal(errors[0]).text)
        self.errors = errors


async def import_template(
    db: AsyncSession, person: Person | None, commission_id: int, *, xlsx: bool
) -> Exported:
    """A blank register with one example row naming one of this commission's institutions."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    seats = await commission_seats(db, commission_id)
    institution = seats[0][1].name if seats else "Gobierno Regional"
    name = f"plantilla-acuerdos-{actor.commission.code}"
    if xlsx:
        return Exported(f"{name}.xlsx", template_xlsx(institution), 1)
    return Exported(f"{name}.csv", template_csv(institution), 1)


async def import_target(db: AsyncSession, person: Person | None, commission_id: int | None) -> ImportTarget:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    seats = {
        normalise(i.name): s.id
        for s, i in await commission_seats(db, actor.commission.id or 0)
        if s.id is not None
    }
    return ImportTarget(actor.commission.code, seats)


def check_file(content: bytes, file_name: str, target: ImportTarget) -> Checked:
    """Read and check every line (no database: safe in a worker thread)."""
    return check_rows(read_table(content, file_name), target.commission_code, target.seats_by_name)


async def import_csv(
    db: AsyncSession,
    person: Person | None,
    commission_id: int,
    content: bytes,
    *,
    now: datetime,
    file_name: str = "",
) -> Imported:
    """Check every line, then add or update the agreements; nothing at all if a line is bad."""
    checked = check_file(content, file_name, await import_target(db, person, commission_id))
    if checked.errors:
        raise ImportRefused(checked.errors)
    return await import_rows(db, person, commission_id, checked.rows, now=now)


async def import_rows(
    db: AsyncSession, person: Person | None, commission_id: int, rows: list[CsvRow], *, now: datetime
) -> Imported:
    """Add or update the checked rows in bulk: a few statements per batch, not several per row, so
    that a 1,000-row plan holds the database for a fraction of a second."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    existing = {
        a.code: a
        for a in (await db.exec(select(Agreement).where(Agreement.commission_id == commission_id))).all()
    }
    fresh = [r for r in rows if not (r.code and r.code in existing)]
    codes = await _codes(db, actor.commission, fresh, now)
    result, changes = Imported(), list[Change]()
    new_by_seat: dict[int, int] = {}
    for batch in _batches(fresh):
        values = [_new_values(commission_id, row, codes[row.line], actor.person, now) for row in batch]
        ids = (await db.exec(_INSERT_AGREEMENTS, params=values)).scalars().all()
        links, events = [], []
        for added, agreement_id, row in zip(values, ids, batch, strict=True):
            links += [{"agreement_id": agreement_id, "seat_id": s} for s in row.seat_ids]
            events.append(_imported_event(agreement_id, added, actor.person, now))
            for seat_id in row.seat_ids:
                new_by_seat[seat_id] = new_by_seat.get(seat_id, 0) + 1
            after = {f: jsonable(added[f]) for f in AUDITED_FIELDS} | {"seat_ids": row.seat_ids}
            changes.append(Change("agreement.imported", "agreement", agreement_id, after=after))
        await db.exec(insert(SEATS), params=links)
        await db.exec(insert(EVENTS), params=events)
        result.created += len(batch)
    known = [r for r in rows if r.code and r.code in existing]
    seats = await _seats_of([existing[r.code or ""].id or 0 for r in known], db)
    for row in known:
        agreement = existing[row.code or ""]
        change = await _update(db, agreement, row, seats.get(agreement.id or 0, []), actor.person, now)
        result.updated += change is not None
        result.unchanged += change is None
        changes += [change] if change else []
    await record_many(db, commission_id, actor.person, changes, now=now)
    result.notices = await _tell_liaisons(db, commission_id, new_by_seat)
    return result


def _batches(rows: list[CsvRow]) -> list[list[CsvRow]]:
    return [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]


async def _codes(
    db: AsyncSession, commission: Commission, rows: list[CsvRow], now: datetime
) -> dict[int, tuple[int, int, str]]:
    """(year, seq, code) for each new row, by line: its own code, else the next free number."""
    assert commission.id is not None
    year = lima_date(now).year
    await lock_chain(db, commission.id)  # numbering, as next_code does
    query = select(func.max(Agreement.seq)).where(
        Agreement.commission_id == commission.id, Agreement.year == year
    )
    seq = max([int((await db.exec(query)).one() or 0)] + [r.seq or 0 for r in rows if r.year == year])
    codes: dict[int, tuple[int, int, str]] = {}
    for row in rows:
        if row.code is not None and row.year is not None and row.seq is not None:
            codes[row.line] = (row.year, row.seq, row.code)
        else:
            seq += 1
            codes[row.line] = (year, seq, format_code(commission.code, year, seq))
    return codes


def _new_values(
    commission_id: int, row: CsvRow, code: tuple[int, int, str], person: Person, now: datetime
) -> dict[str, Any]:
    """A new agreement's row, as plain values: a thousand ORM objects cost more than the insert."""
    year, seq, text_code = code
    closed = row.status in (AgreementStatus.DONE, AgreementStatus.CANCELLED)
    return {
        "commission_id": commission_id,
        "code": text_code,
        "year": year,
        "seq": seq,
        "text": row.text,
        "indicator": row.indicator,
        "origin_session_id": None,
        "origin_item_position": None,
        "origin_label": row.origin,
        "status": row.status,
        "progress": row.progress,
        "original_deadline": row.original_deadline,
        "deadline": row.deadline,
        "cancel_reason": row.cancel_reason,
        "flagged_for_can_at": None,
        "created_by_id": person.id,
        "created_at": now,
        "updated_at": now,
        "closed_at": now if closed else None,
    }


def _imported_event(
    agreement_id: int, values: dict[str, Any], person: Person, now: datetime
) -> dict[str, Any]:
    return {
        "agreement_id": agreement_id,
        "at": now,
        "actor_id": person.id,
        "kind": AgreementEventKind.IMPORTED,
        "status": values["status"],
        "progress": values["progress"],
        "new_deadline": values["deadline"],
    }


async def _seats_of(agreement_ids: list[int], db: AsyncSession) -> dict[int, list[int]]:
    seats: dict[int, list[int]] = {}
    if agreement_ids:
        query = select(AgreementSeat).where(col(AgreementSeat.agreement_id).in_(agreement_ids))
        for link in (await db.exec(query)).all():
            seats.setdefault(link.agreement_id, []).append(link.seat_id)
    return seats


async def _tell_liaisons(db: AsyncSession, commission_id: int, new_by_seat: dict[int, int]) -> list[Notice]:
    names = await seat_names(db, list(new_by_seat))
    return [
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
        for person_id, seat_id in await seat_people(db, list(new_by_seat), Role.LIAISON)
    ]


async def _update(
    db: AsyncSession, agreement: Agreement, row: CsvRow, old_seats: list[int], person: Person, now: datetime
) -> Change | None:
    """Apply a known code's row; its audit entry (none when nothing changed)."""
    assert agreement.id is not None
    before = snapshot(agreement, *AUDITED_FIELDS)
    old_deadline = agreement.deadline
    apply_row(agreement, row)
    after = snapshot(agreement, *AUDITED_FIELDS)
    if after == before and sorted(old_seats) == sorted(row.seat_ids):
        return None
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
    return Change(
        "agreement.imported_update",
        "agreement",
        agreement.id,
        before=before | {"seat_ids": old_seats},
        after=after | {"seat_ids": row.seat_ids},
    )
