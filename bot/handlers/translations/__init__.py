"""Translations: «Ver en español» and «⚑» under notices in another language, and /traducir for
translators."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter

from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.translations import notices, review, ui


def router() -> Router:
    r = Router(name="translations")
    r.message.filter(PRIVATE)
    r.callback_query.register(notices.show_spanish, ui.SpanishCB.filter())
    r.callback_query.register(notices.ask_suggestion, ui.FlagCB.filter())
    r.message.register(notices.take_suggestion, StateFilter(ui.FlagFlow.suggestion), TEXT, NOT_COMMAND)
    r.message.register(review.start_review, Command("traducir"))
    r.callback_query.register(review.press_review, ui.ReviewCB.filter())
    r.message.register(review.take_correction, StateFilter(ui.ReviewFlow.correction), TEXT, NOT_COMMAND)
    return r
