"""Inline keyboards, built from typed callback data."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    NEW_SEAT,
    NO_SEAT,
    AcceptInvitationCB,
    CancelCB,
    CommissionCB,
    InviteRoleCB,
    InviteSeatCB,
    LanguageCB,
    SkipCB,
)
from bot.i18n import Catalogs, Translator
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.commissions import SeatView
from bot.workflows.membership.people import MembershipView
from db.models import Role


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
    kb.button(text=tr.gettext("Cancelar"), callback_data=CancelCB())


def invite_roles(roles: Iterable[Role], tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for role in roles:
        kb.button(text=tr.render(ROLE_LABELS[role]), callback_data=InviteRoleCB(role=role))
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def invite_seats(seats: Iterable[SeatView], tr: Translator, *, seat_optional: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for seat in seats:
        kb.button(text=seat.institution[:60], callback_data=InviteSeatCB(seat_id=seat.seat_id))
    kb.button(text=tr.gettext("Otra institución (escribir)"), callback_data=InviteSeatCB(seat_id=NEW_SEAT))
    if seat_optional:
        kb.button(text=tr.gettext("Sin institución"), callback_data=InviteSeatCB(seat_id=NO_SEAT))
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


def skip_or_cancel(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("Omitir"), callback_data=SkipCB())
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def accept_invitation(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("Aceptar"), callback_data=AcceptInvitationCB(accept=True))
    kb.button(text=tr.gettext("No es para mí"), callback_data=AcceptInvitationCB(accept=False))
    kb.adjust(2)
    return kb.as_markup()
