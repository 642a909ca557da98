"""The outbox: every message is a row written in the transaction that caused it.

Rows are rendered and queued by bot/notify.py (notices) and bot/replies.py (replies); a sender
(bot/delivery.py) drains it; every statement that writes this table lives here.

Besides new messages, rows may edit or delete a message already sent (outbox/edits.py).

Rows of one chat go out in order, one at a time: a chat's next row is claimable only when no
earlier row of that chat is pending or being sent. Across chats, replies to the person who just
wrote (`Priority.REPLY`) are claimed before notices, so a reply never waits behind a broadcast to
1,500 people; the global pace is the sender's and stays the same. Claims are leases, so a sender
killed mid-send loses nothing: its lease expires and another sender (or the same one, restarted)
sends the row again — at most that one message twice.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, insert, or_, text, update
from sqlalchemy.orm import aliased
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.notices import Notice
from bot.workflows.outbox.parts import TEXT_LIMIT as TEXT_LIMIT
from bot.workflows.outbox.parts import split_text
from db.engine import dialect_of
from db.models import ChatPace, FileKind, Membership, OutboxMessage, OutboxStatus, Person, Priority, Role
from db.models.delivery import OPEN_ROWS, SEND_FILE

OPEN = (OutboxStatus.PENDING, OutboxStatus.SENDING)
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg")  # our own images: sent with sendPhoto
# Per-chat pace (Telegram: about 1 message a second to a private chat, 20 a minute to a group:
# 3.5 s apart is at most 18 in any minute, with headroom).
PRIVATE_GAP = timedelta(seconds=1)
GROUP_GAP = timedelta(seconds=3.5)


# The statements that run for every reply and every message sent go to the table itself, not
# through the ORM: no objects to build or synchronise, half the cost of the ORM's bulk path
# (benchmarks/updates.py). Built once, with their values bound per call.
OUTBOX = SQLModel.metadata.tables[OutboxMessage.__tablename__]
CHAT_PACE = SQLModel.metadata.tables[ChatPace.__tablename__]
_INSERT_ROWS = insert(OUTBOX).returning(OUTBOX.c.id, sort_by_parameter_order=True)


async def enqueue_text(
    db: AsyncSession,
    chat_id: int,
    text: str,
    *,
    now: datetime,
    reply_markup: dict[str, Any] | None = None,
    person_id: int | None = None,
    commission_id: int | None = None,
    report_failure: bool = True,
    priority: Priority = Priority.NOTICE,
    screen: str | None = None,
) -> list[int]:
    """Queue a text (split if over Telegram's limit; the keyboard goes with the last part, and so
    does `screen`, the name of what that message shows: bot/workflows/screens.py).
    Returns the new rows' ids, in order."""
    parts = split_text(text)
    values: list[dict[str, Any]] = []
    for index, part in enumerate(parts):
        payload: dict[str, Any] = {"text": part}
        if reply_markup is not None and index == len(parts) - 1:
            payload["reply_markup"] = reply_markup
        if screen is not None and index == len(parts) - 1:
            payload["screen"] = screen
        values.append(
            {
                "chat_id": chat_id,
                "person_id": person_id,
                "commission_id": commission_id,
                "method": "sendMessage",
                "payload": payload,
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "report_failure": report_failure,
                "priority": priority,
                "not_before": now,
                "created_at": now,
            }
        )
    params = values[0] if len(values) == 1 else values  # one row: no executemany machinery
    return list((await db.exec(_INSERT_ROWS, params=params)).scalars().all())


async def enqueue_document(
    db: AsyncSession,
    chat_id: int,
    file_name: str,
    content: bytes | None,
    *,
    now: datetime,
    caption: str | None = None,
    file_id: str | None = None,
    person_id: int | None = None,
    commission_id: int | None = None,
    priority: Priority = Priority.NOTICE,
    kind: FileKind = FileKind.DOCUMENT,
) -> OutboxMessage:
    """Queue a file: our own bytes (an .ics, a report), or one Telegram already holds (`file_id`,
    e.g. a photo a liaison sent), forwarded without downloading it by the method of its `kind`. Our
    own images (a report's chart) go as photos, which phones show at once; the rest as documents."""
    if (content is None) == (file_id is None):
        raise ValueError("give either the content or a Telegram file id")
    photo = content is not None and file_name.lower().endswith(PHOTO_SUFFIXES)
    payload: dict[str, Any] = {"file_name": file_name}
    if caption:
        payload["caption"] = caption
    if file_id:
        payload["file_id"] = file_id
    row = OutboxMessage(
        chat_id=chat_id,
        person_id=person_id,
        commission_id=commission_id,
        method=SEND_FILE[FileKind.PHOTO if photo and kind is FileKind.DOCUMENT else kind],
        payload=payload,
        attachment=content,
        priority=priority,
        not_before=now,
        created_at=now,
    )
    db.add(row)
    await db.flush()
    return row


