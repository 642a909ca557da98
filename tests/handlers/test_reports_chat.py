"""Reports through the real dispatcher: the national digest reaches two CAN analysts (Spanish and
Quechua) with message, chart and spreadsheet; /informe and its refusals; the annual report."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_digests
from bot.workflows.periods import month_period
from bot.workflows.reports import building as reports_building
from bot.workflows.reports.digests import reports_tick
from bot.workflows.reports.formats import period_text
from db.models import Role
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, replies

LANGUAGE_BUTTONS = {"es": "Español", "qu": "Runasimi", "ay": "Aymar aru"}


async def join(
    harness: Harness, invite: Invite, uid: int, code: str, role: Role, name: str, lang: str
) -> ChatUser:
    user = harness.user(uid, first_name=name)
    await user.join(
        await invite(code, role, "Gobierno Regional del Cusco" if role == Role.SECRETARY else None, name)
    )
    await user.click(LANGUAGE_BUTTONS[lang])
    return user


def documents(harness: Harness, chat_id: int) -> list[SendDocument]:
    return [r for r in harness.session.requests if isinstance(r, SendDocument) and int(r.chat_id) == chat_id]


def content(document: SendDocument) -> bytes:
    assert isinstance(document.document, BufferedInputFile)
    return document.document.data


@time_machine.travel(NOW, tick=False)  # they join on Monday 23 November
async def test_national_digest_reaches_two_analysts_in_their_languages(
    harness: Harness,
    invite: Invite,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
) -> None:
    await join(harness, invite, 800, "CUS", Role.SECRETARY, "Rosa", "es")
    await invite("PUN", Role.SECRETARY)  # Puno exists, nobody joined yet
    luis = await join(harness, invite, 801, "CAN", Role.CAN_ANALYST, "Luis", "es")
    sisa = await join(harness, invite, 802, "CAN", Role.CAN_ANALYST, "Sisa", "qu")
    before = len(harness.session.requests)

    # 1 December, 10:00 Lima: November's national digest and week 48's, both periods they were in.
    later = NOW + timedelta(days=8)
    with time_machine.travel(later, tick=False):
        async with sessionmaker() as db, db.begin():
            assert (
                await enqueue_digests(db, catalogs, await reports_tick(db, later), now=later) == 3
            )  # 2 analysts (monthly) + Rosa (weekly)
        await harness.sender.drain()
    november = month_period(2026, 11)
    for user, lang in ((luis, "es"), (sisa, "qu")):
        tr = catalogs.translator(lang)
        texts = [m.text for m in harness.messages_to(user.user.id)[-1:]]
        assert tr.render(period_text(november)) in texts[0]
        assert "<b>CUS</b>" in texts[0] and "<b>PUN</b>" in texts[0]
        png, xlsx = documents(harness, user.user.id)
        assert png.document.filename == "informe_nacional_2026-11.png"  # type: ignore[union-attr]
        assert content(png)[:8] == b"\x89PNG\r\n\x1a\n"
        workbook = load_workbook(io.BytesIO(content(xlsx)))
        sheet = workbook[workbook.sheetnames[0]]
        assert sheet["A1"].value == tr.gettext("Código")
        assert {sheet["A2"].value, sheet["A3"].value} == {"CUS", "PUN"}
    assert "1 de noviembre" in harness.messages_to(801)[-1].text  # Spanish dates
    assert "1 de noviembre" not in harness.messages_to(802)[-1].text  # Quechua dates
    # The next tick sends nothing again.
    async with sessionmaker() as db, db.begin():
        assert await enqueue_digests(db, catalogs, await reports_tick(db, later), now=later) == 0
    await harness.sender.drain()
    assert len([r for r in harness.session.requests[before:] if int(getattr(r, "chat_id", 0)) == 801]) == 3


async def test_informe_own_region_and_refusals(harness: Harness, invite: Invite, catalogs: Catalogs) -> None:
    rosa = await join(harness, invite, 810, "CUS", Role.SECRETARY, "Rosa", "es")
    await invite("PUN", Role.SECRETARY)
    luis = await join(harness, invite, 811, "CAN", Role.CAN_ANALYST, "Luis", "qu")

    refused = replies(await rosa.send("/informe PUN 2026"))
    assert refused == ["Solo puede ver el informe de su propia comisión (CUS)."]
    assert documents(harness, 810) == []
    refused = replies(await rosa.send("/informe nacional"))
    assert refused == ["El informe nacional es solo para los analistas de la CAN."]
    wrong = replies(await rosa.send("/informe 2026-13"))
    assert "No entiendo el periodo «2026-13»" in wrong[0]

    requests: list[Any] = await rosa.send("/informe 2026-T4 csv")
    assert replies(requests)[0].startswith("<b>📊 Informe de CUS</b>")
    names = [r.document.filename for r in requests if isinstance(r, SendDocument)]
    assert names == ["informe_CUS_2026-T4.png", "informe_CUS_2026-T4.xlsx", "informe_CUS_2026-T4.csv"]

    requests = await luis.send("/informe PUN 2026")
    text = replies(requests)[0]
    assert "<b>PUN · " in text
    assert catalogs.translator("qu").date(date(2026, 1, 1)) in text  # Luis reads Quechua dates
    assert [r.document.filename for r in requests if isinstance(r, SendDocument)] == [
        "informe_PUN_2026.png",
        "informe_PUN_2026.xlsx",
    ]

    requests = await rosa.send("/informe_anual 2026")
    assert [r.document.filename for r in requests if isinstance(r, SendDocument)] == [
        "informe_anual_CUS_2026.docx",
        "informe_anual_CUS_2026.xlsx",
    ]


@time_machine.travel(NOW, tick=False)
async def test_a_report_that_fails_to_build_gets_the_apology_in_their_language(
    harness: Harness, invite: Invite, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    luis = await join(harness, invite, 812, "CAN", Role.CAN_ANALYST, "Luis", "qu")
    await invite("CUS", Role.SECRETARY)

    def broken(*args: object) -> bytes:
        raise RuntimeError("the chart could not be drawn")

    monkeypatch.setattr(reports_building, "chart_png", broken)
    requests = await luis.send("/informe nacional")
    qu = catalogs.translator("qu")
    apology = qu.gettext(
        "Lo siento, algo falló de nuestro lado y no se guardó nada. "
        "Ya quedó registrado; intente de nuevo en unos minutos."
    )
    assert replies(requests) == [apology]  # no half report, no traceback
    assert documents(harness, 812) == []
