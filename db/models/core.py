"""Core tables: regions, commissions, institutions and seats, people, memberships, invitations.

Rules live in bot/workflows; these classes only say what is stored.

Every timestamp is timezone-aware UTC (`UTCDateTime`); commissions display in America/Lima.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from db.types import StrEnumType, UTCDateTime

# Named constraints, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    SECRETARY = "secretary"
    PRESIDENT = "president"
    MEMBER = "member"
    ALTERNATE = "alternate"
    LIAISON = "liaison"
    OBSERVER = "observer"
    CAN_ANALYST = "can_analyst"


class CommissionKind(StrEnum):
    REGIONAL = "regional"
    NATIONAL = "national"


class InstitutionCategory(StrEnum):
    """Anexo A of DS 089-2013-PCM (cuadro de equivalencias), plus the suggested and local seats."""

    REGIONAL_GOVERNMENT = "regional_government"
    PROVINCIAL_MUNICIPALITY = "provincial_municipality"
    SUPERIOR_COURT = "superior_court"
    PROSECUTORS = "prosecutors"
    ANTICORRUPTION_ATTORNEY = "anticorruption_attorney"
    COMPTROLLER = "comptroller"
    CATHOLIC_CHURCH = "catholic_church"
    EVANGELICAL_CHURCH = "evangelical_church"
    PRIVATE_SECTOR = "private_sector"
    CIVIL_SOCIETY = "civil_society"
    OMBUDSMAN = "ombudsman"
    POLICE = "police"
    MCLCP = "mclcp"
    FOREIGN_AFFAIRS = "foreign_affairs"
    PUBLIC_INTEGRITY_SECRETARIAT = "public_integrity_secretariat"
    OTHER = "other"


def _fk(target: str, *, nullable: bool = False, ondelete: str | None = None) -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class Region(SQLModel, table=True):
    """One of the 26 regional jurisdictions (DOMAIN.md §4), seeded by the first migration."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=3, unique=True)
    name: str = Field(max_length=80)
    seat: str = Field(max_length=80)
    ubigeo: str = Field(max_length=4)
    iso_code: str = Field(max_length=6)


class Commission(SQLModel, table=True):
    """A CRA (one per region) or the CAN (national, no region)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=3, unique=True)
    name: str = Field(max_length=160)
    kind: CommissionKind = Field(sa_type=StrEnumType(CommissionKind, 16))
    region_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("region.id"), unique=True)
    )
    timezone: str = Field(default="America/Lima", max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Institution(SQLModel, table=True):
    """A member institution (e.g. "Corte Superior de Justicia del Cusco")."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    category: InstitutionCategory = Field(sa_type=StrEnumType(InstitutionCategory, 40))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Seat(SQLModel, table=True):
    """An institution's seat in one commission; voting or voice-only is decided per commission."""

    __table_args__ = (UniqueConstraint("commission_id", "institution_id"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    institution_id: int = Field(sa_column=_fk("institution.id"))
    voting: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    """Somebody who redeemed an invitation; their language is theirs, whoever writes to them."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True))
    name: str = Field(max_length=120)
    language: str = Field(default="es", max_length=8)
    language_chosen: bool = False
    active_commission_id: int | None = Field(
        default=None, sa_column=_fk("commission.id", nullable=True, ondelete="SET NULL")
    )
    # Set when Telegram answers 403 (bot blocked, account deleted); cleared when they write again.
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Ley 29733: personal data erased on request; votes and attendance keep the seat's name.
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    """A person's role in a commission, optionally on behalf of an institution's seat."""

    __table_args__ = (UniqueConstraint("person_id", "commission_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=_fk("person.id"))
    commission_id: int = Field(sa_column=_fk("commission.id"))
    role: Role = Field(sa_type=StrEnumType(Role, 16))
    seat_id: int | None = Field(default=None, sa_column=_fk("seat.id", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    """A one-time deep-link invitation; only the SHA-256 of its token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    role: Role = Field(sa_type=StrEnumType(Role, 16))
    seat_id: int | None = Field(default=None, sa_column=_fk("seat.id", nullable=True))
    invitee_name: str | None = Field(default=None, max_length=120)
    created_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TokenAttempt(SQLModel, table=True):
    """A failed invitation redemption, to slow down guessing from one account."""

    __tablename__ = "token_attempt"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    at: datetime = Field(sa_type=UTCDateTime)
