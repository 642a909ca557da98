"""Passwordless web login: `/panel` in the chat gives a one-time link; opening it starts a browser
session (a cookie). Only SHA-256 hashes are stored, as for invitations; a link works once, for
`LINK_MINUTES`, and only for someone the gate lets see the dashboard.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.errors import AccessDenied
from bot.workflows.membership.invitations import hash_token
from bot.workflows.portal.dashboard import Viewer, dashboard_viewer
from db.models import Person, WebToken

LINK_MINUTES = 10
SESSION_HOURS = 12
LINK, SESSION = "link", "session"


@dataclass(frozen=True)
class LoginLink:
    token: str
    expires_at: datetime
    viewer: Viewer


async def issue_login_link(db: AsyncSession, person: Person | None, *, now: datetime) -> LoginLink:
    """A one-time dashboard link for the person (refused unless the gate lets them see it)."""
    viewer = await dashboard_viewer(db, person)
    token = secrets.token_urlsafe(24)  # 192 bits, like invitations
    expires = now + timedelta(minutes=LINK_MINUTES)
    assert viewer.person.id is not None
    db.add(
        WebToken(
            token_hash=hash_token(token),
            kind=LINK,
            person_id=viewer.person.id,
            created_at=now,
            expires_at=expires,
        )
    )
    await db.flush()
    return LoginLink(token, expires, viewer)


async def _live(db: AsyncSession, token: str, kind: str, now: datetime) -> WebToken | None:
    if not token or len(token) > 64:
        return None
    row = (
        await db.exec(select(WebToken).where(WebToken.token_hash == hash_token(token), WebToken.kind == kind))
    ).first()
    if row is None or row.expires_at <= now or row.used_at is not None:
        return None
    return row


async def open_session(db: AsyncSession, token: str, *, now: datetime) -> str:
    """Spend a login link; the new session's secret (for the cookie)."""
    link = await _live(db, token, LINK, now)
    if link is None:
        raise AccessDenied(msg("Este enlace ya se usó o venció. Pida otro con /panel en el bot."))
    link.used_at = now
    db.add(link)
    session = secrets.token_urlsafe(32)
    db.add(
        WebToken(
            token_hash=hash_token(session),
            kind=SESSION,
            person_id=link.person_id,
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    await db.flush()
    return session


async def session_person(db: AsyncSession, token: str | None, *, now: datetime) -> Person | None:
    """Whose browser session this cookie is (None: none, expired or closed)."""
    row = await _live(db, token or "", SESSION, now)
    if row is None:
        return None
    person = await db.get(Person, row.person_id)
    return person if person is not None and person.erased_at is None else None


async def close_session(db: AsyncSession, token: str | None, *, now: datetime) -> None:
    row = await _live(db, token or "", SESSION, now)
    if row is not None:
        row.used_at = now
        db.add(row)


async def forget_web_tokens(db: AsyncSession, *, before: datetime) -> int:
    """Expired links and sessions (housekeeping may call it)."""
    rows = (await db.exec(select(WebToken).where(col(WebToken.expires_at) < before))).all()
    for row in rows:
        await db.delete(row)
    return len(rows)
