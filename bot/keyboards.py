"""Inline keyboards every feature shares (language, commission choice, cancel, skip); each feature
builds its own in its ui.py."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import button_labels as buttons
from bot.callbacks import CancelCB, CommissionCB, LanguageCB, SkipCB
from bot.i18n import Catalogs, Translator
from bot.workflows.membership.people import MembershipView


def languages(catalogs: Catalogs, tr: Translator) -> InlineKeyboardMarkup:
    """Each language by its own name, with its review status so drafts are visible as drafts."""
    kb = InlineKeyboardBuilder()
    for language in catalogs.languages.values():
        label = language.native_name
        if not language.reviewed:
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
