"""Typed, versioned callback data: ids only, re-checked on arrival (callback data is user input)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from db.models import Role


class LanguageCB(CallbackData, prefix="lang1"):
    code: str


class CommissionCB(CallbackData, prefix="com1"):
    commission_id: int


class InviteRoleCB(CallbackData, prefix="inr1"):
    role: Role


class InviteSeatCB(CallbackData, prefix="ins1"):
    """seat_id > 0: an existing seat; NEW_SEAT: type a new institution; NO_SEAT: none."""

    seat_id: int


NEW_SEAT = 0
NO_SEAT = -1


class SkipCB(CallbackData, prefix="skip1"):
    pass


class CancelCB(CallbackData, prefix="cancel1"):
    pass


class PrivacyCB(CallbackData, prefix="priv1"):
    """step "ask": show the warning; step "erase": erase now."""

    step: str


class RevokeCB(CallbackData, prefix="rev1"):
    invitation_id: int


class HistoryCB(CallbackData, prefix="hist1"):
    offset: int


class AcceptInvitationCB(CallbackData, prefix="join1"):
    accept: bool
