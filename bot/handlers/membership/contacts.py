"""An institution's answer to a directory confirmation request: «still right» with one tap, or the
new person (titular or liaison, name, the oficio as a file) and a link to forward to them."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards
from bot.callbacks import SkipCB
from bot.filters import DOCUMENT, NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.fallback import press_a_button
from bot.handlers.membership import directory_ui as ui
from bot.i18n import Translator
from bot.replies import Replies
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.commissions import tidy
from bot.workflows.membership.contacts import access_check, confirm_entry
from bot.workflows.membership.handover import CHANGEABLE, name_new_person
from bot.workflows.membership.invitations import deep_link
from bot.workflows.notices import Attachment, Notice
from db.models import Person, Role


def _roles(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for role in CHANGEABLE:
        kb.button(text=tr.render(ROLE_LABELS[role]), callback_data=ui.ContactRoleCB(role=role))
    keyboards.cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


async def answer(
    query: CallbackQuery,
    callback_data: ui.ContactCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    if callback_data.ok:
        done = await confirm_entry(db, person, callback_data.check_id, now=now)
        outbox.extend(done.notices)
        await say(
            tr.gettext(
                "Gracias: el directorio de {institution} queda confirmado.", institution=done.institution
            )
        )
        return
    found = await access_check(db, person, callback_data.check_id)
    await state.set_state(ui.ContactFlow.role)
    await state.set_data({"check_id": callback_data.check_id})
    await say(
        tr.gettext("¿Quién cambió en {institution}?", institution=found.institution), reply_markup=_roles(tr)
    )


async def pick_role(
    query: CallbackQuery, callback_data: ui.ContactRoleCB, tr: Translator, state: FSMContext, say: Replies
) -> None:
    await query.answer()
    await state.update_data(role=callback_data.role.value)
    await state.set_state(ui.ContactFlow.name)
    await say(tr.gettext("Escriba el nombre completo de la persona nueva."))


async def type_name(message: Message, text: str, tr: Translator, state: FSMContext, say: Replies) -> None:
    name = tidy(text)
    if not 2 <= len(name) <= 120:
        await say(tr.gettext("El nombre debe tener entre 2 y 120 caracteres. Escríbalo de nuevo."))
        return
    await state.update_data(name=name)
    await state.set_state(ui.ContactFlow.oficio)
    await say(
        tr.gettext("Envíe el oficio de designación como archivo, o toque «Omitir»."),
        reply_markup=keyboards.skip_or_cancel(tr),
    )


async def send_oficio(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext,
    say: Replies, outbox: list[Notice], bot_username: str, invitation_days: int, now: datetime,
) -> None:  # fmt: skip
    assert message.document is not None
    doc = message.document
    oficio = Attachment(doc.file_name or "oficio", file_id=doc.file_id)
    await _finish(oficio, db, person, tr, state, say, outbox, bot_username, invitation_days, now)


async def skip_oficio(
    query: CallbackQuery, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext,
    say: Replies, outbox: list[Notice], bot_username: str, invitation_days: int, now: datetime,
) -> None:  # fmt: skip
    await query.answer()
    await _finish(None, db, person, tr, state, say, outbox, bot_username, invitation_days, now)


async def _finish(
    oficio: Attachment | None, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext,
    say: Replies, outbox: list[Notice], bot_username: str, invitation_days: int, now: datetime,
) -> None:  # fmt: skip
    data = await state.get_data()
    done = await name_new_person(
        db, person, data["check_id"], Role(data["role"]), data["name"],
        now=now, oficio=oficio, valid_days=invitation_days,
    )  # fmt: skip
    await state.clear()
    outbox.extend(done.notices)
    who = {"name": data["name"], "predecessor": done.predecessor}
    if done.predecessor:
        text = tr.gettext(
            "Listo. Reenvíe este enlace a {name}: al aceptarlo reemplaza a {predecessor}.", **who
        )
    else:
        text = tr.gettext("Listo. Reenvíe este enlace a {name} para que se una a la comisión.", **who)
    await say(text)
    await say(deep_link(bot_username, done.issued.token))


def router() -> Router:
    r = Router(name="directory_contacts")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    r.callback_query.register(answer, ui.ContactCB.filter())
    r.callback_query.register(pick_role, ui.ContactRoleCB.filter(), StateFilter(ui.ContactFlow.role))
    r.callback_query.register(skip_oficio, SkipCB.filter(), StateFilter(ui.ContactFlow.oficio))
    r.message.register(type_name, StateFilter(ui.ContactFlow.name), *typed)
    r.message.register(send_oficio, StateFilter(ui.ContactFlow.oficio), DOCUMENT)
    r.message.register(press_a_button, StateFilter(ui.ContactFlow.role, ui.ContactFlow.oficio), *typed)
    return r
