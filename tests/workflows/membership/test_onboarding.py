"""Commissions, invitations and redemption, against a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.errors import AccessDenied, NotFound, UserError
from bot.workflows.membership.commissions import create_commission, find_region
from bot.workflows.membership.invitations import (
    hash_token,
    invite_from_chat,
    issue_invitation,
    redeem_invitation,
)
from db.models import (
    CommissionKind,
    Institution,
    InstitutionCategory,
    Invitation,
    Membership,
    Person,
    Region,
    Role,
    Seat,
)
from tests.conftest import NOW


async def test_migration_seeds_the_26_jurisdictions(db: AsyncSession) -> None:
    regions = (await db.exec(select(Region))).all()
    codes = {r.code for r in regions}
    assert len(regions) == 26
    assert {"AMA", "ANC", "CUS", "PUN", "UCA", "LMA", "LIM", "CAL"} <= codes
    cusco = next(r for r in regions if r.code == "CUS")
    assert (cusco.name, cusco.seat, cusco.iso_code) == ("Cusco", "Cusco", "PE-CUS")


async def test_create_commission_by_code_name_or_accentless_name(db: AsyncSession) -> None:
    cus, created = await create_commission(db, "CUS", now=NOW)
    assert created and cus.name == "Comisión Regional Anticorrupción de Cusco"
    assert cus.kind == CommissionKind.REGIONAL
    again, created_again = await create_commission(db, "cusco", now=NOW)
    assert (again.id, created_again) == (cus.id, False)
    jun, _ = await create_commission(db, "junin", now=NOW)
    assert jun.code == "JUN"
    cal, _ = await create_commission(db, "CAL", now=NOW)
    assert cal.name == "Comisión Regional Anticorrupción del Callao"
    can, _ = await create_commission(db, "can", now=NOW)
    assert (can.code, can.kind, can.region_id) == ("CAN", CommissionKind.NATIONAL, None)


async def test_unknown_region_suggests_close_codes(db: AsyncSession) -> None:
    with pytest.raises(NotFound) as refused:
        await find_region(db, "Cuzko")
    assert refused.value.text.params["suggestions"].startswith("CUS")
    with pytest.raises(NotFound):
        await find_region(db, "Atlantis")


async def test_invitation_token_is_random_hashed_and_expires_in_14_days(db: AsyncSession) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    issued = await issue_invitation(
        db,
        cus,
        Role.SECRETARY,
        now=NOW,
        institution="Gobierno Regional del Cusco",
        invitee_name="Rosa  Mamani",
    )
    other = await issue_invitation(db, cus, Role.SECRETARY, now=NOW)
    assert issued.token != other.token
    assert len(issued.token) >= 22  # ≥ 128 bits in URL-safe base64
    stored = (await db.exec(select(Invitation).where(Invitation.id == issued.invitation.id))).one()
    assert stored.token_hash == hash_token(issued.token) and issued.token not in stored.token_hash
    assert stored.expires_at == NOW + timedelta(days=14)
    assert stored.invitee_name == "Rosa Mamani"
    institution = (await db.exec(select(Institution))).one()
    assert institution.category == InstitutionCategory.REGIONAL_GOVERNMENT


async def test_seats_are_reused_and_voice_only_by_category(db: AsyncSession) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    await issue_invitation(db, cus, Role.MEMBER, now=NOW, institution="Defensoría del Pueblo - Oficina Cusco")
    await issue_invitation(
        db, cus, Role.LIAISON, now=NOW, institution="defensoría del pueblo - oficina  cusco"
    )
    await issue_invitation(db, cus, Role.MEMBER, now=NOW, institution="Corte Superior de Justicia del Cusco")
    seats = (await db.exec(select(Seat, Institution).join(Institution))).all()
    assert {(i.name, s.voting) for s, i in seats} == {
        ("Defensoría del Pueblo - Oficina Cusco", False),
        ("Corte Superior de Justicia del Cusco", True),
    }


async def test_seated_roles_need_an_institution_and_roles_fit_the_commission(
    db: AsyncSession,
) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    can, _ = await create_commission(db, "CAN", now=NOW)
    with pytest.raises(UserError):
        await issue_invitation(db, cus, Role.LIAISON, now=NOW)
    with pytest.raises(UserError):
        await issue_invitation(db, cus, Role.CAN_ANALYST, now=NOW)
    with pytest.raises(UserError):
        await issue_invitation(db, can, Role.MEMBER, now=NOW, institution="Municipalidad Provincial")
    assert (await issue_invitation(db, can, Role.CAN_ANALYST, now=NOW)).invitation.role == Role.CAN_ANALYST


async def test_redeem_binds_once_and_never_again(db: AsyncSession) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    issued = await issue_invitation(
        db,
        cus,
        Role.SECRETARY,
        now=NOW,
        institution="Gobierno Regional del Cusco",
        invitee_name="Rosa Mamani",
    )
    done = await redeem_invitation(
        db, issued.token, telegram_id=5001, telegram_name="rosa_m", language="qu", now=NOW
    )
    assert done.new_person and done.person.name == "Rosa Mamani" and done.person.language == "qu"
    assert done.role == Role.SECRETARY and done.institution == "Gobierno Regional del Cusco"
    assert done.person.active_commission_id == cus.id
    membership = (await db.exec(select(Membership))).one()
    assert (membership.person_id, membership.role) == (done.person.id, Role.SECRETARY)
    with pytest.raises(UserError):
        await redeem_invitation(db, issued.token, telegram_id=5002, telegram_name="x", language="es", now=NOW)
    assert len((await db.exec(select(Person))).all()) == 1


@pytest.mark.parametrize("case", ["unknown", "expired", "revoked", "malformed"])
async def test_bad_tokens_are_refused_and_store_nothing(db: AsyncSession, case: str) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    issued = await issue_invitation(db, cus, Role.OBSERVER, now=NOW)
    token, when = issued.token, NOW
    if case == "unknown":
        token = "A" * 32
    elif case == "expired":
        when = NOW + timedelta(days=14)
    elif case == "revoked":
        issued.invitation.revoked_at = NOW
    else:
        token = "../../etc/passwd"
    with pytest.raises(UserError) as refused:
        await redeem_invitation(db, token, telegram_id=7, telegram_name="Eve", language="es", now=when)
    assert "invitación" in refused.value.text.msgid
    assert (await db.exec(select(Person))).all() == []


async def test_a_person_can_hold_roles_in_two_commissions(db: AsyncSession) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    pun, _ = await create_commission(db, "PUN", now=NOW)
    first = await issue_invitation(
        db,
        cus,
        Role.LIAISON,
        now=NOW,
        institution="Contraloría - Gerencia Regional de Control Cusco",
    )
    second = await issue_invitation(db, pun, Role.OBSERVER, now=NOW)
    await redeem_invitation(db, first.token, telegram_id=9, telegram_name="Juan", language="es", now=NOW)
    again = await redeem_invitation(
        db, second.token, telegram_id=9, telegram_name="Juan", language="ay", now=NOW
    )
    assert not again.new_person
    assert again.person.language == "es"  # a second invitation never overrides the chosen language
    assert again.person.active_commission_id == pun.id
    roles = {(m.commission_id, m.role) for m in (await db.exec(select(Membership))).all()}
    assert roles == {(cus.id, Role.LIAISON), (pun.id, Role.OBSERVER)}


async def test_chat_invitation_requires_the_secretary_role_and_notifies_the_inviter(
    db: AsyncSession,
) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    sec = await issue_invitation(db, cus, Role.SECRETARY, now=NOW)
    secretary = (
        await redeem_invitation(db, sec.token, telegram_id=1, telegram_name="Sec", language="es", now=NOW)
    ).person
    obs = await issue_invitation(db, cus, Role.OBSERVER, now=NOW)
    observer = (
        await redeem_invitation(db, obs.token, telegram_id=2, telegram_name="Obs", language="es", now=NOW)
    ).person
    assert cus.id is not None
    with pytest.raises(AccessDenied):
        await invite_from_chat(
            db,
            observer,
            cus.id,
            Role.MEMBER,
            now=NOW,
            institution="Municipalidad Provincial del Cusco",
        )
    issued = await invite_from_chat(
        db,
        secretary,
        cus.id,
        Role.MEMBER,
        now=NOW,
        institution="Municipalidad Provincial del Cusco",
    )
    joined = await redeem_invitation(
        db, issued.token, telegram_id=3, telegram_name="Alcalde", language="es", now=NOW
    )
    assert [n.person_id for n in joined.notices] == [secretary.id]
    assert joined.notices[0].text.params["name"] == "Alcalde"


async def test_secretary_cannot_invite_into_another_commission(db: AsyncSession) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    pun, _ = await create_commission(db, "PUN", now=NOW)
    sec = await issue_invitation(db, cus, Role.SECRETARY, now=NOW)
    secretary = (
        await redeem_invitation(db, sec.token, telegram_id=1, telegram_name="Sec", language="es", now=NOW)
    ).person
    assert pun.id is not None
    with pytest.raises(AccessDenied):
        await invite_from_chat(db, secretary, pun.id, Role.OBSERVER, now=NOW)


async def test_timestamps_come_back_timezone_aware_utc(db: AsyncSession) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    await db.commit()
    db.expunge_all()
    loaded = (await db.exec(select(Invitation))).all()
    assert loaded == []
    from db.models import Commission

    stored = (await db.exec(select(Commission).where(Commission.id == cus.id))).one()
    assert stored.created_at == NOW and stored.created_at.utcoffset() == timedelta(0)
