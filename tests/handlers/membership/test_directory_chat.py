"""/miembros through the real dispatcher: what each role reads, and the secretary ending a
membership (the person told once, their menu updated, their old buttons refused)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine
from aiogram.methods import SendDocument, SetMyCommands
from aiogram.types import BotCommandScopeChat, Document, Message, Update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.membership.directory_ui import MemberCB
from bot.i18n import msg
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.commissions import ensure_seat, find_commission
from bot.workflows.membership.ending import END_REASON_LABELS
from db.models import EndReason, Role
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, plain, replies

GORE = "Gobierno Regional del Cusco"
CORTE = "Corte Superior de Justicia del Cusco"


async def join(
    harness: Harness, invite: Invite, tg: int, role: Role, org: str | None, name: str, lang: str
) -> ChatUser:
    user = harness.user(tg, first_name=name.split()[0])
    await user.join(await invite("CUS", role, org, name))
    await user.click({"es": "Español", "qu": "Runasimi", "ay": "Aymar aru"}[lang])
    return user


@time_machine.travel(NOW, tick=False)
async def test_members_read_the_directory_and_only_the_secretariat_sees_contacts(
    harness: Harness, invite: Invite
) -> None:
    rosa = await join(harness, invite, 301, Role.SECRETARY, None, "Rosa Quispe", "es")
    juan = await join(harness, invite, 302, Role.MEMBER, GORE, "Juan Pérez", "es")
    await join(harness, invite, 303, Role.LIAISON, CORTE, "Wayta Huamán", "qu")

    [seen] = replies(await juan.send("/miembros"))
    text = plain(seen)
    assert "Directorio de CUS" in text
    assert (
        f"2 instituciones requieren atención:\n• {CORTE}: sin titular\n• {GORE}: sin coordinador(a) de enlace"
    ) in text
    assert "Juan Pérez" in text and "Wayta Huamán" in text and "Runasimi" in text
    assert "Telegram" not in text
    assert harness.messages_to(302)[-1].reply_markup is None  # nothing to manage

    [seen] = replies(await rosa.send("/miembros"))
    assert "Telegram 302" in plain(seen) and "Telegram 303" in plain(seen)
    labels = [b.text for row in harness.messages_to(301)[-1].reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert f"✏️ {GORE}" in labels


@time_machine.travel(NOW, tick=False)
async def test_the_secretary_ends_a_membership_and_the_person_can_no_longer_act(
    harness: Harness, invite: Invite
) -> None:
    rosa = await join(harness, invite, 311, Role.SECRETARY, None, "Rosa Quispe", "es")
    wayta = await join(harness, invite, 312, Role.LIAISON, CORTE, "Wayta Huamán", "qu")
    qu = harness.dp["catalogs"].translator("qu")

    await rosa.send("/miembros")
    await rosa.click(f"✏️ {CORTE}")
    member_button = harness.messages_to(311)[-1].reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
    assert member_button.text.startswith("Wayta Huamán")
    await rosa.click("Wayta Huamán")
    await rosa.click("Terminar membresía")
    await rosa.click("Renuncia")
    assert "31/12/2026" in rosa.last
    assert "no entiendo" in replies(await rosa.send("mañana"))[0].lower()
    await rosa.click("Hoy")
    requests = await rosa.click("Sí, terminar")
    assert "Membresía terminada" in rosa.last

    told = [m.text for m in harness.messages_to(312)][-1]
    assert told == qu.render(
        msg(
            "Su participación en {commission} como {role} terminó el {date} (motivo: {reason}). "
            "Ya no puede actuar en esta comisión con ese rol. Gracias por su servicio.",
            commission="Comisión Regional Anticorrupción de Cusco",
            role=ROLE_LABELS[Role.LIAISON],
            date=NOW.date(),
            reason=END_REASON_LABELS[EndReason.RESIGNED],
        )
    )
    menus = [r for r in requests if isinstance(r, SetMyCommands)]
    assert isinstance(menus[-1].scope, BotCommandScopeChat) and menus[-1].scope.chat_id == 312
    assert "avance" not in [c.command for c in menus[-1].commands]

    # Whatever Wayta presses or types now is refused.
    refused = replies(await wayta.send("/miembros"))
    assert refused and "Directorio" not in refused[0]
    await wayta.press(MemberCB(membership_id=1).pack())
    assert "Directorio" not in wayta.last

    [seen] = replies(await rosa.send("/miembros"))
    assert "Wayta" not in plain(seen) and "sin coordinador(a) de enlace" in plain(seen)


async def send_file(harness: Harness, user: ChatUser, file_id: str, name: str) -> list[Any]:
    message = Message(
        message_id=harness.next_message_id(),
        date=datetime.now(UTC),
        chat=user.chat,
        from_user=user.user,
        document=Document(
            file_id=file_id, file_unique_id=file_id, file_name=name, mime_type="application/pdf"
        ),
    )
    return await harness.feed(Update(update_id=harness.next_update_id(), message=message))


@time_machine.travel(NOW, tick=False)
async def test_the_secretary_keeps_the_oficio_and_the_integrity_commitment(
    harness: Harness, invite: Invite
) -> None:
    rosa = await join(harness, invite, 321, Role.SECRETARY, None, "Rosa Quispe", "es")
    await join(harness, invite, 322, Role.MEMBER, GORE, "Juan Pérez", "ay")
    await rosa.send("/miembros")
    await rosa.click(f"✏️ {GORE}")
    await rosa.click("Juan Pérez")
    await rosa.click("Ver documentos")
    assert "Todavía no hay documentos" in rosa.last
    await rosa.click("Oficio de designación")
    assert "Envíe el archivo de Juan Pérez" in rosa.last
    await rosa.send("aquí va")
    assert "como documento" in rosa.last
    await send_file(harness, rosa, "OFICIO-1", "oficio-045-2027.pdf")
    assert rosa.last == "Documento guardado. El directorio lo muestra."
    await rosa.click("Compromiso de integridad")
    await send_file(harness, rosa, "INTEG-1", "compromiso.pdf")
    assert "fecha tiene la firma" in rosa.last
    await rosa.send("31/12/2099")
    assert "futura" in rosa.last
    await rosa.send("20/11/2026")
    assert rosa.last == "Documento guardado. El directorio lo muestra."
    await rosa.send("/miembros")
    line = next(x for x in plain(rosa.last).splitlines() if "Juan Pérez" in x)
    assert "📄 oficio" in line and "🤝 compromiso 20/11/26" in line
    await rosa.click(f"✏️ {GORE}")
    await rosa.click("Juan Pérez")
    requests = await rosa.click("Ver documentos")
    sent = [r for r in requests if isinstance(r, SendDocument)]
    assert [r.document for r in sent] == ["OFICIO-1", "INTEG-1"]


@time_machine.travel(NOW, tick=False)
async def test_a_large_directory_is_paged_with_buttons(
    harness: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    juan = await join(harness, invite, 341, Role.MEMBER, GORE, "Juan Pérez", "es")
    async with sessionmaker() as db, db.begin():
        cus = await find_commission(db, "CUS")
        for n in range(20):
            await ensure_seat(db, cus, f"Colegio Profesional número {n:02d}", now=NOW)
    await juan.send("/miembros")
    assert "página 1 de 2" in plain(juan.last)
    assert "🏛 Colegio Profesional número 14" in plain(juan.last)
    assert "🏛 Colegio Profesional número 15" not in plain(juan.last)
    await juan.click("▶️")
    assert "página 2 de 2" in plain(juan.last) and "🏛 Colegio Profesional número 19" in plain(juan.last)
    assert f"🏛 {GORE}" in plain(juan.last)
    assert "Colegio Profesional número 00: sin titular" in plain(juan.last)  # flags on every page
