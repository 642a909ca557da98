"""/perfil and /comision: a person's commissions and roles, and which one they act in."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards
from bot.callbacks import CommissionCB
from bot.commands import publish_person_commands
from bot.i18n import Translator
from bot.render import profile_text, roles_text
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.membership.people import access_active, list_memberships, switch_commission
from db.models import Person


async def show_profile(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies
) -> None:
    actor = await access_active(db, person, Action.VIEW_PROFILE)
    memberships = await list_memberships(db, actor.person)
    await say(profile_text(tr, actor.person.name, memberships, actor.commission.id))


async def ask_commission(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies
) -> None:
    actor = await access_active(db, person, Action.SWITCH_COMMISSION)
    memberships = await list_memberships(db, actor.person)
    if len({m.commission_id for m in memberships}) < 2:
        await say(
            tr.gettext(
                "Usted participa solo en {commission}; no hay otra comisión a la cual cambiar.",
                commission=actor.commission.name,
            )
        )
        return
    await say(
        tr.gettext("¿En qué comisión quiere trabajar ahora?"),
        reply_markup=keyboards.commissions(memberships, actor.commission.id),
    )


async def choose_commission(
    query: CallbackQuery,
    callback_data: CommissionCB,
    bot: Bot,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    actor = await switch_commission(db, person, callback_data.commission_id)
    await query.answer()
    commissions = len({m.commission_id for m in await list_memberships(db, actor.person)})
    await publish_person_commands(bot, query.from_user.id, tr, actor.roles, commissions=commissions)
    await say(
        tr.gettext(
            "Ahora trabaja en {commission} como {roles}.",
            commission=actor.commission.name,
            roles=roles_text(tr, actor),
        ),
    )


def router() -> Router:
    r = Router(name="profile")
    r.message.register(show_profile, Command("perfil", "profile"))
    r.message.register(ask_commission, Command("comision"))
    r.callback_query.register(choose_commission, CommissionCB.filter())
    return r
