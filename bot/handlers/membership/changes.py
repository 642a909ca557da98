"""The secretary's changes from the directory: change a role, end a membership (reason, date,
confirmation), designate a successor (a link to forward). The people affected are told, and
their Telegram menus follow their roles."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards
from bot.callbacks import SkipCB
from bot.commands import refresh_menus
from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.fallback import press_a_button
from bot.handlers.membership import directory_ui as ui
from bot.i18n import Catalogs, Translator
from bot.replies import Replies
from bot.workflows.access import INVITABLE_ROLES
from bot.workflows.business_days import lima_date
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.changes import (
    access_membership,
    change_role,
    designate_successor,
    end_membership,
)
from bot.workflows.membership.commissions import tidy
from bot.workflows.membership.ending import END_REASON_LABELS, parse_day
from bot.workflows.membership.invitations import deep_link
from bot.workflows.membership.people import active_commission_id
from bot.workflows.notices import Notice
from db.models import EndReason, Person


async def pick_action(
    query: CallbackQuery,
    callback_data: ui.MemberActCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await query.answer()
    mid = callback_data.membership_id
    actor, held = await access_membership(db, person, await active_commission_id(db, person), mid)
    if callback_data.act == "role":
        roles = [r for r in INVITABLE_ROLES[actor.commission.kind] if r is not held.membership.role]
        await say(
            tr.gettext("¿Qué rol tendrá {name}?", name=held.person.name),
            reply_markup=ui.role_choices(tr, mid, roles),
        )
    elif callback_data.act == "end":
        await say(
            tr.gettext("¿Por qué termina la membresía de {name}?", name=held.person.name),
            reply_markup=ui.end_reasons(tr, mid),
        )
    else:
        await state.set_state(ui.SuccessorFlow.name)
        await state.set_data({"membership_id": mid})
        await say(
            tr.gettext(
                "Escriba el nombre de quien sucede a {name}, o toque «Omitir».", name=held.person.name
            ),
            reply_markup=keyboards.skip_or_cancel(tr),
        )


async def pick_role(
    query: CallbackQuery,
    callback_data: ui.MemberRoleCB,
    bot: Bot,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    commission_id = await active_commission_id(db, person)
    change = await change_role(
        db, person, commission_id, callback_data.membership_id, callback_data.role, now=now
    )
    outbox.extend(change.notices)
    await refresh_menus(bot, db, catalogs, [change.person_id])
    await say(
        tr.gettext("Rol cambiado a {role}. Se avisó a la persona.", role=ROLE_LABELS[callback_data.role])
    )


async def pick_reason(
    query: CallbackQuery,
    callback_data: ui.EndReasonCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await query.answer()
    await access_membership(db, person, await active_commission_id(db, person), callback_data.membership_id)
    await state.set_state(ui.EndFlow.date)
    await state.set_data({"membership_id": callback_data.membership_id, "reason": callback_data.reason.value})
    await say(
        tr.gettext("¿Desde qué fecha? Escríbala como 31/12/2026, o toque «Hoy»."),
        reply_markup=ui.end_today(tr),
    )


async def type_date(message: Message, text: str, tr: Translator, state: FSMContext, say: Replies) -> None:
    await _ask_confirmation(parse_day(text).isoformat(), tr, state, say)


async def today(query: CallbackQuery, tr: Translator, state: FSMContext, say: Replies, now: datetime) -> None:
    await query.answer()
    await _ask_confirmation(lima_date(now).isoformat(), tr, state, say)


async def _ask_confirmation(day: str, tr: Translator, state: FSMContext, say: Replies) -> None:
    await state.update_data(day=day)
    await state.set_state(ui.EndFlow.confirm)
    data = await state.get_data()
    reason = END_REASON_LABELS[EndReason(data["reason"])]
    await say(
        tr.gettext(
            "¿Terminar esta membresía el {date} (motivo: {reason})?",
            date=datetime.fromisoformat(day).date(),
            reason=reason,
        ),
        reply_markup=ui.end_confirm(tr),
    )


async def confirm_end(
    query: CallbackQuery,
    bot: Bot,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    data = await state.get_data()
    day = datetime.fromisoformat(data["day"]).date()
    commission_id = await active_commission_id(db, person)
    ended = await end_membership(
        db, person, commission_id, data["membership_id"], EndReason(data["reason"]), day, now=now
    )
    await state.clear()
    outbox.extend(ended.notices)
    await refresh_menus(bot, db, catalogs, [ended.person_id])
    await say(tr.gettext("Membresía terminada. Se avisó a la persona y ya no puede actuar con ese rol."))


async def successor_named(
    message: Message, text: str, db: AsyncSession, person: Person | None, tr: Translator,
    state: FSMContext, say: Replies, bot_username: str, invitation_days: int, now: datetime,
) -> None:  # fmt: skip
    name = tidy(text)
    if not 2 <= len(name) <= 120:
        await say(tr.gettext("El nombre debe tener entre 2 y 120 caracteres. Escríbalo de nuevo."))
        return
    await _designate(name, db, person, tr, state, say, bot_username, invitation_days, now)


async def successor_skipped(
    query: CallbackQuery, db: AsyncSession, person: Person | None, tr: Translator,
    state: FSMContext, say: Replies, bot_username: str, invitation_days: int, now: datetime,
) -> None:  # fmt: skip
    await query.answer()
    await _designate(None, db, person, tr, state, say, bot_username, invitation_days, now)


async def _designate(
    name: str | None, db: AsyncSession, person: Person | None, tr: Translator,
    state: FSMContext, say: Replies, bot_username: str, invitation_days: int, now: datetime,
) -> None:  # fmt: skip
    data = await state.get_data()
    commission_id = await active_commission_id(db, person)
    issued = await designate_successor(
        db,
        person,
        commission_id,
        data["membership_id"],
        now=now,
        invitee_name=name,
        valid_days=invitation_days,
    )
    await state.clear()
    await say(
        tr.gettext(
            "Invitación de sucesión lista ({role}). Cuando la persona la acepte, la membresía anterior "
            "termina ese día y sus tareas pendientes pasan a quien sucede. Vence el {date}.",
            role=ROLE_LABELS[issued.invitation.role],
            date=lima_date(issued.invitation.expires_at),
        )
    )
    await say(deep_link(bot_username, issued.token))


def router() -> Router:
    r = Router(name="membership_changes")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    r.callback_query.register(pick_action, ui.MemberActCB.filter())
    r.callback_query.register(pick_role, ui.MemberRoleCB.filter())
    r.callback_query.register(pick_reason, ui.EndReasonCB.filter())
    r.callback_query.register(today, ui.EndTodayCB.filter(), StateFilter(ui.EndFlow.date))
    r.callback_query.register(confirm_end, ui.EndConfirmCB.filter(), StateFilter(ui.EndFlow.confirm))
    r.callback_query.register(successor_skipped, SkipCB.filter(), StateFilter(ui.SuccessorFlow.name))
    r.message.register(type_date, StateFilter(ui.EndFlow.date), *typed)
    r.message.register(successor_named, StateFilter(ui.SuccessorFlow.name), *typed)
    r.message.register(press_a_button, StateFilter(ui.EndFlow.confirm), *typed)
    return r
