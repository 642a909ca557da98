"""Incoming updates handled once: Telegram may deliver an update again (getUpdates before the
offset moved on, a webhook retried on a non-2xx answer), so each update id is recorded in the
transaction that handles it; a redelivery finds it and acts on nothing."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import dialect_of
from db.models import ProcessedUpdate


@functools.cache
def _record_update_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING into the table (not through the ORM), built once."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = SQLModel.metadata.tables[ProcessedUpdate.__tablename__]
    values: dict[str, Any] = {"update_id": bindparam("update_id"), "processed_at": bindparam("processed_at")}
    return insert(table).values(values).on_conflict_do_nothing()


async def first_time_seen(db: AsyncSession, update_id: int, *, now: datetime) -> bool:
    """Record an update id; False if it was already handled (redelivery, webhook retry)."""
    statement = _record_update_statement(dialect_of(db))
    result = await db.exec(statement, params={"update_id": update_id, "processed_at": now})
    return bool(result.rowcount)


async def forget_processed_updates(db: AsyncSession, *, before: datetime) -> int:
    result = await db.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before))
    return int(result.rowcount or 0)
