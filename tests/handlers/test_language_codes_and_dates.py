"""Telegram language codes of Quechua and Aymara varieties select the shipped catalogs, and each
language writes dates by a documented decision (locales/GLOSSARY.md, «Dates»): Aymara sentences
never get Spanish date grammar by accident."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from db.models import Person, Role
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import Harness

DAY = date(2026, 12, 11)
EVENING = datetime(2026, 12, 11, 20, 30, tzinfo=UTC)  # 15:30 in Lima


@pytest.mark.parametrize(
    ("code", "catalog"),
    [
        ("quy", "qu"),
        ("quz", "qu"),
        ("qub", "qu"),
        ("qu", "qu"),
        ("qu-PE", "qu"),
        ("QU_pe", "qu"),
        ("ay", "ay"),
        ("aym", "ay"),
        ("ayr", "ay"),
        ("ayc", "ay"),
        ("ay-PE", "ay"),
        ("es-PE", "es"),
        ("en", "es"),
        ("", "es"),
    ],
)
def test_variety_codes_select_the_shipped_catalog(code: str, catalog: str) -> None:
    assert Catalogs().resolve(code) == catalog


@time_machine.travel(NOW, tick=False)
async def test_a_telegram_client_in_a_variety_code_starts_in_that_language(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    for uid, client, stored in ((1, "quz", "qu"), (2, "ayr", "ay"), (3, "qub", "qu"), (4, "aym", "ay")):
        user = harness.user(uid, language_code=client)
        await user.join(await invite("CUS", Role.MEMBER, "Corte Superior de Justicia del Cusco"))
        person = (await db.exec(select(Person).where(Person.telegram_id == uid))).one()
        assert person.language == stored


def test_aymara_dates_use_spanish_loans_without_spanish_grammar() -> None:
    ay = Catalogs().translator("ay")
    assert ay.date(DAY) == "viernes, 11 diciembre 2026"  # dates people read carry the weekday
    assert ay.date(DAY, "long") == "11 diciembre 2026"
    assert ay.date(DAY, "medium") == "11 diciembre 2026"
    assert ay.date(DAY, "short") == "11/12/26"
    assert ay.date(DAY, "full") == "viernes, 11 diciembre 2026"
    assert ay.datetime(EVENING) == "viernes, 11 diciembre 2026, 15:30"
    assert ay.datetime(EVENING, "medium") == "11 diciembre 2026, 15:30"
    assert ay.datetime(EVENING, "short") == "11/12/26 15:30"
    for written in (ay.date(DAY), ay.datetime(EVENING), ay.date(DAY, "full")):
        assert " de " not in written and "m." not in written


def test_quechua_dates_follow_cldr() -> None:
    qu = Catalogs().translator("qu")
    assert qu.date(DAY) == "Viernes, 11 Diciembre, 2026"  # CLDR qu's full date: with the weekday
    assert qu.date(DAY, "long") == "11 Diciembre 2026"
    assert " de " not in qu.datetime(EVENING)


def test_a_sentence_carries_the_readers_date() -> None:
    catalogs = Catalogs()
    msgid = "Listo: sesión ordinaria prevista para el {day}."
    assert "11 de diciembre de 2026" in catalogs.translator("es").gettext(msgid, day=DAY)
    assert "11 Diciembre, 2026" in catalogs.translator("qu").gettext(msgid, day=DAY)
    said = catalogs.translator("ay").gettext(msgid, day=DAY)
    assert "11 diciembre 2026" in said and "de diciembre" not in said
