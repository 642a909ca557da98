"""/historial: the commission's audit trail for its secretariat, page by page, and as CSV."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import PRIVATE
from bot.handlers.history_labels import action_label, actor_label, entity_ref
from bot.i18n import Translator
from bot.live import stale_press
from bot.replies import Replies
from bot.workflows.audit import history_csv, read_history
from bot.workflows.membership.people import active_commission_id
from db.models import Person

PAGE = 15
HISTORY = "history"  # the screen: one message per chat, paged in place


class HistoryCB(CallbackData, prefix="hist1"):
    offset: int


async def _show(db: AsyncSession, person: Person | None, tr: Translator, say: Replies, offset: int) -> None:
    entries, total = await read_history(
        db, person, await active_commission_id(db, person), limit=PAGE, offset=offset
    )
    if not entries:
        await say(tr.gettext("Todavía no hay cambios registrados."))
        return
    lines = [
        tr.ngettext(
            "<b>Historial</b>: {n} cambio registrado.",
            "<b>Historial</b>: {n} cambios registrados.",
            total,
        )
    ]
    for entry in entries:
        lines.append(
            tr.gettext(
                "#{seq} · {when} · {who}: {action} ({entity_id})",
                seq=entry.seq,
                when=entry.at,
                who=actor_label(entry.actor_label),
                action=action_label(entry.action),
                entity_id=entity_ref(str(entry.entity_id)),
            )
        )
    kb = InlineKeyboardBuilder()
    if offset + PAGE < total:
        # TRANSLATORS: button: show the older changes of the audit trail (the previous page).
        kb.button(text=tr.gettext("Anteriores"), callback_data=HistoryCB(offset=offset + PAGE))
    if offset > 0:  # the page is edited in place: the way back to newer changes
        kb.button(text=tr.gettext("Siguientes"), callback_data=HistoryCB(offset=max(offset - PAGE, 0)))
    lines.append(tr.gettext("Escriba /historial csv para recibir el historial completo en un archivo."))
    await say.screen("\n".join(lines), reply_markup=kb.as_markup() if list(kb.buttons) else None, key=HISTORY)


async def show_history(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    if (command.args or "").strip().lower() == "csv":
        commission_id = await active_commission_id(db, person)
        everything, _ = await read_history(db, person, commission_id, limit=1_000_000)
        await say.document(
            "historial.csv", history_csv(everything), caption=tr.gettext("Historial de cambios")
        )
        return
    await _show(db, person, tr, say, 0)


async def more_history(
    query: CallbackQuery,
    callback_data: HistoryCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    if await stale_press(query, db, HISTORY, tr):
        return
    await _show(db, person, tr, say, max(callback_data.offset, 0))


def router() -> Router:
    r = Router(name="history")
    r.message.filter(PRIVATE)
    r.message.register(show_history, Command("historial"))
    r.callback_query.register(more_history, HistoryCB.filter())
    return r
