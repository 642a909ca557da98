"""/start: redeem an invitation from a deep link, or explain how to get one."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards
from bot.commands import publish_person_commands, refresh_menus
from bot.filters import PRIVATE, STARTS_WITH_START
from bot.handlers.help import offer_progress_button
from bot.handlers.membership.ui import AcceptInvitationCB, invitation_offer, welcome_text
from bot.handlers.membership.ui import accept_invitation as accept_buttons
from bot.i18n import Catalogs, Translator
from bot.render import help_text, how_to_join
from bot.replies import Replies
from bot.workflows.errors import UserError
from bot.workflows.membership.invitations import (
    Redemption,
    note_failed_attempt,
    preview_invitation,
    redeem_invitation,
    too_many_attempts,
)
from bot.workflows.membership.people import active_actor, list_memberships
from bot.workflows.notices import Notice
from db.models import Person, Role


async def start_with_token(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    """Show what the invitation would make of the person; nothing is bound until they accept."""
    user = message.from_user
    assert user is not None and command.args is not None
    refusal = await too_many_attempts(db, user.id, now=now)
    if refusal is not None:
        await say(tr.render(refusal))
        return
    token = command.args.strip()
    try:
        preview = await preview_invitation(db, token, now=now)
    except UserError as invalid:
        # Kept (unlike a plain refusal): the attempt counts towards slowing down guessing.
        await note_failed_attempt(db, user.id, now=now)
        await say(tr.render(invalid.text))
        return
    await state.update_data(invitation_token=token)
    await say(invitation_offer(tr, preview), reply_markup=accept_buttons(tr))


async def accept_invitation(
    query: CallbackQuery,
    callback_data: AcceptInvitationCB,
    bot: Bot,
    db: AsyncSession,
    catalogs: Catalogs,
    tr: Translator,
    state: FSMContext,
    outbox: list[Notice],
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    token = (await state.get_data()).get("invitation_token")
    await state.update_data(invitation_token=None)
    if not callback_data.accept:
        await say(tr.gettext("De acuerdo: no guardé nada. Si fue un error, abra el enlace otra vez."))
        return
    if not token:
        await say(tr.gettext("Abra otra vez el enlace de invitación que le enviaron."))
        return
    user = query.from_user
    redemption = await redeem_invitation(
        db,
        token,
        telegram_id=user.id,
        telegram_name=user.full_name,
        language=catalogs.resolve(user.language_code),
        now=now,
    )
    outbox.extend(redemption.notices)
    await refresh_menus(bot, db, catalogs, redemption.menus_changed)  # a predecessor's, say
    await _welcome(redemption, bot, db, catalogs, say, user.id)


async def _welcome(
    redemption: Redemption, bot: Bot, db: AsyncSession, catalogs: Catalogs, say: Replies, chat_id: int
) -> None:
    person = redemption.person
    tr = catalogs.translator(person.language)
    welcome = welcome_text(tr, redemption)
    await say(welcome)
    actor = await active_actor(db, person)
    commissions = len({m.commission_id for m in await list_memberships(db, person)})
    if actor is not None:
        await publish_person_commands(bot, chat_id, tr, actor.roles, commissions=commissions)
    if actor is not None and Role.LIAISON in actor.roles:
        await offer_progress_button(tr, say)
    if person.language_chosen:
        await say(help_text(tr, actor, commissions=commissions))
    else:
        await say(
            tr.gettext("¿En qué idioma prefiere que le escriba? Puede cambiarlo cuando quiera con /idioma."),
            reply_markup=keyboards.languages(catalogs, tr),
        )


async def start_plain(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies
) -> None:
    if person is None:
        await say(how_to_join(tr))
        return
    actor = await active_actor(db, person)
    commissions = len({m.commission_id for m in await list_memberships(db, person)})
    await say(
        tr.gettext("Hola de nuevo, {name}.", name=person.name)
        + "\n\n"
        + help_text(tr, actor, commissions=commissions)
    )


def router() -> Router:
    r = Router(name="start")
    r.message.filter(STARTS_WITH_START, PRIVATE)
    r.message.register(start_with_token, CommandStart(deep_link=True))
    r.message.register(start_plain, CommandStart())
    r.callback_query.register(accept_invitation, AcceptInvitationCB.filter())
    return r
