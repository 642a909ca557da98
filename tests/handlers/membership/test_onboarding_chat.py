"""Onboarding through the real dispatcher: invitations, languages, profile, help, refusals."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery, SendMessage, SetMyCommands
from aiogram.types import BotCommandScopeChat
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import CommissionCB, LanguageCB
from bot.handlers.membership.ui import InviteRoleCB
from db.models import Invitation, Membership, Person, Role
from tests.handlers.conftest import Invite
from tests.harness import Harness, plain, replies


async def test_stranger_start_gets_spanish_explanation_and_nothing_is_stored(
    harness: Harness, db: AsyncSession
) -> None:
    ana = harness.user(100, language_code="qu")
    for text in ["/start", "/start NOT-A-REAL-TOKEN-1234567890", "hola", "/perfil", "/invitar"]:
        said = replies(await ana.send(text))
        assert len(said) == 1, text
        assert "invitación" in said[0], text  # Spanish, whatever the Telegram app says
    assert (await db.exec(select(Person))).all() == []


async def test_redeem_pick_quechua_and_get_quechua_replies(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    token = await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco", "Rosa Mamani")
    rosa = harness.user(200, first_name="Rosa")
    [preview] = replies(await rosa.send(f"/start {token}"))
    assert preview == (
        "Le invitan a Comisión Regional Anticorrupción de Cusco como Secretaría técnica, "
        "en representación de Gobierno Regional del Cusco. ¿Acepta?"
    )
    assert (await db.exec(select(Person))).all() == []  # nothing bound before she accepts
    said = replies(await rosa.click("Aceptar"))
    assert "Rosa Mamani" in said[0] and "Secretaría técnica" in said[0]
    assert "Gobierno Regional del Cusco" in said[0]
    picker = harness.messages_to(200)[-1].reply_markup
    labels = [b.text for row in picker.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert labels[0] == "Español"
    assert any(label.startswith("Runasimi") and "borrador" in label for label in labels)
    assert any(label.startswith("Aymar aru") for label in labels)

    requests = await rosa.click("Runasimi")
    assert any(isinstance(r, AnswerCallbackQuery) for r in requests)
    person = (await db.exec(select(Person).where(Person.telegram_id == 200))).one()
    assert (person.language, person.language_chosen) == ("qu", True)
    # The chat menu is set for this person, in Quechua, with the secretary's commands.
    menus = [r for r in requests if isinstance(r, SetMyCommands)]
    assert menus and isinstance(menus[-1].scope, BotCommandScopeChat) and menus[-1].scope.chat_id == 200
    assert "invitar" in [c.command for c in menus[-1].commands]
    quechua = harness.dp["catalogs"].translator("qu")
    assert quechua.gettext("Invitar a una persona a la comisión") in [
        c.description for c in menus[-1].commands
    ]

    help_reply = replies(await rosa.send("/ayuda"))[0]
    assert quechua.gettext("Qué puedo hacer aquí") in help_reply
    assert "/invitar" in help_reply
    assert help_reply != replies(await harness.user(201).send("/ayuda"))[0]


async def test_declining_an_invitation_binds_nothing_and_the_link_still_works(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    token = await invite("AYA", Role.MEMBER, "Corte Superior de Justicia de Ayacucho")
    ana = harness.user(250)
    await ana.send(f"/start {token}")
    said = replies(await ana.click("No es para mí"))
    assert "no guardé nada" in said[0]
    assert (await db.exec(select(Person))).all() == []
    assert "Abra otra vez" in replies(await ana.click("Aceptar"))[0]  # the old button alone is not enough
    assert any("Bienvenido" in t for t in replies(await ana.join(token)))


async def test_used_token_is_refused_to_a_second_account(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    token = await invite("PUN", Role.OBSERVER)
    await harness.user(300).join(token)
    said = replies(await harness.user(301).join(token))
    assert "no es válido" in said[0]
    assert len((await db.exec(select(Person))).all()) == 1


async def test_help_lists_only_what_the_role_may_do(harness: Harness, invite: Invite) -> None:
    liaison = harness.user(400)
    await liaison.join(await invite("UCA", Role.LIAISON, "Corte Superior de Justicia de Ucayali"))
    await liaison.click("Español")
    text = replies(await liaison.send("/ayuda"))[0]
    assert "/perfil" in text and "/idioma" in text
    assert "/invitar" not in text
    assert "Coordinador(a) de enlace" in text


async def test_non_secretary_cannot_invite_even_with_forged_buttons(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    member = harness.user(500)
    await member.join(await invite("CUS", Role.MEMBER, "Municipalidad Provincial del Cusco"))
    said = replies(await member.send("/invitar"))
    assert "no permite" in said[0]
    forged = await member.press(InviteRoleCB(role=Role.SECRETARY).pack())
    assert any(isinstance(r, AnswerCallbackQuery) for r in forged)
    assert len((await db.exec(select(Invitation))).all()) == 1  # only the one used to join


async def test_secretary_invites_from_chat_and_the_link_works(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    sec = harness.user(600, first_name="Rosa")
    await sec.join(await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco", "Rosa"))
    await sec.click("Español")
    await sec.send("/invitar")
    await sec.click("Coordinador(a) de enlace")
    await sec.click("Otra institución")
    said = replies(await sec.send("ab"))  # too short: asked again, nothing lost
    assert "entre 3 y 200" in said[0]
    await sec.send("Contraloría  -  Gerencia Regional de Control Cusco")
    said = replies(await sec.send("J"))  # too short a name
    assert "entre 2 y 120" in said[0]
    said = replies(await sec.send("Juan Quispe"))
    assert "Juan Quispe" in plain(said[0]) and "Contraloría - Gerencia Regional de Control Cusco" in plain(
        said[0]
    )
    link = said[-1]
    assert link.startswith("https://t.me/cra_test_bot?start=")

    juan = harness.user(601, first_name="Juan")
    welcome = replies(await juan.join(link.split("=", 1)[1]))[0]
    assert "Coordinador(a) de enlace" in welcome and "Contraloría" in welcome
    # The secretary is told, in her language.
    assert any("Juan Quispe aceptó su invitación" in t for t in sec.texts)
    roles = {(m.role, m.seat_id is not None) for m in (await db.exec(select(Membership))).all()}
    assert (Role.LIAISON, True) in roles


async def test_switching_commission_is_limited_to_own_commissions(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    juan = harness.user(700)
    await juan.join(await invite("CUS", Role.OBSERVER))
    await juan.click("Español")
    said = replies(await juan.send("/comision"))
    assert "solo en" in said[0]
    await juan.join(await invite("PUN", Role.MEMBER, "Corte Superior de Justicia de Puno"))
    await juan.send("/comision")
    labels = [b.text for row in harness.messages_to(700)[-1].reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert any("CUS" in label for label in labels) and any("PUN" in label for label in labels)
    await juan.click("CUS")
    person = (await db.exec(select(Person).where(Person.telegram_id == 700))).one()
    await db.refresh(person)
    cus_id = person.active_commission_id
    profile = replies(await juan.send("/perfil"))[0]
    assert "Cusco" in profile and "Puno" in profile and "2" in profile

    await invite("ARE", Role.OBSERVER)  # a commission Juan does not belong to
    are_id = max(m.commission_id for m in (await db.exec(select(Membership))).all()) + 1
    said = replies(await juan.press(CommissionCB(commission_id=are_id).pack()))
    assert "No forma parte" in said[0]
    await db.refresh(person)
    assert person.active_commission_id == cus_id


async def test_unknown_command_free_text_and_stale_button_get_hints(harness: Harness, invite: Invite) -> None:
    ana = harness.user(800)
    await ana.join(await invite("CUS", Role.OBSERVER))
    await ana.click("Español")
    assert "/ayuda" in replies(await ana.send("/borrar_todo"))[0]
    assert "/ayuda" in replies(await ana.send("¿cuándo es la sesión?"))[0]
    stale = await ana.press("inr1:member")  # an invite button with no invitation in progress
    answers = [r for r in stale if isinstance(r, AnswerCallbackQuery)]
    assert answers and answers[0].text and "/ayuda" in answers[0].text


async def test_unexpected_error_is_apologised_for_in_the_persons_language(
    harness: Harness, invite: Invite, monkeypatch: object
) -> None:
    ana = harness.user(900)
    await ana.join(await invite("CUS", Role.OBSERVER))
    await ana.press(LanguageCB(code="ay").pack())

    import bot.handlers.help as help_module

    def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(help_module, "help_text", boom)  # type: ignore[attr-defined]
    said = [r for r in await ana.send("/ayuda") if isinstance(r, SendMessage)]
    aymara = harness.dp["catalogs"].translator("ay")
    assert said[0].text == aymara.gettext(
        "Lo siento, algo falló de nuestro lado y no se guardó nada. "
        "Ya quedó registrado; intente de nuevo en unos minutos."
    )


async def test_language_picker_refuses_unknown_codes(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    ana = harness.user(1000)
    await ana.join(await invite("CUS", Role.OBSERVER))
    said = replies(await ana.press(LanguageCB(code="xx").pack()))
    assert "no está disponible" in said[0]
    person = (await db.exec(select(Person))).one()
    assert person.language_chosen is False
