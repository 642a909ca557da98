"""The dashboard as a Telegram Mini App: Telegram signs the `initData` it hands the page with a key
derived from the bot token; a valid, fresh signature names the Telegram account, which opens a
browser session like a `/panel` link does (and for the same people: the gate decides).

https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.errors import AccessDenied
from bot.workflows.portal.login import issue_login_link, open_session
from db.models import Person

MAX_AGE = timedelta(hours=1)  # initData older than this is refused (a replayed copy)
MAX_LENGTH = 4096


def _refused() -> AccessDenied:
    return AccessDenied(
        msg("No se pudo verificar su acceso desde Telegram. Abra el panel otra vez desde el bot.")
    )


def verify_init_data(init_data: str, bot_token: str, *, now: datetime) -> int:
    """The Telegram user id `init_data` vouches for, or AccessDenied (forged, altered, stale)."""
    if not init_data or len(init_data) > MAX_LENGTH:
        raise _refused()
    fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=False))
    received = fields.pop("hash", "")
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received):
        raise _refused()
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
        user_id = int(json.loads(fields["user"])["id"])
    except (KeyError, ValueError, TypeError):
        raise _refused() from None
    if not now - MAX_AGE <= signed_at <= now + timedelta(minutes=5):
        raise _refused()
    return user_id


async def open_miniapp_session(db: AsyncSession, init_data: str, bot_token: str, *, now: datetime) -> str:
    """A browser session for the person Telegram vouches for, if the gate lets them see the panel."""
    telegram_id = verify_init_data(init_data, bot_token, now=now)
    person = (await db.exec(select(Person).where(Person.telegram_id == telegram_id))).first()
    link = await issue_login_link(db, person, now=now)  # the gate: refused as /panel would be
    return await open_session(db, link.token, now=now)
