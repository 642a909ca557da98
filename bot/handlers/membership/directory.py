"""/miembros: the directory, page by page; the secretary opens an institution to manage its people."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import PRIVATE
from bot.handlers.membership import directory_ui as ui
from bot.handlers.membership.election import offer_sessions
from bot.i18n import Catalogs, Translator
from bot.replies import Replies
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.changes import access_membership
from bot.workflows.membership.contacts import set_confirm_every, start_checks
from bot.workflows.membership.directory import people_to_manage, read_directory
from bot.workflows.membership.ending import parse_day
from bot.workflows.membership.national import national_directory
from bot.workflows.membership.people import active_actor, active_commission_id
from bot.workflows.membership.presidency import set_presidency_term
from bot.workflows.notices import Notice
from db.models import CommissionKind, Person


async def show_page(
    db: AsyncSession, person: Person | None, tr: Translator, catalogs: Catalogs, say: Replies, page: int
) -> None:
    directory = await read_directory(db, person, await active_commission_id(db, person), page=page)
    languages = {code: language.native_name for code, language in catalogs.languages.items()}
    await say(
        ui.directory_text(tr, directory, languages),
        reply_markup=ui.directory_keyboard(tr, directory, manage=directory.may_manage),
    )


async def members_command(
    message: Message, command: CommandObject, db: AsyncSession, person: Person | None, tr: Translator,
    catalogs: Catalogs, say: Replies, outbox: list[Notice], now: datetime,
) -> None:  # fmt: skip
    words = (command.args or "").lower().split()
    actor = await active_actor(db, person) if person is not None else None
    commission_id = actor.commission.id if actor is not None else None
    if words:
        await _settings(words, db, person, commission_id, tr, say, outbox, now)
    elif actor is not None and actor.commission.kind == CommissionKind.NATIONAL:
        await say(ui.national_text(tr, await national_directory(db, person, now=now)))
    else:
        await show_page(db, person, tr, catalogs, say, 0)


async def _settings(
    words: list[str], db: AsyncSession, person: Person | None, commission_id: int | None,
    tr: Translator, say: Replies, outbox: list[Notice], now: datetime,
) -> None:  # fmt: skip
    """`/miembros confirmar`, `/miembros cada N`, `/miembros presidencia [DD/MM/AAAA]`."""
    if words[:1] == ["confirmar"]:
        outbox.extend(await start_checks(db, person, commission_id, now=now))
        await say(tr.gettext("Pedido enviado a cada institución. /miembros muestra quién confirmó."))
    elif words[:1] == ["cada"] and len(words) == 2 and words[1].isdigit():
        months = await set_confirm_every(db, person, commission_id, int(words[1]), now=now)
        await say(
            tr.ngettext(
                "Las instituciones confirmarán el directorio cada {n} mes, y siempre en enero.",
                "Las instituciones confirmarán el directorio cada {n} meses, y siempre en enero.",
                months,
            )
        )
    elif words == ["presidencia"]:
        await offer_sessions(db, person, commission_id, tr, say)
    elif words[:1] == ["presidencia"] and len(words) == 2:
        end = await set_presidency_term(db, person, commission_id, parse_day(words[1]), now=now)
        await say(tr.gettext("Periodo de la presidencia registrado: termina el {date}.", date=end))
    else:
        await say(
            tr.gettext(
                "Use /miembros, /miembros confirmar, /miembros cada 3 (meses; 0: solo en enero), "
                "/miembros presidencia (registrar su elección en sesión) o /miembros presidencia 01/01/2027 "
                "(inicio del periodo)."
            )
        )


async def page_pressed(
    query: CallbackQuery,
    callback_data: ui.DirPageCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    say: Replies,
) -> None:
    await query.answer()
    await show_page(db, person, tr, catalogs, say, callback_data.page)


async def open_seat(
    query: CallbackQuery,
    callback_data: ui.DirSeatCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    await query.answer()
    commission_id = await active_commission_id(db, person)
    institution, people = await people_to_manage(db, person, commission_id, callback_data.seat_id)
    title = institution or tr.gettext("Sin institución")
    if not people:
        await say(
            tr.gettext("{institution}: nadie registrado. Invite a alguien con /invitar.", institution=title)
        )
        return
    await say(
        tr.gettext("{institution}: ¿a quién se refiere el cambio?", institution=title),
        reply_markup=ui.people_keyboard(tr, people),
    )


async def open_member(
    query: CallbackQuery,
    callback_data: ui.MemberCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    await query.answer()
    commission_id = await active_commission_id(db, person)
    _, held = await access_membership(db, person, commission_id, callback_data.membership_id)
    role = tr.render(ROLE_LABELS[held.membership.role])
    await say(
        tr.gettext("{name} · {role}. ¿Qué desea hacer?", name=held.person.name, role=role),
        reply_markup=ui.member_actions(tr, callback_data.membership_id),
    )


def router() -> Router:
    r = Router(name="directory")
    r.message.filter(PRIVATE)
    r.message.register(members_command, Command("miembros", "members"))
    r.callback_query.register(page_pressed, ui.DirPageCB.filter())
    r.callback_query.register(open_seat, ui.DirSeatCB.filter())
    r.callback_query.register(open_member, ui.MemberCB.filter())
    return r
