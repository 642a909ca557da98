"""Delivery of notices to people, each rendered in the recipient's own language.

Notices are collected during an update and sent only after its transaction commits, so nobody is
told about a change that was rolled back. (A persistent, paced outbox replaces this sender when
the delivery issue lands.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.notices import Notice
from db.models import Person

log = logging.getLogger(__name__)


class Batch(list[Notice]):
    """Notices produced while handling one update."""


class Delivery:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> None:
        self.sessionmaker = sessionmaker
        self.catalogs = catalogs

    def new_batch(self) -> Batch:
        return Batch()

    async def send(self, bot: Bot, notices: Iterable[Notice]) -> None:
        notices = list(notices)
        if not notices:
            return
        async with self.sessionmaker() as db:
            ids = {n.person_id for n in notices}
            people = {p.id: p for p in (await db.exec(select(Person).where(col(Person.id).in_(ids)))).all()}
        for notice in notices:
            person = people.get(notice.person_id)
            if person is None or person.telegram_id is None:
                log.warning("notice for person %s dropped: no Telegram account", notice.person_id)
                continue
            text = self.catalogs.translator(person.language).render(notice.text)
            try:
                await bot.send_message(person.telegram_id, text)
            except TelegramAPIError:
                log.exception("could not deliver a notice to person %s", notice.person_id)
