"""Membership: callback data (ids only, re-checked on arrival), conversation states and keyboards
for invitations (issue, accept, revoke) and personal data (see, erase)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Translator
from bot.keyboards import cancel_row
from bot.workflows.business_days import lima_date
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.commissions import SeatView
from bot.workflows.membership.invitations import InvitationPreview, IssuedInvitation, Redemption
from db.models import Role

# --- callback data -------------------------------------------------------------------------------


class InviteRoleCB(CallbackData, prefix="inr1"):
    role: Role


class InviteSeatCB(CallbackData, prefix="ins1"):
    """seat_id > 0: an existing seat; NEW_SEAT: type a new institution; NO_SEAT: none."""

    seat_id: int


NEW_SEAT = 0
NO_SEAT = -1


class RevokeCB(CallbackData, prefix="rev1"):
    invitation_id: int


class AcceptInvitationCB(CallbackData, prefix="join1"):
    accept: bool


class Step(StrEnum):
    ASK = "ask"  # show the warning
    ERASE = "erase"  # erase now


class PrivacyCB(CallbackData, prefix="priv1"):
    step: Step


# --- states -------------------------------------------------------------------------------------


class InviteFlow(StatesGroup):
    role = State()
    seat = State()
    institution = State()
    name = State()


# --- keyboards -----------------------------------------------------------------------------------


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


def invitation_ready(tr: Translator, issued: IssuedInvitation, name: str | None) -> str:
    """What the secretary reads above the link to forward."""
    expires = lima_date(issued.invitation.expires_at)
    who = name or tr.gettext("la persona invitada")
    role = ROLE_LABELS[issued.invitation.role]
    if issued.institution:
        return tr.gettext(
            "Invitación lista para {who}: {role} de {institution} en {commission}.\n"
            "Reenvíele este enlace. Sirve una sola vez y vence el {date}.",
            who=who,
            role=role,
            institution=issued.institution,
            commission=issued.commission.code,
            date=expires,
        )
    return tr.gettext(
        "Invitación lista para {who}: {role} en {commission}.\n"
        "Reenvíele este enlace. Sirve una sola vez y vence el {date}.",
        who=who,
        role=role,
        commission=issued.commission.code,
        date=expires,
    )


def invitation_offer(tr: Translator, preview: InvitationPreview) -> str:
    """What an invitation would make of the person who opened its link."""
    role = ROLE_LABELS[preview.role]
    if preview.institution:
        return tr.gettext(
            "Le invitan a {commission} como {role}, en representación de {institution}. ¿Acepta?",
            commission=preview.commission.name,
            role=role,
            institution=preview.institution,
        )
    return tr.gettext(
        "Le invitan a {commission} como {role}. ¿Acepta?", commission=preview.commission.name, role=role
    )


def welcome_text(tr: Translator, redemption: Redemption) -> str:
    """The first message of someone who just accepted an invitation."""
    person, role = redemption.person, ROLE_LABELS[redemption.role]
    if redemption.institution:
        return tr.gettext(
            "Bienvenido(a), {name}. Desde ahora participa en {commission} como {role}, "
            "en representación de {institution}.",
            name=person.name,
            commission=redemption.commission.name,
            role=role,
            institution=redemption.institution,
        )
    return tr.gettext(
        "Bienvenido(a), {name}. Desde ahora participa en {commission} como {role}.",
        name=person.name,
        commission=redemption.commission.name,
        role=role,
    )


def accept_invitation(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    # TRANSLATORS: button: accept the invitation to join the commission.
    kb.button(text=tr.gettext("Aceptar"), callback_data=AcceptInvitationCB(accept=True))
    kb.button(text=tr.gettext("No es para mí"), callback_data=AcceptInvitationCB(accept=False))
    kb.adjust(2)
    return kb.as_markup()


def revocations(tr: Translator, pending: Iterable[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One «Revocar» button per pending invitation (id, who)."""
    kb = InlineKeyboardBuilder()
    for invitation_id, who in pending:
        kb.button(
            text=tr.gettext("Revocar: {who}", who=who)[:60],
            callback_data=RevokeCB(invitation_id=invitation_id),
        )
    kb.adjust(1)
    return kb.as_markup()


def erase_offer(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("Eliminar mis datos"), callback_data=PrivacyCB(step=Step.ASK))
    return kb.as_markup()


def erase_confirmation(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("Sí, eliminar mis datos"), callback_data=PrivacyCB(step=Step.ERASE))
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()
