"""Telegram tells us when a person blocks or unblocks the bot (my_chat_member, private chats)."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import PRIVATE
from bot.workflows.notices import Notice
from bot.workflows.outbox import chat_unreachable, mark_reachable
from db.models import Person


async def blocked(event: ChatMemberUpdated, db: AsyncSession, now: datetime, outbox: list[Notice]) -> None:
    outbox.extend(await chat_unreachable(db, event.chat.id, now=now, error="blocked the bot"))


async def unblocked(event: ChatMemberUpdated, db: AsyncSession, person: Person | None) -> None:
    if person is not None:
        await mark_reachable(db, person)


def router() -> Router:
    r = Router(name="chat_member")
    r.my_chat_member.filter(PRIVATE)
    r.my_chat_member.register(blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    r.my_chat_member.register(unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return r
