"""The run-once guard for scheduled work: a reminder, an alert, a warning is sent at most once.

Each feature keeps a table of what it sent, whose unique constraint names what "the same" means
(a step about one agreement's deadline for one person, a session reminder's key, …). `claim_once`
writes such a row if none with that key exists: True means this run does the work. The insert runs
in a savepoint, so a concurrent tick that got there first makes it False instead of failing the
whole transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


def _key_columns(model: type[SQLModel]) -> tuple[str, ...]:
    """The columns of the table's one unique constraint (the guard's key)."""
    table: Any = model.__table__  # type: ignore[attr-defined]
    keys = [tuple(c.name for c in uc.columns) for uc in table.constraints if isinstance(uc, UniqueConstraint)]
    assert len(keys) == 1, f"{table.name} needs exactly one unique constraint to guard with"
    return keys[0]


async def claim_once(db: AsyncSession, row: SQLModel) -> bool:
    """Record `row` unless one with the same unique key exists: True the first time only."""
    model = type(row)
    key = [getattr(model, name) == getattr(row, name) for name in _key_columns(model)]
    if (await db.exec(select(model).where(*key))).first() is not None:
        return False
    try:
        async with db.begin_nested():
            db.add(row)
    except IntegrityError:
        return False
    return True
