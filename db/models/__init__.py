"""The tables, one module per feature; importing this package registers them all on
SQLModel.metadata (Alembic and the schema test rely on that)."""

from db.models.agreements import *  # noqa: F403
from db.models.audit import AuditCheckpoint, AuditEntry
from db.models.core import (
    Commission,
    CommissionKind,
    Institution,
    InstitutionCategory,
    Invitation,
    Membership,
    Person,
    Region,
    Role,
    Seat,
    TokenAttempt,
    utcnow,
)
from db.models.delivery import (
    ChatPace,
    FileKind,
    LiveScreen,
    OutboxMessage,
    OutboxStatus,
    Priority,
    ProcessedUpdate,
)
from db.models.directory import *  # noqa: F403
from db.models.monitoring import *  # noqa: F403
from db.models.portal import *  # noqa: F403
from db.models.reports import *  # noqa: F403
from db.models.rounds import *  # noqa: F403
from db.models.sessions import *  # noqa: F403
from db.models.translations import NoticeCopy, TranslationChange, TranslationReport, TranslatorGrant

__all__ = [
    "AuditCheckpoint",
    "AuditEntry",
    "ChatPace",
    "Commission",
    "CommissionKind",
    "FileKind",
    "Institution",
    "InstitutionCategory",
    "Invitation",
    "LiveScreen",
    "Membership",
    "NoticeCopy",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "Priority",
    "ProcessedUpdate",
    "Region",
    "Role",
    "Seat",
    "TokenAttempt",
    "TranslationChange",
    "TranslationReport",
    "TranslatorGrant",
    "utcnow",
]
