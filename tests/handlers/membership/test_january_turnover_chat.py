"""A full January turnover through the real dispatcher, in Spanish, Quechua and Aymara: the
confirmation request reaches each institution, one confirms, one names a successor who accepts,
one never answers and is chased; the secretary's directory shows each state; the CAN's national
directory shows the flag."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.membership.contacts import contacts_tick
from db.models import Role
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, plain

GORE = "Gobierno Regional del Cusco"
CORTE = "Corte Superior de Justicia del Cusco"
MUNI = "Municipalidad Provincial del Cusco"
LANG = {"es": "Español", "qu": "Runasimi", "ay": "Aymar aru"}


def lima(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h + 5, tzinfo=UTC)


async def join(
    harness: Harness, invite: Invite, tg: int, code: str, role: Role, org: str | None, name: str, lang: str
) -> ChatUser:
    user = harness.user(tg, first_name=name.split()[0])
    await user.join(await invite(code, role, org, name))
    await user.click(LANG[lang])
    return user


async def test_a_january_turnover_in_three_languages(
    harness: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    es, qu, ay = (catalogs.translator(c) for c in ("es", "qu", "ay"))
    with time_machine.travel(lima(2026, 12, 1), tick=False):
        rosa = await join(harness, invite, 400, "CUS", Role.SECRETARY, None, "Rosa Quispe", "es")
        jean = await join(harness, invite, 401, "CUS", Role.MEMBER, GORE, "Jean Paul Benavente", "es")
        wayta = await join(harness, invite, 402, "CUS", Role.LIAISON, GORE, "Wayta Huamán", "qu")
        aurelia = await join(harness, invite, 403, "CUS", Role.MEMBER, CORTE, "Aurelia Condori", "ay")
        luis = await join(harness, invite, 404, "CUS", Role.MEMBER, MUNI, "Luis Mamani", "qu")
        analyst = await join(harness, invite, 409, "CAN", Role.CAN_ANALYST, None, "Luis Torres", "es")

    async def tick(at: datetime) -> None:
        async with sessionmaker() as s, s.begin():
            await enqueue_notices(s, catalogs, await contacts_tick(s, at), now=at)
        with time_machine.travel(at, tick=False):
            await harness.sender.drain()

    # 4 January 2027: every institution is asked, each person in their own language.
    await tick(lima(2027, 1, 4))
    yes = {tr.code: tr.gettext("✅ Sí, está al día") for tr in (es, qu, ay)}
    assert qu.gettext("✅ Sí, está al día") != yes["es"] != ay.gettext("✅ Sí, está al día")
    for user, tr, institution in (
        (jean, es, GORE),
        (wayta, qu, GORE),
        (aurelia, ay, CORTE),
        (luis, qu, MUNI),
    ):
        request = harness.messages_to(user.user.id)[-1]
        assert institution in plain(request.text)
        labels = [b.text for row in request.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
        assert labels[:2] == [yes[tr.code], tr.gettext("✏️ Hay una persona nueva")]
        assert labels[2:] == ([] if tr.code == "es" else ["⚑"])  # a draft language: «report a translation»
    assert "3 instituciones" in rosa.last

    with time_machine.travel(lima(2027, 1, 5), tick=False):
        # The Corte confirms, in Aymara.
        await aurelia.click(yes["ay"])
        assert aurelia.last == ay.gettext(
            "Gracias: el directorio de {institution} queda confirmado.", institution=CORTE
        )
        assert f"Aurelia Condori confirmó el directorio de {CORTE}." in plain(rosa.last)
        # The GORE's liaison names the new governor's representative, in Quechua.
        await wayta.click(qu.gettext("✏️ Hay una persona nueva"))
        await wayta.click(qu.gettext("Miembro titular"))
        assert wayta.last == qu.gettext("Escriba el nombre completo de la persona nueva.")
        await wayta.send("Edgar Quispe Huallpa")
        await wayta.click(qu.gettext("Omitir"))
        said = wayta.texts[-2:]
        assert "Jean Paul Benavente" in said[0] and said[1].startswith("https://t.me/cra_test_bot?start=")
        assert "Edgar Quispe Huallpa" in plain(rosa.last) and GORE in plain(rosa.last)
    with time_machine.travel(lima(2027, 1, 6, 11), tick=False):
        edgar = harness.user(405, first_name="Edgar")
        await edgar.join(said[1].split("start=")[1])
        assert any("Edgar Quispe Huallpa" in t for t in edgar.texts)
    ended = plain(jean.last)
    assert "terminó" in ended and "reemplazo" in ended  # told once, in Spanish
    assert sum("terminó" in plain(t) for t in jean.texts) == 1
    with time_machine.travel(lima(2027, 1, 6, 12), tick=False):
        # Jean's old button is refused now.
        old = harness.messages_to(401)[-2].reply_markup
        await jean.press(old.inline_keyboard[0][0].callback_data)  # type: ignore[union-attr,arg-type]
        assert "no existe" in jean.last

    # The Municipalidad never answers: reminded half-way and on the last day, then escalated.
    await tick(lima(2027, 1, 6))
    await tick(lima(2027, 1, 11))
    luis_texts = [plain(t) for t in luis.texts]
    reminder = qu.gettext("✅ Sí, está al día")
    request_at = next(i for i, t in enumerate(luis_texts) if "📇" in t)
    assert len(luis_texts[request_at:]) == 3 and all(MUNI in t for t in luis_texts[request_at:])
    assert all(m.reply_markup is not None for m in harness.messages_to(404)[-2:])
    assert reminder in [
        b.text for row in harness.messages_to(404)[-1].reply_markup.inline_keyboard for b in row
    ]  # type: ignore[union-attr]
    await tick(lima(2027, 1, 12))
    assert MUNI in plain(rosa.last) and "venció el plazo" in plain(rosa.last)

    with time_machine.travel(lima(2027, 1, 12, 10), tick=False):
        await rosa.send("/miembros")
        text = plain(rosa.last)
        assert "Edgar Quispe Huallpa" in text and "Jean Paul" not in text
        corte = text[text.index(f"{CORTE} —") :]
        assert "directorio confirmado el 5/01/27" in corte.split("🏛")[0]
        muni = text[text.index(f"{MUNI} —") :]
        assert "confirmación pendiente, plazo 11/01/27" in muni.split("🏛")[0]
        await analyst.send("/miembros")
        national = plain(analyst.last)
        assert "1 de 26 regiones en el bot" in national
        assert "25 regiones sin secretaría en el bot:" in national and "Amazonas" in national
        cus_line = next(line for line in national.splitlines() if line.startswith("CUS"))
        assert "⏰ 1 sin confirmar" in cus_line and "enlaces 1/3" in cus_line
