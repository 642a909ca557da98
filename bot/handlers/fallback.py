"""Whatever no feature took: unknown commands, stray text, stale buttons. Never silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.filters import COMMAND_LIKE, PRIVATE
from bot.i18n import Translator
from bot.render import how_to_join
from bot.replies import Replies
from db.models import Person


async def press_a_button(message: Message, tr: Translator, say: Replies) -> None:
    """For guided steps waiting for a button: typed text gets this hint, shared by every flow."""
    await say(tr.gettext("Elija una opción con los botones de arriba, o escriba /cancelar."))


async def unknown_command(message: Message, person: Person | None, tr: Translator, say: Replies) -> None:
    if person is None:
        await say(how_to_join(tr))
        return
    await say(tr.gettext("No conozco esa orden. Escriba /ayuda para ver lo que puede hacer."))


async def free_text(message: Message, person: Person | None, tr: Translator, say: Replies) -> None:
    if person is None:
        await say(how_to_join(tr))
        return
    await say(tr.gettext("Todavía no entiendo mensajes libres. Use los botones o escriba /ayuda."))


async def stale_button(query: CallbackQuery, tr: Translator) -> None:
    await query.answer(
        tr.gettext("Este botón ya no está activo. Escriba /ayuda para empezar de nuevo."),
        show_alert=True,
    )


def router() -> Router:
    r = Router(name="fallback")
    r.message.filter(PRIVATE)
    r.message.register(unknown_command, COMMAND_LIKE)
    r.message.register(free_text)
    r.callback_query.register(stale_button)
    return r
