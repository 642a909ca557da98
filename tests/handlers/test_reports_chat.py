"""Reports through the real dispatcher: the national digest reaches two CAN analysts (Spanish and
Quechua) with message, chart and spreadsheet; /informe and its refusals; the annual report."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from aiogram.methods import SendDocument, SendPhoto
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers import reports as reports_handlers
from bot.i18n import Catalogs
from bot.notify import enqueue_digests
from bot.workflows.periods import month_period
from bot.workflows.reports.digests import reports_tick
from bot.workflows.reports.formats import period_text
from db.models import Role
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, file_name, replies

LANGUAGE_BUTTONS = {"es": "Español", "qu": "Runasimi", "ay": "Aymar aru"}


NATIONAL_CHARTS = ("sesiones", "asistencia", "a_tiempo", "sin_vencer", "enlaces", "acuerdos")


async def join(
    harness: Harness, invite: Invite, uid: int, code: str, role: Role, name: str, lang: str
) -> ChatUser:
    user = harness.user(uid, first_name=name)
    await user.join(
        await invite(code, role, "Gobierno Regional del Cusco" if role == Role.SECRETARY else None, name)
    )
    await user.click(LANGUAGE_BUTTONS[lang])
    return user


def documents(harness: Harness, chat_id: int) -> list[SendDocument | SendPhoto]:
    """Files sent to the chat: the chart as a photo, the rest as documents."""
    return [
        r
        for r in harness.session.requests
        if isinstance(r, SendDocument | SendPhoto) and int(r.chat_id) == chat_id
    ]


def content(document: SendDocument | SendPhoto) -> bytes:
    sent = document.document if isinstance(document, SendDocument) else document.photo
    assert isinstance(sent, BufferedInputFile)
    return sent.data


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
        *pngs, xlsx = documents(harness, user.user.id)
        assert all(isinstance(png, SendPhoto) for png in pngs) and isinstance(xlsx, SendDocument)
        names = [file_name(png) for png in pngs]  # phones preview the charts
        assert names == [f"informe_nacional_2026-11_{chart}.png" for chart in NATIONAL_CHARTS]
        assert all(content(png)[:8] == b"\x89PNG\r\n\x1a\n" for png in pngs)
        # Every file says which report and period it is, in the reader's language.
        assert all(tr.render(period_text(november)) in (d.caption or "") for d in [*pngs, xlsx])
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
    assert len(
        [r for r in harness.session.requests[before:] if int(getattr(r, "chat_id", 0)) == 801]
    ) == 2 + len(NATIONAL_CHARTS)


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
    names = [file_name(r) for r in requests if isinstance(r, SendDocument | SendPhoto)]
    assert names == [
        "informe_CUS_2026-T4_indicadores.png",
        "informe_CUS_2026-T4_acuerdos.png",
        "informe_CUS_2026-T4.xlsx",
        "informe_CUS_2026-T4.csv",
    ]

    requests = await luis.send("/informe PUN 2026")
    text = replies(requests)[0]
    assert "<b>PUN · " in text
    assert catalogs.translator("qu").date(date(2026, 1, 1), "long") in text  # Luis reads Quechua dates
    assert [file_name(r) for r in requests if isinstance(r, SendDocument | SendPhoto)] == [
        "informe_PUN_2026_indicadores.png",
        "informe_PUN_2026_acuerdos.png",
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

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("the chart could not be drawn")

    monkeypatch.setattr(reports_handlers, "chart_files", broken)
    await luis.send("/informe nacional")
    qu = catalogs.translator("qu")
    apology = qu.gettext(
        "Lo siento, algo falló de nuestro lado y no se guardó nada. "
        "Ya quedó registrado; intente de nuevo en unos minutos."
    )
    # The status message «preparing the files» ends as the apology, in Quechua; no traceback, no chart.
    assert apology in [m.text for m in harness.messages_to(812)]
    assert [d for d in documents(harness, 812) if file_name(d).endswith(".png")] == []
