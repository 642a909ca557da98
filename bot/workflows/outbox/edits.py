"""Outbox rows that change a message already sent instead of adding one: a screen edited in place
(editMessageText), its keyboard replaced (editMessageReplyMarkup), a message removed
(deleteMessage). They are rows like any other: durable, in order within their chat, retried.

A row with a `coalesce_key` supersedes the pending row of its chat with the same key, so a tally
that many votes refresh has at most one edit waiting (the newest), sent when its pace allows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.outbox import OUTBOX, enqueue_text
from bot.workflows.outbox.parts import split_text
from db.models import OutboxStatus, Priority

EDIT_TEXT, EDIT_MARKUP, DELETE = "editMessageText", "editMessageReplyMarkup", "deleteMessage"

_INSERT_ROW = insert(OUTBOX).returning(OUTBOX.c.id)
_COALESCE = (
    update(OUTBOX)
    .where(
        OUTBOX.c.chat_id == bindparam("to_chat"),
        OUTBOX.c.coalesce_key == bindparam("key"),
        OUTBOX.c.status == OutboxStatus.PENDING,
    )
    .values(payload=bindparam("new_payload"), method=bindparam("new_method"))
    .returning(OUTBOX.c.id)
)


async def _queue(
    db: AsyncSession,
    chat_id: int,
    method: str,
    payload: dict[str, Any],
    *,
    now: datetime,
    priority: Priority,
    coalesce_key: str | None = None,
    not_before: datetime | None = None,
) -> int:
    if coalesce_key is not None:
        params = {"to_chat": chat_id, "key": coalesce_key, "new_payload": payload, "new_method": method}
        pending = (await db.exec(_COALESCE, params=params)).scalars().first()
        if pending is not None:
            return int(pending)  # the waiting row now carries the newest content; it keeps its turn
    values = {
        "chat_id": chat_id,
        "method": method,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "report_failure": False,  # the message it changes was delivered; nobody to warn
        "priority": priority,
        "not_before": not_before or now,
        "created_at": now,
        "coalesce_key": coalesce_key,
    }
    return int((await db.exec(_INSERT_ROW, params=values)).scalars().one())


async def enqueue_edit(
    db: AsyncSession,
    chat_id: int,
    message_id: int | None,
    text: str,
    *,
    now: datetime,
    of_row: int | None = None,
    reply_markup: dict[str, Any] | None = None,
    screen: str | None = None,
    priority: Priority = Priority.REPLY,
    coalesce_key: str | None = None,
    not_before: datetime | None = None,
) -> list[int]:
    """Queue an edit of a message's text (and keyboard: without one, the keyboard goes). A text
    over Telegram's limit edits the message with its first part and sends the rest after it, the
    keyboard with the last. `screen` names what the message shows then (bot/workflows/screens.py).
    If the message is gone when the edit is sent, the text is sent as a new message.

    `of_row` instead of `message_id`: the message an earlier row of this chat sends (a status
    message queued a moment ago), whose id Telegram gives only when it is sent."""
    if (message_id is None) == (of_row is None):
        raise ValueError("give either the message id or the row that sends the message")
    first, *rest = split_text(text)
    target = {"message_id": message_id} if of_row is None else {"of_row": of_row}
    payload: dict[str, Any] = {**target, "text": first}
    if not rest:
        if reply_markup is not None:
            payload["reply_markup"] = reply_markup
        if screen is not None:
            payload["screen"] = screen
    ids = [
        await _queue(
            db,
            chat_id,
            EDIT_TEXT,
            payload,
            now=now,
            priority=priority,
            coalesce_key=coalesce_key,
            not_before=not_before,
        )
    ]
    if rest:
        ids += await enqueue_text(
            db,
            chat_id,
            "\n".join(rest),
            now=now,
            reply_markup=reply_markup,
            report_failure=False,
            priority=priority,
            screen=screen,
        )
    return ids


async def enqueue_text_once(
    db: AsyncSession, chat_id: int, text: str, *, now: datetime, key: str, priority: Priority = Priority.REPLY
) -> int:
    """Queue a short text that replaces its own copy still waiting in the chat (`key`): however
    often it is said meanwhile, one waits at most (e.g. «you are going too fast»)."""
    return await _queue(
        db, chat_id, "sendMessage", {"text": text}, now=now, priority=priority, coalesce_key=key
    )


async def enqueue_markup_edit(
    db: AsyncSession,
    chat_id: int,
    message_id: int,
    *,
    now: datetime,
    reply_markup: dict[str, Any] | None = None,
    priority: Priority = Priority.REPLY,
) -> int:
    """Queue a change of a message's keyboard only (none: the keyboard is removed)."""
    payload: dict[str, Any] = {"message_id": message_id}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup
    return await _queue(db, chat_id, EDIT_MARKUP, payload, now=now, priority=priority)


async def enqueue_delete(
    db: AsyncSession, chat_id: int, message_id: int, *, now: datetime, priority: Priority = Priority.REPLY
) -> int:
    """Queue the removal of a message (a screen replaced by a newer one)."""
    return await _queue(db, chat_id, DELETE, {"message_id": message_id}, now=now, priority=priority)