# --- claiming and settling (used by the sender) ------------------------------------------------


@functools.cache
def _claim_statement(dialect: str) -> Any:
    """The claim as one UPDATE … RETURNING, built once per dialect (building it costs more than
    running it); `now`, `lease_until`, `limit` and `max_priority` are bound per call.

    Candidates are read in (priority, id) order through the partial index `ix_outbox_claim`: the
    `status IN (…)` term repeats the index's own condition so that both planners use it (with
    any statuses due, the planner reads at most the open rows, never the sent ones)."""
    earlier = aliased(OutboxMessage)
    now: Any = bindparam("now")
    blocked_by_earlier = exists().where(
        col(earlier.chat_id) == col(OutboxMessage.chat_id),
        col(earlier.id) < col(OutboxMessage.id),
        col(earlier.status).in_(OPEN),
    )
    paced = exists().where(col(ChatPace.chat_id) == col(OutboxMessage.chat_id), col(ChatPace.next_at) > now)
    due = or_(
        and_(col(OutboxMessage.status) == OutboxStatus.PENDING, col(OutboxMessage.not_before) <= now),
        and_(col(OutboxMessage.status) == OutboxStatus.SENDING, col(OutboxMessage.lease_until) <= now),
    )
    candidates = (
        select(OutboxMessage.id)
        .where(
            text(OPEN_ROWS),  # literally the index's condition: a bound IN (?, ?) would not match it
            col(OutboxMessage.priority) <= bindparam("max_priority"),
            due,
            ~blocked_by_earlier,
            ~paced,
        )
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
        .limit(bindparam("limit"))
    )
    if dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    return (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(candidates.scalar_subquery()))
        .values(
            status=OutboxStatus.SENDING,
            lease_until=bindparam("lease_until"),
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )


async def claim_due(
    db: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int = 20,
    max_priority: Priority = Priority.NOTICE,
) -> list[OutboxMessage]:
    """Lease the next due row of up to `limit` chats (the oldest open row of each chat only),
    replies first, then oldest first; `max_priority=Priority.REPLY` takes replies only (the
    default, the lowest priority, takes everything).

    One UPDATE … RETURNING: on SQLite it takes the write lock at once (no read-then-write race);
    on PostgreSQL the candidate rows are locked with SKIP LOCKED, so concurrent senders never
    take the same row.
    """
    statement = _claim_statement(dialect_of(db))
    params = {"now": now, "lease_until": now + lease, "limit": limit, "max_priority": max_priority}
    rows = list((await db.exec(statement, params=params)).scalars().all())
    return sorted(rows, key=lambda row: (row.priority, row.id or 0))


async def message_id_of(db: AsyncSession, row_id: int) -> int | None:
    """The Telegram id of the message a row sent (None if it was not sent)."""
    row = await db.get(OutboxMessage, row_id)
    return row.telegram_message_id if row is not None and row.status == OutboxStatus.SENT else None


async def count_open(db: AsyncSession) -> int:
    """Rows not yet settled (pending or being sent)."""
    query = select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status).in_(OPEN))
    return int((await db.exec(query)).one())


_MARK_SENT = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"))
    .values(
        status=OutboxStatus.SENT,
        sent_at=bindparam("now"),
        lease_until=None,
        telegram_message_id=bindparam("message_id"),
    )
)  # on the table, built once: it runs for every message sent


async def mark_sent(db: AsyncSession, row_id: int, *, now: datetime, message_id: int | None) -> None:
    await db.exec(_MARK_SENT, params={"row_id": row_id, "now": now, "message_id": message_id})


@functools.cache
def _pace_statement(dialect: str) -> Any:
    """Upsert of a chat's next slot, built once per dialect (both speak ON CONFLICT)."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_into(CHAT_PACE).values(chat_id=bindparam("to_chat"), next_at=bindparam("until"))
    return statement.on_conflict_do_update(
        index_elements=[CHAT_PACE.c.chat_id], set_={"next_at": statement.excluded.next_at}
    )


async def space_next(db: AsyncSession, chat_id: int, *, now: datetime) -> None:
    """Per-chat pace in the database: the chat's next message, queued already or later, waits 1 s
    (private) or 3.5 s (group), in every sender process."""
    gap = PRIVATE_GAP if chat_id > 0 else GROUP_GAP
    await db.exec(_pace_statement(dialect_of(db)), params={"to_chat": chat_id, "until": now + gap})


_RELEASE = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"), OUTBOX.c.status == OutboxStatus.SENDING)
    .values(status=OutboxStatus.PENDING, lease_until=None, attempts=bindparam("previous_attempts"))
)  # on the table, built once, like the other statements a sender runs per row


async def release(db: AsyncSession, row: OutboxMessage) -> None:
    """Give back a claimed row not yet sent (shutting down), so nobody waits for its lease."""
    params = {"row_id": row.id, "previous_attempts": row.attempts - 1}
    await db.exec(_RELEASE, params=params)


async def postpone(db: AsyncSession, row_id: int, *, until: datetime, error: str) -> None:
    """Back to pending until `until` (429's retry_after, or a backoff after a 5xx)."""
    await db.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .values(status=OutboxStatus.PENDING, not_before=until, lease_until=None, last_error=error[:500])
    )


