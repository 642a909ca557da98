"""Callback data every feature shares (cancel, skip, language, commission choice): typed, versioned,
ids only, re-checked on arrival (callback data is user input). Each feature keeps its own in its ui.py,
except the buttons that notices carry: bot/notify.py packs those, and notify never imports handlers."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.workflows.sessions.votes import Vote
from db.models import Answer


class LanguageCB(CallbackData, prefix="lang1"):
    code: str


class CommissionCB(CallbackData, prefix="com1"):
    commission_id: int


class SkipCB(CallbackData, prefix="skip1"):
    pass


class CancelCB(CallbackData, prefix="cancel1"):
    pass


# --- buttons under notices (packed by bot/notify.py, handled by the features' handlers) ---


class RsvpCB(CallbackData, prefix="rsvp1"):
    """Packed by `bot.workflows.sessions.convocation.rsvp_data` too (messages sent by workflows)."""

    session_id: int
    answer: Answer


class KeepCB(CallbackData, prefix="keep1"):
    session_id: int


class VoteCB(CallbackData, prefix="vote1"):
    """Packed by `bot.workflows.sessions.meeting.vote_data` too."""

    item_id: int
    vote: Vote


class AskDeadlineCB(CallbackData, prefix="agq1"):
    """A liaison asks for a new deadline (under the overdue notice)."""

    agreement_id: int


class DecideDeadlineCB(CallbackData, prefix="agz1"):
    """The secretary accepts or refuses a request for a new deadline (its event id)."""

    request_id: int
    accept: bool


class ContactCB(CallbackData, prefix="dirc1"):
    """An institution answers a directory confirmation request."""

    check_id: int
    ok: bool


class SpanishCB(CallbackData, prefix="es1"):
    """«Ver en español» under a legal notice to a reader of another language (its stored copy)."""

    copy_id: int


class FlagCB(CallbackData, prefix="flag1"):
    """«⚑» under a notice in a draft language: report its translation (the stored copy)."""

    copy_id: int
