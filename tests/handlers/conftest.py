from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation
from db.models import Role
from tests.conftest import NOW
from tests.harness import Harness, make_harness

Invite = Callable[..., Awaitable[str]]


@pytest.fixture
def harness(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> Harness:
    return make_harness(sessionmaker, catalogs)


@pytest.fixture
def invite(sessionmaker: async_sessionmaker[AsyncSession]) -> Invite:
    """Create the commission if needed and return a fresh invitation token, as the CLI would."""

    async def make(code: str, role: Role, org: str | None = None, name: str | None = None) -> str:
        async with sessionmaker() as db, db.begin():
            commission, _ = await create_commission(db, code, now=NOW)
            # Valid for years: handler tests that do not freeze the clock redeem it at today's date.
            issued = await issue_invitation(
                db, commission, role, now=NOW, institution=org, invitee_name=name, valid_days=3650
            )
            return issued.token

    return make
