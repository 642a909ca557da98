"""Periodic upkeep run by the scheduler leader: nothing here depends on when it last ran."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.membership.invitations import ATTEMPT_WINDOW, forget_attempts
from bot.workflows.outbox import forget_sent
from bot.workflows.processed_updates import forget_processed_updates
from bot.workflows.screens import LIVE_FOR, forget_screens
from bot.workflows.translations.copies import forget_copies

# Telegram redelivers within hours at most; a week is ample to recognise a repeated update.
KEEP_UPDATE_IDS = timedelta(days=7)
# Sent messages stay for a month so a secretary can ask "did Juan get the convocation?".
KEEP_SENT = timedelta(days=30)
# «Ver en español» and «⚑» work on a notice for three months; older copies are dropped.
KEEP_NOTICE_COPIES = timedelta(days=90)


@dataclass(frozen=True)
class Upkeep:
    forgotten_updates: int
    purged_messages: int


async def tidy_up(db: AsyncSession, *, now: datetime) -> Upkeep:
    forgotten = await forget_processed_updates(db, before=now - KEEP_UPDATE_IDS)
    await forget_attempts(db, before=now - ATTEMPT_WINDOW)
    purged = await forget_sent(db, before=now - KEEP_SENT)
    await forget_screens(db, before=now - LIVE_FOR)
    await forget_copies(db, before=now - KEEP_NOTICE_COPIES)
    return Upkeep(forgotten, purged)
