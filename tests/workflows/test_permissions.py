"""The permission matrix: every role × every action × own or another commission, through the gate.

The expected table is written out here on purpose (not derived from PERMISSIONS), so that a
change to who may do what shows up as a failing test someone has to agree with.
"""

from __future__ import annotations

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.access import Action, access_commission
from bot.workflows.errors import AccessDenied
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from db.models import Person, Role
from tests.conftest import NOW

S, P, M, A, L, OBS, C = "secretary", "president", "member", "alternate", "liaison", "observer", "can_analyst"
EVERYONE = {S, P, M, A, L, OBS, C}

EXPECTED: dict[Action, set[str]] = {
    Action.VIEW_PROFILE: EVERYONE,
    Action.SWITCH_COMMISSION: EVERYONE,
    Action.INVITE: {S},
    Action.REVOKE_INVITATION: {S},
    Action.VIEW_MEMBERS: EVERYONE,
    Action.VIEW_CONTACTS: {S, P},
    Action.MANAGE_MEMBERS: {S},
    Action.VIEW_HISTORY: {S},
    Action.VIEW_SESSIONS: EVERYONE,
    Action.MANAGE_SESSIONS: {S},
    Action.ANSWER_CONVOCATION: {P, M, A, L, OBS},
    Action.CAST_VOTE: {P, M, A},
    Action.LINK_GROUP: {S},
    Action.VIEW_AGREEMENTS: EVERYONE,
    Action.MANAGE_AGREEMENTS: {S},
    Action.REPORT_PROGRESS: {L, S},
    Action.REQUEST_DEADLINE: {L},
    Action.REQUEST_ASSISTANCE: EVERYONE,
    Action.HANDLE_ASSISTANCE: {C},
    Action.VIEW_DASHBOARD: {S, P, C},
    Action.MANAGE_PUBLICATION: {S},
}

ROLES = [None, *Role]  # None: a stranger with no membership anywhere


def test_every_action_is_in_the_expected_table() -> None:
    assert set(EXPECTED) == set(Action)


async def person_with(db: AsyncSession, role: Role | None) -> tuple[Person | None, int, int]:
    """(person, own commission id, other commission id): a CRA for seats, the CAN for analysts."""
    cus, _ = await create_commission(db, "CUS", now=NOW)
    can, _ = await create_commission(db, "CAN", now=NOW)
    pun, _ = await create_commission(db, "PUN", now=NOW)
    assert cus.id and can.id and pun.id
    if role is None:
        return None, cus.id, pun.id
    own = can if role == Role.CAN_ANALYST else cus
    issued = await issue_invitation(db, own, role, now=NOW, institution="Municipalidad Provincial del Cusco")
    done = await redeem_invitation(db, issued.token, telegram_id=1, telegram_name="X", language="es", now=NOW)
    return done.person, own.id or 0, pun.id


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "stranger")
async def test_the_gate_allows_exactly_the_table_in_own_commission_and_nothing_elsewhere(
    db: AsyncSession, role: Role | None
) -> None:
    person, own, other = await person_with(db, role)
    outcome: dict[Action, tuple[bool, bool]] = {}
    for action in Action:
        results = []
        for commission_id in (own, other):
            try:
                await access_commission(db, person, commission_id, action)
                results.append(True)
            except AccessDenied:
                results.append(False)
        outcome[action] = (results[0], results[1])
    expected = {a: (role is not None and role.value in allowed, False) for a, allowed in EXPECTED.items()}
    assert outcome == expected


async def test_unknown_commission_ids_are_refused_like_foreign_ones(db: AsyncSession) -> None:
    person, own, _ = await person_with(db, Role.SECRETARY)
    for commission_id in (own + 1000, -1, 0):
        with pytest.raises(AccessDenied):
            await access_commission(db, person, commission_id, Action.VIEW_PROFILE)


async def test_the_translator_role_grants_no_commission_action(db: AsyncSession) -> None:
    """A translator (a role per language, no commission) reviews their language only: every
    commission action is refused in every commission, and no commission role opens /traducir."""
    from bot.workflows.translations.reviewers import access_review, grant_translator

    secretary, own, other = await person_with(db, Role.SECRETARY)
    translator, _ = await grant_translator(db, 99, "qu", languages={"es", "qu", "ay"}, now=NOW, name="T")
    for action in Action:
        for commission_id in (own, other):
            with pytest.raises(AccessDenied):
                await access_commission(db, translator, commission_id, action)
    assert (await access_review(db, translator)).language == "qu"
    with pytest.raises(AccessDenied):
        await access_review(db, translator, "ay")
    with pytest.raises(AccessDenied):
        await access_review(db, secretary, "qu")
