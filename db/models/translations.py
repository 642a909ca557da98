"""Translation review in the chat: reviewers per language, copies of the notices sent to readers of
other languages (for «Ver en español» and «⚑»), readers' reports, and the reviewers' changes (an
append-only trail whose newest correction per string is the overlay the bot renders with)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import _fk, utcnow
from db.types import UTCDateTime

__all__ = ["NoticeCopy", "TranslationChange", "TranslationReport", "TranslatorGrant"]


class TranslatorGrant(SQLModel, table=True):
    """A person who may review one language (granted by the administrator's CLI). It is no
    commission role: it opens /traducir for that language and nothing else."""

    __tablename__ = "translator_grant"
    __table_args__ = (UniqueConstraint("person_id", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=_fk("person.id", ondelete="CASCADE"))
    language: str = Field(max_length=8)
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NoticeCopy(SQLModel, table=True):
    """A notice as sent to a reader of another language: its message id (what «⚑» reports) and
    its Spanish rendering (what «Ver en español» shows: the authoritative text)."""

    __tablename__ = "notice_copy"
    __table_args__ = (Index("ix_notice_copy_language_msgid", "language", "msgid"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=_fk("person.id", ondelete="CASCADE"))
    language: str = Field(max_length=8)
    msgid: str = Field(sa_column=Column(Text, nullable=False))
    spanish: str = Field(sa_column=Column(Text, nullable=False))
    legal: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TranslationReport(SQLModel, table=True):
    """A reader's «this translation is wrong», with what they suggest; closed by a review."""

    __tablename__ = "translation_report"
    __table_args__ = (Index("ix_translation_report_open", "language", "resolved_at"),)

    id: int | None = Field(default=None, primary_key=True)
    language: str = Field(max_length=8)
    msgid: str = Field(sa_column=Column(Text, nullable=False))
    shown: str = Field(sa_column=Column(Text, nullable=False))  # the translation the reader saw
    suggestion: str = Field(sa_column=Column(Text, nullable=False))
    reporter_id: int | None = Field(
        default=None, sa_column=_fk("person.id", nullable=True, ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TranslationChange(SQLModel, table=True):
    """One reviewer decision on one string: `corrected` (a new translation) or `approved` (the
    current one stands). Append-only: who, when, from what to what. The newest correction of a
    string is what readers get, without a restart."""

    __tablename__ = "translation_change"
    __table_args__ = (Index("ix_translation_change_string", "language", "msgid"),)

    id: int | None = Field(default=None, primary_key=True)
    language: str = Field(max_length=8)
    msgid: str = Field(sa_column=Column(Text, nullable=False))
    action: str = Field(max_length=16)  # corrected | approved
    before: str = Field(sa_column=Column(Text, nullable=False))
    after: str = Field(sa_column=Column(Text, nullable=False))
    reviewer_id: int | None = Field(
        default=None, sa_column=_fk("person.id", nullable=True, ondelete="SET NULL")
    )
    reviewer_label: str = Field(max_length=120)  # the reviewer's name at the time
    at: datetime = Field(sa_type=UTCDateTime)
