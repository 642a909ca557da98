"""/invitar: the secretary invites somebody in four taps and gets a link to forward.

Each step keeps the earlier answers in the conversation state, so a typo only repeats that step.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import button_labels as buttons
from bot import keyboards
from bot.callbacks import CancelCB, SkipCB
from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.fallback import press_a_button
from bot.handlers.membership import ui
from bot.handlers.membership.ui import NEW_SEAT, NO_SEAT, InviteFlow, InviteRoleCB, InviteSeatCB, RevokeCB
from bot.i18n import Translator
from bot.replies import Replies
from bot.workflows.access import INVITABLE_ROLES, Action, Actor
from bot.workflows.business_days import lima_date
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.commissions import list_seats, tidy
from bot.workflows.membership.invitations import (
    SEATED_ROLES,
    deep_link,
    invite_from_chat,
    list_pending,
    revoke_invitation,
)
from bot.workflows.membership.people import access_active, active_commission_id
from db.models import Person, Role


async def _actor(db: AsyncSession, person: Person | None) -> Actor:
    return await access_active(db, person, Action.INVITE)


async def start_invite(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    actor = await _actor(db, person)
    await state.set_state(InviteFlow.role)
    await state.set_data({"commission_id": actor.commission.id})
    await say(
        tr.gettext("¿Con qué rol invita a la persona a {commission}?", commission=actor.commission.code),
        reply_markup=ui.invite_roles(INVITABLE_ROLES[actor.commission.kind], tr),
    )


async def pick_role(
    query: CallbackQuery,
    callback_data: InviteRoleCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    actor = await _actor(db, person)
    await query.answer()
    assert actor.commission.id is not None
    await state.update_data(role=callback_data.role.value)
    await state.set_state(InviteFlow.seat)
    seats = await list_seats(db, actor.commission.id)
    await say.screen(
        tr.gettext("¿A qué institución representa?"),
        reply_markup=ui.invite_seats(seats, tr, seat_optional=callback_data.role not in SEATED_ROLES),
    )


async def pick_seat(
    query: CallbackQuery,
    callback_data: InviteSeatCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await _actor(db, person)
    await query.answer()
    if callback_data.seat_id == NEW_SEAT:
        await state.set_state(InviteFlow.institution)
        await say.screen(tr.gettext("Escriba el nombre completo de la institución."))
        return
    await state.update_data(seat_id=None if callback_data.seat_id == NO_SEAT else callback_data.seat_id)
    await _ask_name(tr, state, say)


async def type_institution(
    message: Message, text: str, tr: Translator, state: FSMContext, say: Replies
) -> None:
    name = tidy(text)
    if not 3 <= len(name) <= 200:
        await say(
            tr.gettext("El nombre de la institución debe tener entre 3 y 200 caracteres. Escríbalo de nuevo.")
        )
        return
    await state.update_data(institution=name, seat_id=None)
    await _ask_name(tr, state, say)


async def _ask_name(tr: Translator, state: FSMContext, say: Replies) -> None:
    await state.set_state(InviteFlow.name)
    await say.screen(
        tr.gettext("Escriba el nombre de la persona invitada, o toque «{button}».", button=buttons.SKIP),
        reply_markup=keyboards.skip_or_cancel(tr),
    )


async def type_name(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    bot_username: str,
    invitation_days: int,
    now: datetime,
) -> None:
    name = tidy(text)
    if not 2 <= len(name) <= 120:
        await say(tr.gettext("El nombre debe tener entre 2 y 120 caracteres. Escríbalo de nuevo."))
        return
    await _issue(name, db, person, tr, state, say, bot_username, invitation_days, now)


async def skip_name(
    query: CallbackQuery,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    bot_username: str,
    invitation_days: int,
    now: datetime,
) -> None:
    await query.answer()
    await _issue(None, db, person, tr, state, say, bot_username, invitation_days, now)


async def _issue(
    name: str | None,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    bot_username: str,
    invitation_days: int,
    now: datetime,
) -> None:
    data = await state.get_data()
    actor = await _actor(db, person)
    issued = await invite_from_chat(
        db,
        actor.person,
        data["commission_id"],
        Role(data["role"]),
        now=now,
        seat_id=data.get("seat_id"),
        institution=data.get("institution"),
        invitee_name=name,
        valid_days=invitation_days,
    )
    await state.clear()
    text = ui.invitation_ready(tr, issued, name)
    await say.screen(text)
    await say.screen(deep_link(bot_username, issued.token))


async def list_invitations(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies, now: datetime
) -> None:
    pending = await list_pending(db, person, await active_commission_id(db, person), now=now)
    if not pending:
        await say(tr.gettext("No hay invitaciones pendientes."))
        return
    lines = [
        tr.ngettext(
            "{n} invitación pendiente. Toque una para revocarla:",
            "{n} invitaciones pendientes. Toque una para revocarla:",
            len(pending),
        )
    ]
    names = [(i.invitation_id, i.invitee_name or tr.gettext("la persona invitada")) for i in pending]
    for item, (_, who) in zip(pending, names, strict=True):
        role = tr.render(ROLE_LABELS[item.role])
        line = tr.gettext(
            "{who} · {role} · vence el {date}", who=who, role=role, date=lima_date(item.expires_at)
        )
        lines.append(f"• {line}")
    await say("\n".join(lines), reply_markup=ui.revocations(tr, names))


async def revoke(
    query: CallbackQuery,
    callback_data: RevokeCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    commission_id = await active_commission_id(db, person)
    await revoke_invitation(db, person, commission_id, callback_data.invitation_id, now=now)
    await say(tr.gettext("Invitación revocada: el enlace ya no funciona."))


async def cancel(event: Message | CallbackQuery, tr: Translator, state: FSMContext, say: Replies) -> None:
    await state.clear()
    if isinstance(event, CallbackQuery):
        await event.answer()
    await say(tr.gettext("Cancelado. No se guardó nada."))


def router() -> Router:
    r = Router(name="invitations")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    r.message.register(cancel, Command("cancelar", "cancel"), StateFilter("*"))
    r.callback_query.register(cancel, CancelCB.filter())
    r.message.register(start_invite, Command("invitar"))
    r.message.register(list_invitations, Command("invitaciones"))
    r.callback_query.register(revoke, RevokeCB.filter())
    r.callback_query.register(pick_role, InviteRoleCB.filter(), StateFilter(InviteFlow.role))
    r.callback_query.register(pick_seat, InviteSeatCB.filter(), StateFilter(InviteFlow.seat))
    r.callback_query.register(skip_name, SkipCB.filter(), StateFilter(InviteFlow.name))
    r.message.register(type_institution, StateFilter(InviteFlow.institution), *typed)
    r.message.register(type_name, StateFilter(InviteFlow.name), *typed)
    r.message.register(press_a_button, StateFilter(InviteFlow.role, InviteFlow.seat), *typed)
    return r
