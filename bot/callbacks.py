"""Callback data every feature shares (cancel, skip, language, commission choice): typed, versioned,
ids only, re-checked on arrival (callback data is user input). Each feature keeps its own in its ui.py."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageCB(CallbackData, prefix="lang1"):
    code: str


class CommissionCB(CallbackData, prefix="com1"):
    commission_id: int


class SkipCB(CallbackData, prefix="skip1"):
    pass


class CancelCB(CallbackData, prefix="cancel1"):
    pass
