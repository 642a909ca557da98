"""Delivery tables: the outbox and the ids of updates already handled."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, SmallInteger, Text, text
from sqlmodel import Field, SQLModel

from db.models.core import _fk, utcnow
from db.types import StrEnumType, UTCDateTime


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; its lease says until when
    SENT = "sent"
    FAILED = "failed"  # gave up after retries, or Telegram refused the request itself
    DROPPED = "dropped"  # recipient unreachable (403)


class Priority(IntEnum):
    """Which due rows a sender takes first (lower first); within a chat, rows still go in order."""

    REPLY = 0  # to the person who just wrote: never waits behind a broadcast
    NOTICE = 1  # notices, broadcasts, digests


class FileKind(StrEnum):
    """What a Telegram file is: each kind is sent back with its own method (sendPhoto, sendVoice…),
    since Telegram refuses a photo's or a voice note's file id in sendDocument."""

    DOCUMENT = "document"
    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"


# The Bot API method that sends each kind of file: sendDocument, sendPhoto, sendVoice…
SEND_FILE = {kind: "send" + kind.value.title() for kind in FileKind}


# The rows a sender may still claim: the claim's partial index covers only these (both dialects).
OPEN_ROWS = "status IN ('pending', 'sending')"


class OutboxMessage(SQLModel, table=True):
    """One message to deliver, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_chat_pending", "chat_id", "status", "id"),
        # The claim reads open rows in (priority, id) order: sent rows, however many, are not in it.
        Index(
            "ix_outbox_claim",
            "priority",
            "id",
            postgresql_where=text(OPEN_ROWS),
            sqlite_where=text(OPEN_ROWS),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    person_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    # Whose secretariat hears about it if this message cannot be delivered.
    commission_id: int | None = Field(default=None, sa_column=_fk("commission.id", nullable=True))
    # sendMessage, sendDocument, sendPhoto, sendVoice…; editMessageText, editMessageReplyMarkup, deleteMessage
    method: str = Field(max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=StrEnumType(OutboxStatus, 16))
    priority: int = Field(
        default=Priority.NOTICE,
        sa_column=Column(SmallInteger, nullable=False, server_default=str(int(Priority.NOTICE))),
    )
    attempts: int = 0
    # Failure notices about failure notices would loop; they are never reported themselves.
    report_failure: bool = True
    not_before: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    telegram_message_id: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    # Rows that supersede each other while pending (a live tally's edit): a new one replaces the
    # pending one with the same key in the same chat instead of queueing another.
    coalesce_key: str | None = Field(default=None, max_length=64)


class ChatPace(SQLModel, table=True):
    """When each chat may get its next message (1 s after the last to a private chat, more in a
    group), written as each is sent: a row queued later waits for it too, in every process."""

    __tablename__ = "chat_pace"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    next_at: datetime = Field(sa_type=UTCDateTime)


class LiveScreen(SQLModel, table=True):
    """A message that shows a screen which updates in place (a roll call, a vote tally, a page of a
    list): which screen each message of a chat shows now. Only the newest message of a screen in a
    chat is live; a button pressed on an older one acts on nothing (its state moved on)."""

    __tablename__ = "live_screen"
    __table_args__ = (
        Index("ux_live_screen_message", "chat_id", "message_id", unique=True),
        Index("ix_live_screen_key", "screen_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int
    screen_key: str = Field(max_length=64)  # e.g. "tally:12", "roll:3", "agreements"
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled: a redelivered update has its effect once."""

    __tablename__ = "processed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = Field(sa_type=UTCDateTime, index=True)
