"""The audit trail: every change, appended and hash-chained per commission.

Each entry's digest covers its own fields and the previous entry's digest, so editing a row
changes its digest and deleting one leaves a gap: `verify_chain` reports the first broken link of
each commission (`cra-bot audit verify`). Workflows call `audited(...)` (a short form of `record`)
in the same transaction as the change itself.

A chain alone cannot show that its newest entries were deleted (what remains is a valid, shorter
chain). So once a day `write_checkpoints` records each chain's head (length and newest digest) in
`audit_checkpoint`, which no commission action writes, and the scheduler sends those heads to the
CAN analysts (bot/workflows/reports/checkpoints.py); `verify_chain` compares each chain with its
latest checkpoint and with any head given to it (`cra-bot audit verify --head CUS:42:<digest>`, from
an analyst's copy), so a deletion is caught at the latest at the next checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.business_days import LIMA
from bot.workflows.once import claim_once
from db.engine import dialect_of
from db.models import AuditCheckpoint, AuditEntry, Person

if TYPE_CHECKING:
    from bot.workflows.access import Actor

GENESIS = "0" * 64
# First half of the two-part advisory lock key (pg_advisory_xact_lock(space, commission id)); the
# scheduler's leader lock uses the one-part form, which PostgreSQL keeps apart.
CHAIN_LOCK_SPACE = 0x41554454  # "AUDT"


def jsonable(value: Any) -> Any:
    """A JSON-safe copy (enums by value, dates ISO), so before/after survive any database."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def snapshot(row: object, *fields: str) -> dict[str, Any]:
    return {name: jsonable(getattr(row, name)) for name in fields}


DIGESTED = ("commission_id", "seq", "at", "actor_id", "actor_label", "action", "entity", "entity_id")


def compute_digest(entry: AuditEntry, previous: str) -> str:
    fields = {name: getattr(entry, name) for name in (*DIGESTED, "before", "after")}
    return _digest(fields, previous)


