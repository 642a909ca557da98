"""Security through the real dispatcher: revocation, history, personal data, guessing, floods."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery, DeleteMyCommands, SendDocument
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.membership.ui import RevokeCB
from bot.i18n import Catalogs
from bot.middlewares import FloodMiddleware
from db.models import AuditEntry, Invitation, Membership, Person, Role, TokenAttempt
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, make_harness, plain, replies


async def joined(harness: Harness, user_id: int, token: str, language: str = "Español") -> ChatUser:
    user = harness.user(user_id)
    await user.join(token)
    await user.click(language)
    return user


async def test_secretary_revokes_a_pending_invitation_and_the_link_dies(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    sec = await joined(harness, 1, await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco"))
    pending_token = await invite("CUS", Role.OBSERVER, None, "Luz Huamán")
    said = replies(await sec.send("/invitaciones"))
    assert "1 invitación pendiente" in said[0] and "Luz Huamán" in said[0]
    said = replies(await sec.click("Revocar: Luz Huamán"))
    assert "revocada" in said[0]
    refused = replies(await harness.user(2).join(pending_token))
    assert "no es válido" in refused[0]
    assert (await db.exec(select(Person).where(Person.telegram_id == 2))).first() is None
    actions = (await db.exec(select(AuditEntry.action))).all()
    assert "invitation.revoked" in actions


async def test_a_member_cannot_revoke_even_with_a_forged_button(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    member = await joined(
        harness, 3, await invite("CUS", Role.MEMBER, "Corte Superior de Justicia del Cusco")
    )
    target = await invite("CUS", Role.OBSERVER)
    target_id = (await db.exec(select(Invitation.id).where(Invitation.used_at.is_(None)))).one()  # type: ignore[union-attr]
    said = replies(await member.press(RevokeCB(invitation_id=target_id).pack()))
    assert "no permite" in said[0]
    welcome = replies(await harness.user(4).join(target))
    assert any("Bienvenido" in text for text in welcome)


async def test_history_is_for_the_secretariat_and_comes_as_csv(harness: Harness, invite: Invite) -> None:
    sec = await joined(harness, 5, await invite("PUN", Role.SECRETARY, "Gobierno Regional de Puno"))
    said = replies(await sec.send("/historial"))
    assert "Historial" in said[0] and "Invitación aceptada" in said[0]
    requests = await sec.send("/historial csv")
    [document] = [r for r in requests if isinstance(r, SendDocument)]
    assert document.document.filename == "historial.csv"  # type: ignore[union-attr]
    observer = await joined(harness, 6, await invite("PUN", Role.OBSERVER))
    assert "no permite" in replies(await observer.send("/historial"))[0]


async def test_my_data_is_shown_and_sent_then_erased_on_request(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    sec = await joined(
        harness, 7, await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco"), "Aymar"
    )
    liaison = await joined(
        harness, 8, await invite("CUS", Role.LIAISON, "Contraloría Regional Cusco", "Juan Quispe")
    )
    requests = await liaison.send("/mis_datos")
    shown = plain(replies(requests)[0])
    assert "Juan Quispe" in shown and "Contraloría Regional Cusco" in shown and "8" in shown
    [document] = [r for r in requests if isinstance(r, SendDocument)]
    assert document.document.filename == "mis_datos.json"  # type: ignore[union-attr]

    await liaison.click("Eliminar mis datos")
    requests = await liaison.click("Sí, eliminar")
    assert any(isinstance(r, DeleteMyCommands) for r in requests)
    person = (await db.exec(select(Person).where(Person.name.contains("datos retirados")))).one()  # type: ignore[attr-defined]
    assert person.telegram_id is None and person.erased_at is not None
    assert person.name == "(datos retirados) Contraloría Regional Cusco"
    membership = (await db.exec(select(Membership).where(Membership.person_id == person.id))).one()
    assert membership.role == Role.LIAISON  # the seat keeps its history
    # Now a stranger to the bot; the secretary is told, in Aymara.
    assert "invitación" in replies(await liaison.send("/perfil"))[0]
    aymara = catalogs.translator("ay")
    expected = aymara.gettext(
        "{name} ({role}) pidió retirar sus datos personales (Ley 29733) y ya no usará el bot. "
        "Su asiento, asistencias y votos se conservan.",
        name="Juan Quispe",
        role=aymara.gettext("Coordinador(a) de enlace"),
    )
    assert sec.texts[-1] == expected


async def test_repeated_bad_tokens_slow_down_that_account(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    guesser = harness.user(9)
    for attempt in range(5):
        said = replies(await guesser.send(f"/start {'A' * 30}{attempt}"))
        assert "no es válido" in said[0]
    good = await invite("CUS", Role.OBSERVER)
    said = replies(await guesser.join(good))
    assert "Demasiados" in said[0]
    assert (await db.exec(select(Person))).all() == []
    assert len((await db.exec(select(TokenAttempt))).all()) == 5
    # Another account is not affected.
    assert any("Bienvenido" in text for text in replies(await harness.user(10).join(good)))


async def test_a_flood_is_refused_out_loud_and_the_person_can_go_on(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    now = [0.0]
    harness = make_harness(
        sessionmaker, catalogs, flood=FloodMiddleware(rate=0.5, burst=3, tap_burst=1, clock=lambda: now[0])
    )
    spammer = harness.user(11)
    for _ in range(3):
        assert replies(await spammer.send("/ayuda"))
    assert "Va muy rápido" in replies(await spammer.send("/ayuda"))[0]
    assert "Espere 2 segundos" in replies(await spammer.send("/ayuda"))[0]  # every time, not once
    assert await spammer.press("whatever")  # the one press of its bucket
    pressed = await spammer.press("whatever")
    assert [type(r) for r in pressed] == [AnswerCallbackQuery]  # the spinner stops, with the reason
    assert "Va muy rápido" in (pressed[0].text or "")  # type: ignore[attr-defined]
    now[0] = 2.0
    assert "Hola" in replies(await spammer.send("/ayuda"))[0]


async def test_a_file_too_large_to_download_is_refused_with_the_limit(
    harness: Harness, invite: Invite
) -> None:
    from datetime import UTC, datetime

    from aiogram.types import Document, Message, Update

    user = await joined(harness, 12, await invite("CUS", Role.OBSERVER))
    big = Message(
        message_id=99,
        date=datetime.now(UTC),
        chat=user.chat,
        from_user=user.user,
        document=Document(file_id="f", file_unique_id="u", file_name="acta.pdf", file_size=25 * 1024 * 1024),
    )
    said = replies(await harness.feed(Update(update_id=harness.next_update_id(), message=big)))
    assert said == ["Ese archivo pesa 25 MB y el máximo es 20 MB. Envíe uno más liviano o un enlace."]
