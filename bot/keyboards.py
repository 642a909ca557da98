"""Inline keyboards every feature shares (language, commission choice, cancel, skip); each feature
builds its own in its ui.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import button_labels as buttons
from bot.callbacks import CancelCB, CommissionCB, LanguageCB, SkipCB
from bot.i18n import Catalogs, Translator, msg
from bot.workflows.membership.people import MembershipView


def languages(catalogs: Catalogs, tr: Translator) -> InlineKeyboardMarkup:
    """Each language by its own name, with its review status so drafts are visible as drafts, and
    a draft whose legal texts a reviewer approved says so."""
    kb = InlineKeyboardBuilder()
    for language in catalogs.languages.values():
        label = language.native_name
        if not language.reviewed and language.legal_approved:
            label = tr.gettext("{language} (textos legales aprobados)", language=language.native_name)
        elif not language.reviewed:
            label = tr.gettext("{language} (borrador sin revisar)", language=language.native_name)
        kb.button(text=label, callback_data=LanguageCB(code=language.code))
    kb.adjust(1)
    return kb.as_markup()


def commissions(memberships: Iterable[MembershipView], active_id: int | None) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    seen: set[int] = set()
    for m in memberships:
        if m.commission_id in seen:
            continue
        seen.add(m.commission_id)
        mark = "✅ " if m.commission_id == active_id else ""
        kb.button(
            text=f"{mark}{m.commission_code} · {m.commission_name}",
            callback_data=CommissionCB(commission_id=m.commission_id),
        )
    kb.adjust(1)
    return kb.as_markup()


def cancel_row(kb: InlineKeyboardBuilder, tr: Translator) -> None:
    kb.button(text=tr.render(buttons.CANCEL), callback_data=CancelCB())


def skip_or_cancel(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.render(buttons.SKIP), callback_data=SkipCB())
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


# The liaison's persistent button (a reply keyboard under the text box) for what liaisons do most;
# its label, typed back in any language, starts /avance (bot/filters.py ButtonLabel).
REPORT_PROGRESS = msg("📈 Informar avance")


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def markup_of(payload: dict[str, Any] | None) -> Markup:
    """An outbox row's stored reply_markup as the Bot API type it was made from."""
    if not payload:
        return None
    if "keyboard" in payload:
        return ReplyKeyboardMarkup.model_validate(payload)
    return InlineKeyboardMarkup.model_validate(payload)


def liaison_keyboard(tr: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=tr.render(REPORT_PROGRESS))]],
        resize_keyboard=True,
        is_persistent=True,
    )
