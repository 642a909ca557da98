"""Each commission's publication choice for the public pages (default: published), and the link to
its page that the secretary gets from the bot (`/portal`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action
from bot.workflows.audit import audited
from bot.workflows.errors import UserError
from bot.workflows.membership.people import access_active
from db.models import CommissionKind, Person, PublicationSetting


@dataclass(frozen=True)
class Publication:
    code: str
    published: bool


async def published_ids(db: AsyncSession, commission_ids: Sequence[int]) -> set[int]:
    """Those of the commissions whose public pages are shown (no row: shown)."""
    hidden = set(
        (
            await db.exec(
                select(PublicationSetting.commission_id).where(
                    col(PublicationSetting.commission_id).in_(list(commission_ids)),
                    col(PublicationSetting.published).is_(False),
                )
            )
        ).all()
    )
    return set(commission_ids) - hidden


async def publication_of(db: AsyncSession, person: Person | None) -> Publication:
    """The active commission's choice, for its secretary."""
    actor = await access_active(db, person, Action.MANAGE_PUBLICATION)
    if actor.commission.kind != CommissionKind.REGIONAL or actor.commission.id is None:
        raise UserError(msg("Solo las comisiones regionales tienen página pública."))
    shown = await published_ids(db, [actor.commission.id])
    return Publication(actor.commission.code, actor.commission.id in shown)


async def set_publication(
    db: AsyncSession, person: Person | None, published: bool, *, now: datetime
) -> Publication:
    """Publish or withdraw the active commission's public pages (audited)."""
    before = await publication_of(db, person)
    actor = await access_active(db, person, Action.MANAGE_PUBLICATION)
    assert actor.commission.id is not None
    if before.published == published:
        return before
    row = (
        await db.exec(
            select(PublicationSetting).where(PublicationSetting.commission_id == actor.commission.id)
        )
    ).first() or PublicationSetting(commission_id=actor.commission.id)
    row.published, row.updated_by_id, row.updated_at = published, actor.person.id, now
    db.add(row)
    await db.flush()
    await audited(
        db,
        actor,
        actor.commission.id,
        "publication.set",
        "commission",
        actor.commission.id,
        now=now,
        before={"published": before.published},
        after={"published": published},
    )
    return Publication(before.code, published)
