"""The buttons under a notice in another language: «Ver en español» shows the Spanish text of that
same notice (the authoritative one); «⚑» takes the reader's suggestion for a wrong translation."""

from __future__ import annotations

from datetime import datetime

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.translations.ui import FlagCB, FlagFlow, SpanishCB
from bot.i18n import Translator
from bot.replies import Replies
from bot.workflows.translations.copies import own_copy
from bot.workflows.translations.review import report_translation
from db.models import Person


async def show_spanish(
    query: CallbackQuery,
    callback_data: SpanishCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    copy = await own_copy(db, person, callback_data.copy_id)
    await query.answer()
    await say(tr.gettext("Texto en español (el que vale):") + "\n\n" + copy.spanish)


async def ask_suggestion(
    query: CallbackQuery,
    callback_data: FlagCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    state: FSMContext,
) -> None:
    copy = await own_copy(db, person, callback_data.copy_id)
    await query.answer()
    await state.set_state(FlagFlow.suggestion)
    await state.update_data(copy_id=copy.id)
    await say(
        tr.gettext(
            "¿Qué está mal en la traducción? Escriba cómo debería decirse; una persona traductora "
            "lo revisará. El texto en español dice:"
        )
        + "\n\n"
        + copy.spanish
    )


async def take_suggestion(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    state: FSMContext,
    now: datetime,
) -> None:
    copy = await own_copy(db, person, int((await state.get_data()).get("copy_id", 0)))
    assert person is not None
    await report_translation(db, person, copy, message.text or "", shown=tr.template(copy.msgid), now=now)
    await state.clear()
    await say(tr.gettext("Gracias: su sugerencia quedó registrada para la persona traductora."))
