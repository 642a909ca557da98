"""Who is writing, read once per update: the person together with their commissions and roles.

Nearly every update needs the person (for their language) and then their roles (for the
permission gate). One query reads both, and `serving` gives the gate what it read for as long as
the transaction has written nothing since. Any write — a flush, or an INSERT, UPDATE or DELETE
statement — forgets it, so a check after `redeem_invitation`, a role change or a switch of
commission reads the database again. This saves a query on most updates (benchmarks/updates.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Commission, Membership, Person, Role

Serving = tuple[tuple[Commission, Role], ...]  # in the order the memberships were made

_KEY = "cra.standing"  # in Session.info: (person id, what they serve in)

_PERSON_WITH_COMMISSIONS = (
    select(Person, Commission, Membership.role)
    .outerjoin(Membership, col(Membership.person_id) == Person.id)
    .outerjoin(Commission, col(Commission.id) == Membership.commission_id)
    .where(col(Person.telegram_id) == bindparam("telegram_id"))
    .order_by(col(Membership.id))
)  # built once: it runs for every update
_COMMISSIONS_AND_ROLES = (
    select(Commission, Membership.role)
    .join(Commission, col(Commission.id) == Membership.commission_id)
    .where(col(Membership.person_id) == bindparam("person_id"))
    .order_by(col(Membership.id))
)  # built once: it runs when the transaction has written since the person was read


async def find_person(db: AsyncSession, telegram_id: int) -> Person | None:
    """The person with this Telegram id; their commissions and roles are remembered with them."""
    rows = (await db.exec(_PERSON_WITH_COMMISSIONS, params={"telegram_id": telegram_id})).all()
    if not rows:
        return None
    person = rows[0][0]
    assert person.id is not None
    found = tuple((c, Role(role)) for _, c, role in rows if c is not None and role is not None)
    db.sync_session.info[_KEY] = (person.id, found)
    return person


async def serving(db: AsyncSession, person_id: int) -> Serving:
    """The commissions the person serves in, each with a role: as read, if nothing was written
    since; else from the database (and remembered in turn)."""
    remembered: tuple[int, Serving] | None = db.sync_session.info.get(_KEY)
    if remembered is not None and remembered[0] == person_id:
        return remembered[1]
    rows = (await db.exec(_COMMISSIONS_AND_ROLES, params={"person_id": person_id})).all()
    found = tuple((c, Role(role)) for c, role in rows)
    db.sync_session.info[_KEY] = (person_id, found)
    return found


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_KEY, None)


def _forget_on_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info.pop(_KEY, None)


# On the Session class, so every session (sync, or behind an AsyncSession) obeys the rule.
event.listen(Session, "after_flush", _forget)
event.listen(Session, "after_transaction_end", _forget)
event.listen(Session, "do_orm_execute", _forget_on_write)
