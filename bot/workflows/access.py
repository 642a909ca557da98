"""The permission gate: who may do what, in which commission.

Every workflow that reads or changes a commission's data obtains an `Actor` from
`access_commission`, which checks the person's roles in *that* commission. Callback data is user
input, so button presses come through here again.

An object fetched by id (a session, an agreement, a request…) is fetched only by its feature's
`access_*` function, which passes the object's commission to `access_object`: a person outside
that commission is told the object does not exist, exactly as if it did not, so a forged id learns
nothing (Zulip's `access_*` helpers).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg
from bot.workflows.errors import AccessDenied
from bot.workflows.standing import serving
from db.models import Commission, Person, Role


class Action(StrEnum):
    VIEW_PROFILE = "view_profile"
    SWITCH_COMMISSION = "switch_commission"
    INVITE = "invite"
    REVOKE_INVITATION = "revoke_invitation"
    VIEW_MEMBERS = "view_members"
    VIEW_CONTACTS = "view_contacts"  # the directory's contact details (issue 16)
    MANAGE_MEMBERS = "manage_members"  # change a role, end a membership, designate a successor
    VIEW_HISTORY = "view_history"
    # sessions (issue 5)
    VIEW_SESSIONS = "view_sessions"
    MANAGE_SESSIONS = "manage_sessions"  # schedule, agenda, postpone, cancel, roll call, acta, rules
    ANSWER_CONVOCATION = "answer_convocation"  # RSVP, justified absence, accredited alternate
    CAST_VOTE = "cast_vote"  # the seat must also have a vote (checked by the workflow)
    LINK_GROUP = "link_group"
    # agreements (issue 6)
    VIEW_AGREEMENTS = "view_agreements"
    MANAGE_AGREEMENTS = "manage_agreements"  # create, edit, reschedule, close, cancel, import/export
    REPORT_PROGRESS = "report_progress"  # a liaison only for its own institution (workflow checks)
    REQUEST_DEADLINE = "request_deadline"  # a liaison asks for a new deadline (own institution)
    # progress rounds and technical assistance (issue 7)
    REQUEST_ASSISTANCE = "request_assistance"  # in the requester's own commission
    HANDLE_ASSISTANCE = "handle_assistance"  # in the CAN: analysts move requests on
    # the web side (issue 17)
    VIEW_DASHBOARD = "view_dashboard"  # the CAN's dashboard: analysts nationally, a CRA's own region
    MANAGE_PUBLICATION = "manage_publication"  # the public page's link and publication choice


EVERY_ROLE = frozenset(Role)
SECRETARY_ONLY = frozenset({Role.SECRETARY})
CONVENED = frozenset({Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE, Role.LIAISON, Role.OBSERVER})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_PROFILE: EVERY_ROLE,
    Action.SWITCH_COMMISSION: EVERY_ROLE,
    Action.INVITE: SECRETARY_ONLY,
    Action.REVOKE_INVITATION: SECRETARY_ONLY,
    Action.VIEW_MEMBERS: EVERY_ROLE,
    Action.VIEW_CONTACTS: frozenset({Role.SECRETARY, Role.PRESIDENT}),
    Action.MANAGE_MEMBERS: SECRETARY_ONLY,
    Action.VIEW_HISTORY: SECRETARY_ONLY,
    Action.VIEW_SESSIONS: EVERY_ROLE,
    Action.MANAGE_SESSIONS: SECRETARY_ONLY,
    Action.ANSWER_CONVOCATION: CONVENED,
    Action.CAST_VOTE: frozenset({Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE}),
    Action.LINK_GROUP: SECRETARY_ONLY,
    Action.VIEW_AGREEMENTS: EVERY_ROLE,
    Action.MANAGE_AGREEMENTS: SECRETARY_ONLY,
    Action.REPORT_PROGRESS: frozenset({Role.LIAISON, Role.SECRETARY}),
    Action.REQUEST_DEADLINE: frozenset({Role.LIAISON}),
    Action.REQUEST_ASSISTANCE: EVERY_ROLE,
    Action.HANDLE_ASSISTANCE: frozenset({Role.CAN_ANALYST}),
    Action.VIEW_DASHBOARD: frozenset({Role.SECRETARY, Role.PRESIDENT, Role.CAN_ANALYST}),
    Action.MANAGE_PUBLICATION: SECRETARY_ONLY,
}

# Roles a secretary may hand out, by kind of commission: the CAN has analysts, a CRA has seats.
INVITABLE_ROLES: dict[str, tuple[Role, ...]] = {
    "regional": (
        Role.SECRETARY,
        Role.PRESIDENT,
        Role.MEMBER,
        Role.ALTERNATE,
        Role.LIAISON,
        Role.OBSERVER,
    ),
    "national": (Role.SECRETARY, Role.CAN_ANALYST),
}


@dataclass(frozen=True)
class Actor:
    """A person acting in one commission with the roles they hold there."""

    person: Person
    commission: Commission
    roles: frozenset[Role]

    def may(self, action: Action) -> bool:
        return may(self.roles, action)


def may(roles: frozenset[Role] | set[Role], action: Action) -> bool:
    return bool(PERMISSIONS[action] & set(roles))


async def roles_in(db: AsyncSession, person_id: int, commission_id: int) -> frozenset[Role]:
    return frozenset(role for c, role in await serving(db, person_id) if c.id == commission_id)


async def access_commission(
    db: AsyncSession, person: Person | None, commission_id: int | None, action: Action
) -> Actor:
    """The actor for `person` in that commission, or AccessDenied (strangers included)."""
    if person is None or person.id is None or commission_id is None:
        raise AccessDenied(msg("Necesita una invitación de su comisión para usar esta función."))
    commission = await db.get(Commission, commission_id)
    roles = await roles_in(db, person.id, commission_id) if commission else frozenset()
    if commission is None or not roles:
        raise AccessDenied(msg("No forma parte de esa comisión."))
    return require(Actor(person, commission, roles), action)


async def access_object(
    db: AsyncSession, person: Person | None, commission_id: int | None, action: Action, unknown: Text
) -> Actor:
    """The gate for one object of a commission (`commission_id` None: there is no such object).

    A missing object and one in a commission the person is not in are refused alike, with
    `unknown` ("Esa sesión no existe."); strangers hear what `access_commission` tells them; inside
    the commission, the person's roles decide as everywhere.
    """
    if person is None or person.id is None:
        return await access_commission(db, person, commission_id, action)  # refused: a stranger
    roles = await roles_in(db, person.id, commission_id) if commission_id is not None else frozenset()
    commission = await db.get(Commission, commission_id) if roles else None
    if commission is None:
        raise AccessDenied(unknown)
    return require(Actor(person, commission, roles), action)


def require(actor: Actor, action: Action) -> Actor:
    """The actor, if their roles allow `action`; else AccessDenied."""
    if not actor.may(action):
        raise AccessDenied(msg("Su función en esta comisión no permite esta acción."))
    return actor
