"""Foundation: regions (seeded), commissions, institutions, seats, people, memberships, invitations.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# DOMAIN.md §4: the 26 regional jurisdictions (code = ISO 3166-2 suffix).
REGIONS = [
    ("AMA", "Amazonas", "Chachapoyas", "01", "PE-AMA"),
    ("ANC", "Áncash", "Huaraz", "02", "PE-ANC"),
    ("APU", "Apurímac", "Abancay", "03", "PE-APU"),
    ("ARE", "Arequipa", "Arequipa", "04", "PE-ARE"),
    ("AYA", "Ayacucho", "Ayacucho", "05", "PE-AYA"),
    ("CAJ", "Cajamarca", "Cajamarca", "06", "PE-CAJ"),
    ("CAL", "Callao", "Callao", "07", "PE-CAL"),
    ("CUS", "Cusco", "Cusco", "08", "PE-CUS"),
    ("HUV", "Huancavelica", "Huancavelica", "09", "PE-HUV"),
    ("HUC", "Huánuco", "Huánuco", "10", "PE-HUC"),
    ("ICA", "Ica", "Ica", "11", "PE-ICA"),
    ("JUN", "Junín", "Huancayo", "12", "PE-JUN"),
    ("LAL", "La Libertad", "Trujillo", "13", "PE-LAL"),
    ("LAM", "Lambayeque", "Chiclayo", "14", "PE-LAM"),
    ("LIM", "Lima Provincias", "Huacho", "15", "PE-LIM"),
    ("LMA", "Lima Metropolitana", "Lima", "1501", "PE-LMA"),
    ("LOR", "Loreto", "Iquitos", "16", "PE-LOR"),
    ("MDD", "Madre de Dios", "Puerto Maldonado", "17", "PE-MDD"),
    ("MOQ", "Moquegua", "Moquegua", "18", "PE-MOQ"),
    ("PAS", "Pasco", "Cerro de Pasco", "19", "PE-PAS"),
    ("PIU", "Piura", "Piura", "20", "PE-PIU"),
    ("PUN", "Puno", "Puno", "21", "PE-PUN"),
    ("SAM", "San Martín", "Moyobamba", "22", "PE-SAM"),
    ("TAC", "Tacna", "Tacna", "23", "PE-TAC"),
    ("TUM", "Tumbes", "Tumbes", "24", "PE-TUM"),
    ("UCA", "Ucayali", "Pucallpa", "25", "PE-UCA"),
]


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, target: str, nullable: bool = False, ondelete: str | None = None) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    region = op.create_table(
        "region",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(3), nullable=False, unique=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("seat", sa.String(80), nullable=False),
        sa.Column("ubigeo", sa.String(4), nullable=False),
        sa.Column("iso_code", sa.String(6), nullable=False),
    )
    op.bulk_insert(
        region,
        [{"code": c, "name": n, "seat": s, "ubigeo": u, "iso_code": i} for c, n, s, u, i in REGIONS],
    )
    op.create_table(
        "commission",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(3), nullable=False, unique=True),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("region_id", sa.Integer, sa.ForeignKey("region.id"), unique=True),
        sa.Column("timezone", sa.String(40), nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "institution",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("category", sa.String(40), nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "seat",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("commission_id", "commission.id"),
        _fk("institution_id", "institution.id"),
        sa.Column("voting", sa.Boolean, nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("commission_id", "institution_id"),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("telegram_id", sa.BigInteger, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("language_chosen", sa.Boolean, nullable=False),
        _fk("active_commission_id", "commission.id", nullable=True, ondelete="SET NULL"),
        _ts("created_at"),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("person_id", "person.id"),
        _fk("commission_id", "commission.id"),
        sa.Column("role", sa.String(16), nullable=False),
        _fk("seat_id", "seat.id", nullable=True),
        _ts("created_at"),
        sa.UniqueConstraint("person_id", "commission_id", "role"),
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _fk("commission_id", "commission.id"),
        sa.Column("role", sa.String(16), nullable=False),
        _fk("seat_id", "seat.id", nullable=True),
        sa.Column("invitee_name", sa.String(120)),
        _fk("created_by_id", "person.id", nullable=True),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        _fk("used_by_id", "person.id", nullable=True),
        _ts("revoked_at", nullable=True),
    )
    for table, column in [
        ("seat", "commission_id"),
        ("seat", "institution_id"),
        ("person", "active_commission_id"),
        ("membership", "person_id"),
        ("membership", "commission_id"),
        ("membership", "seat_id"),
        ("invitation", "commission_id"),
        ("invitation", "seat_id"),
        ("invitation", "created_by_id"),
        ("invitation", "used_by_id"),
    ]:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table in [
        "invitation",
        "membership",
        "person",
        "seat",
        "institution",
        "commission",
        "region",
    ]:
        op.drop_table(table)
