"""/traducir: a translator reviews their language's strings one by one — reported first, then the
drafts most sent — and approves each or writes its correction, which the next message uses."""

from __future__ import annotations

from datetime import datetime

from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.corrections import correction_made
from bot.handlers.translations import ui
from bot.i18n import Catalogs, Translator, msg
from bot.replies import Replies
from bot.workflows.errors import NotFound
from bot.workflows.translations.review import QueueItem, decide_string, review_queue
from bot.workflows.translations.reviewers import Reviewer, access_review
from db.models import Person


async def _queue(db: AsyncSession, catalogs: Catalogs, reviewer: Reviewer) -> list[QueueItem]:
    entries = catalogs.entries.get(reviewer.language, {})
    return await review_queue(db, reviewer, entries, catalogs.corrections.get(reviewer.language, {}))


async def _show_next(
    db: AsyncSession,
    catalogs: Catalogs,
    reviewer: Reviewer,
    tr: Translator,
    say: Replies,
    state: FSMContext,
    after: str = "",
) -> None:
    """The next string to review (the one after `after`, when skipping), or «nothing left»."""
    queue = await _queue(db, catalogs, reviewer)
    keys = [item.key for item in queue]
    start = keys.index(after) + 1 if after in keys else 0
    if not queue[start:]:
        await state.clear()
        await say(tr.gettext("No quedan cadenas por revisar en este idioma. Gracias."))
        return
    item = queue[start]
    await state.set_state(ui.ReviewFlow.correction)
    await state.update_data(language=reviewer.language, key=item.key)
    name = catalogs.languages[reviewer.language].native_name
    await say(ui.card(tr, item, len(queue), name), reply_markup=ui.card_buttons(tr, reviewer.language, item))


async def start_review(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    catalogs: Catalogs,
    tr: Translator,
    say: Replies,
    state: FSMContext,
) -> None:
    language = catalogs.resolve(command.args) if command.args else None
    reviewer = await access_review(db, person, language)
    await _show_next(db, catalogs, reviewer, tr, say, state)


async def _item(db: AsyncSession, catalogs: Catalogs, reviewer: Reviewer, key: str) -> QueueItem:
    for item in await _queue(db, catalogs, reviewer):
        if item.key == key:
            return item
    raise NotFound(msg("Esa cadena ya fue revisada. Escriba /traducir para ver la siguiente."))


async def press_review(
    query: CallbackQuery,
    callback_data: ui.ReviewCB,
    db: AsyncSession,
    person: Person | None,
    catalogs: Catalogs,
    tr: Translator,
    say: Replies,
    state: FSMContext,
    now: datetime,
) -> None:
    reviewer = await access_review(db, person, callback_data.language)
    await query.answer()
    if callback_data.approve:
        item = await _item(db, catalogs, reviewer, callback_data.key)
        await decide_string(db, reviewer, item.entry, current=item.translation, correction=None, now=now)
        await say(tr.gettext("Aprobada."))
    await _show_next(
        db, catalogs, reviewer, tr, say, state, after="" if callback_data.approve else callback_data.key
    )


async def take_correction(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    catalogs: Catalogs,
    tr: Translator,
    say: Replies,
    state: FSMContext,
    now: datetime,
) -> None:
    data = await state.get_data()
    reviewer = await access_review(db, person, str(data.get("language", "")))
    item = await _item(db, catalogs, reviewer, str(data.get("key", "")))
    await decide_string(db, reviewer, item.entry, current=item.translation, correction=message.text, now=now)
    correction_made(catalogs)
    await say(tr.gettext("Corregida: los próximos mensajes ya la usan."))
    await _show_next(db, catalogs, reviewer, tr, say, state)
