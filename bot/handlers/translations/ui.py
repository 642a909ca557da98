"""Translations: callback data (ids only), conversation states, the buttons under notices and the
reviewer's card."""

from __future__ import annotations

import html

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import FlagCB as FlagCB  # re-exported: notices carry them
from bot.callbacks import SpanishCB as SpanishCB
from bot.i18n import Translator, msg
from bot.keyboards import cancel_row
from bot.workflows.translations.review import QueueItem

APPROVE = msg("✅ Aprobar")
SKIP = msg("⏭ Siguiente")


class ReviewCB(CallbackData, prefix="tr1"):
    language: str
    key: str  # review.string_key of the msgid
    approve: bool


class FlagFlow(StatesGroup):
    suggestion = State()


class ReviewFlow(StatesGroup):
    correction = State()


def card(tr: Translator, item: QueueItem, left: int, language_name: str) -> str:
    """One string for the reviewer: the Spanish, where it is used, the translation readers get,
    how often it was sent and what readers suggested."""
    parts = [
        tr.ngettext(
            "<b>{language}</b>: {n} cadena por revisar.",
            "<b>{language}</b>: {n} cadenas por revisar.",
            left,
            language=language_name,
        ),
        tr.gettext("Español:") + f"\n<code>{html.escape(item.entry.msgid)}</code>",
    ]
    if item.entry.context:
        parts.append(tr.gettext("Sentido:") + f" {html.escape(item.entry.context)}")
    if item.entry.occurrences or item.entry.notes:
        where = ", ".join(item.entry.occurrences)
        notes = f"\n{item.entry.notes}" if item.entry.notes else ""
        parts.append(tr.gettext("Dónde se usa:") + f" {html.escape(where)}{html.escape(notes)}")
    parts.append(tr.gettext("Traducción actual:") + f"\n<code>{html.escape(item.translation)}</code>")
    parts.append(tr.ngettext("Enviada {n} vez.", "Enviada {n} veces.", item.sends))
    if item.reports:
        lines = "\n".join(f"⚑ {html.escape(s)}" for s in item.reports)
        parts.append(
            tr.ngettext("{n} reporte de lectores:", "{n} reportes de lectores:", len(item.reports))
            + "\n"
            + lines
        )
    parts.append(tr.gettext("Escriba la traducción corregida, o apruebe la actual."))
    return "\n\n".join(parts)


def card_buttons(tr: Translator, language: str, item: QueueItem) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.render(APPROVE), callback_data=ReviewCB(language=language, key=item.key, approve=True))
    kb.button(text=tr.render(SKIP), callback_data=ReviewCB(language=language, key=item.key, approve=False))
    cancel_row(kb, tr)
    kb.adjust(2, 1)
    return kb.as_markup()
