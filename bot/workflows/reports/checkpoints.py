"""The daily audit checkpoint, sent to the CAN analysts: each chain's head leaves the commission's
reach (their Telegram chats, where nobody at the commission or the database can edit it), so a
deletion of the newest audit entries shows up in `cra-bot audit verify` (bot/workflows/audit.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.audit import write_checkpoints
from bot.workflows.business_days import lima_date
from bot.workflows.membership.commissions import CAN_CODE
from bot.workflows.notices import Notice
from db.models import Commission, Membership, Role


async def checkpoint_tick(db: AsyncSession, now: datetime) -> list[Notice]:
    """Take the day's checkpoints (once, after 07:00 Lima) and tell every CAN analyst their heads."""
    heads = await write_checkpoints(db, now=now)
    if not heads:
        return []
    codes = dict((await db.exec(select(Commission.id, Commission.code))).all())
    lines = "\n".join(head.line(codes.get(head.commission_id, str(head.commission_id))) for head in heads)
    analysts = await db.exec(
        select(Membership.person_id, Membership.commission_id)
        .join(Commission, col(Commission.id) == Membership.commission_id)
        .where(Commission.code == CAN_CODE, Membership.role == Role.CAN_ANALYST)
        .order_by(col(Membership.person_id))
    )
    text = msg(
        "🔐 Sello del registro de auditoría, {date}: largo y huella de la última entrada de cada "
        "comisión con cambios. Conserve este mensaje: con él, «cra-bot audit verify --head» "
        "comprueba que nadie borró ni cambió entradas.\n\n{heads}",
        date=lima_date(now),
        heads=lines,
    )
    return [Notice(person_id, text, commission_id) for person_id, commission_id in analysts.all()]