def backoff(
    attempts: int, *, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None
) -> timedelta:
    """Exponential backoff with full jitter: uniform in [base, min(cap, base·2^attempts)]."""
    ceiling = min(cap, base * 2 ** max(attempts, 0))
    return timedelta(seconds=(rng or random).uniform(base, max(base, ceiling)))


@dataclass(frozen=True)
class Settled:
    """What happened to a row that will not be sent, and who must be told."""

    row: OutboxMessage
    notices: list[Notice]


async def _secretaries(db: AsyncSession, commission_ids: Sequence[int]) -> list[tuple[int, int]]:
    rows = await db.exec(
        select(Membership.person_id, Membership.commission_id).where(
            col(Membership.commission_id).in_(commission_ids), Membership.role == Role.SECRETARY
        )
    )
    return list(rows.all())


async def give_up(db: AsyncSession, row: OutboxMessage, *, now: datetime, error: str) -> Settled:
    """Stop retrying a row; its commission's secretariat is told who missed a message."""
    row.status = OutboxStatus.FAILED
    row.lease_until = None
    row.last_error = error[:500]
    db.add(row)
    notices: list[Notice] = []
    person = await db.get(Person, row.person_id) if row.person_id else None
    if row.report_failure and person is not None and row.commission_id is not None:
        for secretary_id, commission_id in await _secretaries(db, [row.commission_id]):
            if secretary_id != person.id:
                notices.append(
                    Notice(
                        secretary_id,
                        msg(
                            "No pude entregar un mensaje a {name} después de varios intentos. "
                            "Avísele por otro medio.",
                            name=person.name,
                        ),
                        commission_id,
                    )
                )
    await db.flush()
    return Settled(row, notices)


async def mark_unreachable(db: AsyncSession, row: OutboxMessage, *, now: datetime, error: str) -> Settled:
    """Telegram said 403 for this row: the chat is unreachable."""
    return Settled(row, await chat_unreachable(db, row.chat_id, now=now, error=error))


async def chat_unreachable(db: AsyncSession, chat_id: int, *, now: datetime, error: str) -> list[Notice]:
    """Stop writing to a chat (blocked bot, deleted account): drop its queue, and tell each of
    the person's secretariats once, so they reach the person another way."""
    await db.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.chat_id) == chat_id, col(OutboxMessage.status).in_(OPEN))
        .values(status=OutboxStatus.DROPPED, lease_until=None, last_error=error[:500])
    )
    notices: list[Notice] = []
    person = (await db.exec(select(Person).where(Person.telegram_id == chat_id))).first()
    if person is not None and person.unreachable_at is None:
        person.unreachable_at = now
        db.add(person)
        memberships = (await db.exec(select(Membership).where(Membership.person_id == person.id))).all()
        roles = {m.commission_id: m.role for m in memberships}
        for secretary_id, commission_id in await _secretaries(db, list(roles)):
            if secretary_id != person.id:
                notices.append(
                    Notice(
                        secretary_id,
                        msg(
                            "{name} ({role}) ya no recibe mis mensajes: bloqueó el bot o cerró su "
                            "cuenta de Telegram. Pídale que abra el chat y escriba /start.",
                            name=person.name,
                            role=ROLE_LABELS[roles[commission_id]],
                        ),
                        commission_id,
                    )
                )
    await db.flush()
    return notices


async def mark_reachable(db: AsyncSession, person: Person) -> None:
    """The person wrote to the bot again, so Telegram will deliver to them."""
    if person.unreachable_at is not None:
        person.unreachable_at = None
        db.add(person)
        await db.flush()


# --- forgetting ---------------------------------------------------------------------------------


async def forget_sent(db: AsyncSession, *, before: datetime) -> int:
    """Drop rows sent before `before` (kept a while so a secretary can check a delivery)."""
    result = await db.exec(
        delete(OutboxMessage).where(
            col(OutboxMessage.status) == OutboxStatus.SENT, col(OutboxMessage.sent_at) < before
        )
    )
    return int(result.rowcount or 0)


async def forget_chat(db: AsyncSession, chat_id: int) -> None:
    """Drop every row to a chat, sent or not (a person's data erased)."""
    await db.exec(delete(OutboxMessage).where(col(OutboxMessage.chat_id) == chat_id))
    await db.exec(delete(ChatPace).where(col(ChatPace.chat_id) == chat_id))