def _digest(entry: Mapping[str, Any], previous: str) -> str:
    body = {
        "commission_id": entry["commission_id"],
        "seq": entry["seq"],
        "at": entry["at"].isoformat(timespec="microseconds"),
        "actor_id": entry["actor_id"],
        "actor_label": entry["actor_label"],
        "action": entry["action"],
        "entity": entry["entity"],
        "entity_id": entry["entity_id"],
        "before": entry["before"],
        "after": entry["after"],
        "previous": previous,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def lock_chain(db: AsyncSession, commission_id: int) -> None:
    """Take the commission's chain lock until the transaction ends (PostgreSQL; SQLite has one
    writer at a time already). Also serialises what is numbered per commission.

    An advisory lock, not `SELECT … FOR UPDATE` on the commission row: that conflicts with the KEY
    SHARE lock every insert referencing the commission takes on its row (a membership, a person's
    active commission, this very entry), so two transactions that had each inserted such a row
    then waited for each other to let go before either could lock the row — a deadlock for nearly
    every one of 100 acceptances at once. The advisory lock conflicts with nothing but itself.
    """
    if dialect_of(db) == "postgresql":
        await db.exec(select(func.pg_advisory_xact_lock(CHAIN_LOCK_SPACE, commission_id)))


async def record(
    db: AsyncSession,
    *,
    commission_id: int,
    actor: Person | None,
    action: str,
    entity: str,
    entity_id: object,
    now: datetime,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the commission's chain (in the caller's transaction, which then holds
    the chain's lock until it ends; a transaction appending to several chains must append in
    ascending commission id, so that two of them never wait for each other's chains)."""
    await lock_chain(db, commission_id)
    last = (
        await db.exec(
            select(AuditEntry)
            .where(AuditEntry.commission_id == commission_id)
            .order_by(col(AuditEntry.seq).desc())
            .limit(1)
        )
    ).first()
    entry = AuditEntry(
        commission_id=commission_id,
        seq=(last.seq + 1) if last else 1,
        at=now,
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.name if actor else "system"),
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        previous_digest=last.digest if last else GENESIS,
        digest="",
    )
    entry.digest = compute_digest(entry, entry.previous_digest)
    db.add(entry)
    await db.flush()
    return entry


@dataclass(frozen=True)
class Change:
    """One entry for `record_many`."""

    action: str
    entity: str
    entity_id: object
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


async def record_many(
    db: AsyncSession, commission_id: int, actor: Person, changes: Sequence[Change], *, now: datetime
) -> None:
    """Append many entries to one chain at once (a bulk import): one lock, one read, one flush."""
    if not changes:
        return
    await lock_chain(db, commission_id)
    last = (
        await db.exec(
            select(AuditEntry)
            .where(AuditEntry.commission_id == commission_id)
            .order_by(col(AuditEntry.seq).desc())
            .limit(1)
        )
    ).first()
    seq, digest = (last.seq, last.digest) if last else (0, GENESIS)
    rows = []
    for change in changes:
        seq += 1
        row: dict[str, Any] = {
            "commission_id": commission_id,
            "seq": seq,
            "at": now,
            "actor_id": actor.id,
            "actor_label": actor.name,
            "action": change.action,
            "entity": change.entity,
            "entity_id": str(change.entity_id),
            "before": jsonable(change.before) if change.before is not None else None,
            "after": jsonable(change.after) if change.after is not None else None,
            "previous_digest": digest,
        }
        row["digest"] = digest = _digest(row, digest)
        rows.append(row)
    # A Core executemany: a thousand ORM entries would cost more than their rows.
    await db.exec(insert(SQLModel.metadata.tables[AuditEntry.__tablename__]), params=rows)


async def audited(
    db: AsyncSession,
    actor: Actor | Person | None,
    commission_id: int,
    action: str,
    entity: str,
    entity_id: object,
    *,
    now: datetime,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Record one audited change: who (the gate's `Actor`, a `Person`, or None for the system), in
    which commission, what was done to which entity, and its state before and after."""
    person = actor if actor is None or isinstance(actor, Person) else actor.person
    return await record(
        db,
        commission_id=commission_id,
        actor=person,
        action=action,
        entity=entity,
        entity_id=entity_id,
        now=now,
        before=before,
        after=after,
        actor_label=actor_label,
    )


@dataclass(frozen=True)
class BrokenLink:
    commission_id: int
    seq: int
    reason: str


@dataclass(frozen=True)
class Head:
    """A chain's length and newest digest: what a checkpoint (or an analyst's copy) vouches for."""

    commission_id: int
    seq: int
    digest: str
    at: datetime | None = None  # when it was taken; None for a head typed in by hand

    def line(self, code: str) -> str:
        """`CUS:42:<digest>`: how notices show it and `audit verify --head` reads it."""
        return f"{code}:{self.seq}:{self.digest}"


CHECKPOINT_HOUR = 7  # Lima: the day's checkpoint is taken at the first tick after 07:00


async def chain_heads(db: AsyncSession) -> list[Head]:
    """The newest entry of every commission's chain."""
    newest = (
        select(AuditEntry.commission_id, func.max(AuditEntry.seq).label("seq"))
        .group_by(col(AuditEntry.commission_id))
        .subquery()
    )
    rows = await db.exec(
        select(AuditEntry.commission_id, AuditEntry.seq, AuditEntry.digest)
        .join(
            newest,
            (col(AuditEntry.commission_id) == newest.c.commission_id) & (col(AuditEntry.seq) == newest.c.seq),
        )
        .order_by(col(AuditEntry.commission_id))
    )
    return [Head(commission_id, seq, digest) for commission_id, seq, digest in rows.all()]


async def latest_checkpoints(db: AsyncSession) -> dict[int, Head]:
    """Each commission's most recent checkpoint."""
    newest = (
        select(AuditCheckpoint.commission_id, func.max(AuditCheckpoint.seq).label("seq"))
        .group_by(col(AuditCheckpoint.commission_id))
        .subquery()
    )
    rows = await db.exec(
        select(AuditCheckpoint).join(
            newest,
            (col(AuditCheckpoint.commission_id) == newest.c.commission_id)
            & (col(AuditCheckpoint.seq) == newest.c.seq),
        )
    )
    return {c.commission_id: Head(c.commission_id, c.seq, c.digest, c.at) for c in rows.all()}


async def write_checkpoints(db: AsyncSession, *, now: datetime) -> list[Head]:
    """Once a day (the first call after `CHECKPOINT_HOUR`, Lima), record the head of every chain
    that changed since its last checkpoint; returns them (to be sent to the CAN analysts). At most
    one batch a day: once one is taken, a chain that changes later that day waits for tomorrow's."""
    local = now.astimezone(LIMA)
    today_at = datetime.combine(local.date(), time(CHECKPOINT_HOUR), tzinfo=LIMA)
    if local < today_at:
        return []
    taken_today = select(AuditCheckpoint.id).where(col(AuditCheckpoint.at) >= today_at).limit(1)
    if (await db.exec(taken_today)).first() is not None:
        return []
    last = await latest_checkpoints(db)
    written = []
    for head in await chain_heads(db):
        previous = last.get(head.commission_id)
        if previous is not None and (previous.seq, previous.digest) == (head.seq, head.digest):
            continue  # unchanged since its last checkpoint
        row = AuditCheckpoint(commission_id=head.commission_id, seq=head.seq, digest=head.digest, at=now)
        if await claim_once(db, row):
            written.append(Head(head.commission_id, head.seq, head.digest, now))
    return written


def _against(head: Head, digests: Mapping[int, str], length: int) -> str | None:
    """Why the chain (its digests by seq, and its length) does not contain `head`, if it does not."""
    when = f"the checkpoint of {head.at:%Y-%m-%d %H:%M} UTC" if head.at else "the head given"
    if length < head.seq:
        return f"entries {length + 1}..{head.seq} are missing (deleted after {when})"
    if digests.get(head.seq) != head.digest:
        return f"differs from {when} (entries replaced)"
    return None


async def verify_chain(db: AsyncSession, heads: Sequence[Head] = ()) -> tuple[int, list[BrokenLink]]:
    """(entries checked, first broken link of each commission whose chain is broken). Besides the
    links, each chain must contain its latest checkpoint and any of `heads` (e.g. from a notice)."""
    broken: list[BrokenLink] = []
    checked = 0
    anchors: dict[int, list[Head]] = {}
    for head in [*(await latest_checkpoints(db)).values(), *heads]:
        anchors.setdefault(head.commission_id, []).append(head)
    commission_ids = set((await db.exec(select(AuditEntry.commission_id).distinct())).all()) | set(anchors)
    for commission_id in sorted(commission_ids):
        previous, expected_seq = GENESIS, 1
        digests: dict[int, str] = {}
        entries = await db.exec(
            select(AuditEntry).where(AuditEntry.commission_id == commission_id).order_by(col(AuditEntry.seq))
        )
        reason = None
        for entry in entries.all():
            checked += 1
            if entry.seq != expected_seq:
                reason = f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)"
            elif entry.previous_digest != previous:
                reason = "does not follow the previous entry (reordered or replaced)"
            elif compute_digest(entry, previous) != entry.digest:
                reason = "its content was changed after it was written"
            if reason:
                broken.append(BrokenLink(commission_id, entry.seq, reason))
                break
            previous, expected_seq = entry.digest, entry.seq + 1
            digests[entry.seq] = entry.digest
        if reason is None:
            for head in sorted(anchors.get(commission_id, []), key=lambda h: h.seq):
                if (why := _against(head, digests, expected_seq - 1)) is not None:
                    broken.append(BrokenLink(commission_id, min(head.seq, expected_seq), why))
                    break
    return checked, broken


async def count_entries(db: AsyncSession, commission_id: int) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.commission_id == commission_id)
    return int((await db.exec(query)).one())


async def read_history(
    db: AsyncSession, person: Person | None, commission_id: int | None, *, limit: int = 15, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """A page of the commission's history, newest first, and the total (secretariat only)."""
    from bot.workflows.access import Action, access_commission

    actor = await access_commission(db, person, commission_id, Action.VIEW_HISTORY)
    assert actor.commission.id is not None
    entries = await db.exec(
        select(AuditEntry)
        .where(AuditEntry.commission_id == actor.commission.id)
        .order_by(col(AuditEntry.seq).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(entries.all()), await count_entries(db, actor.commission.id)


def history_csv(entries: list[AuditEntry]) -> bytes:
    """The whole history as CSV (UTF-8 with BOM, so spreadsheet programs read the accents)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["seq", "at_utc", "actor", "action", "entity", "entity_id", "before", "after", "digest"])
    for e in sorted(entries, key=lambda entry: entry.seq):
        writer.writerow(
            [
                e.seq,
                e.at.isoformat(),
                e.actor_label,
                e.action,
                e.entity,
                e.entity_id,
                json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
                e.digest,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode()
