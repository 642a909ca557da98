"""`/informe` with words (issue 14, item 16): a word that is neither a region nor a period gets the
accepted forms; relative periods and month names in the reader's language (Spanish always works)."""

from __future__ import annotations

from datetime import date

import time_machine
from aiogram.methods import SendDocument, SendPhoto

from bot.i18n import Catalogs
from bot.workflows.reports.periods import parse_period
from db.models import Role
from tests.conftest import NOW  # Monday 2026-11-23, 10:00 in Lima
from tests.handlers.conftest import Invite
from tests.handlers.test_reports_chat import join
from tests.harness import Harness, file_name, replies

ACCEPTED = (
    "No entiendo «{value}». Escriba una región (PUN o Puno), «nacional», «csv» o un periodo: "
    "un año (2026), un trimestre (2026-T4), un mes (2026-11 o noviembre), una semana "
    "(2026-W47), «esta semana», «semana pasada», «mes pasado», «este trimestre» o «año pasado»."
)


async def report_files(user: object, text: str) -> list[str]:
    requests = await user.send(text)  # type: ignore[attr-defined]
    names = [file_name(r) for r in requests if isinstance(r, SendDocument | SendPhoto)]
    return [name.removesuffix("_indicadores.png") for name in names if name.endswith("_indicadores.png")]


@time_machine.travel(NOW, tick=False)
async def test_informe_with_words(harness: Harness, invite: Invite, catalogs: Catalogs) -> None:
    rosa = await join(harness, invite, 820, "CUS", Role.SECRETARY, "Rosa", "es")
    # Today is Monday 23 November 2026 in Lima.
    assert replies(await rosa.send("/informe ayer")) == [ACCEPTED.format(value="ayer")]
    assert await report_files(rosa, "/informe diciembre") == ["informe_CUS_2025-12"]  # latest begun
    assert await report_files(rosa, "/informe noviembre") == ["informe_CUS_2026-11"]
    assert await report_files(rosa, "/informe setiembre 2025") == ["informe_CUS_2025-09"]
    assert await report_files(rosa, "/informe semana pasada") == ["informe_CUS_2026-W47"]
    assert await report_files(rosa, "/informe mes pasado csv") == ["informe_CUS_2026-10"]
    assert await report_files(rosa, "/informe CUS este trimestre") == ["informe_CUS_2026-T4"]
    # A near miss of a region keeps its suggestion.
    assert "¿Quiso decir CUS" in replies(await rosa.send("/informe cuzco"))[0]


@time_machine.travel(NOW, tick=False)
async def test_informe_with_words_in_quechua_and_aymara(
    harness: Harness, invite: Invite, catalogs: Catalogs
) -> None:
    wayta = await join(harness, invite, 821, "PUN", Role.SECRETARY, "Wayta", "qu")
    mamani = await join(harness, invite, 822, "CUS", Role.SECRETARY, "Mamani", "ay")
    assert await report_files(wayta, "/informe qayna killa") == ["informe_PUN_2026-10"]
    assert await report_files(wayta, "/informe Setiembre") == ["informe_PUN_2026-09"]  # CLDR qu
    assert await report_files(wayta, "/informe mes pasado") == ["informe_PUN_2026-10"]  # Spanish too
    assert await report_files(mamani, "/informe nayra phaxsi") == ["informe_CUS_2026-10"]
    assert await report_files(mamani, "/informe agosto") == ["informe_CUS_2026-08"]
    for user, lang in ((wayta, "qu"), (mamani, "ay")):
        answer = replies(await user.send("/informe ayer"))
        translated = catalogs.translator(lang).gettext(ACCEPTED).format(value="ayer")
        assert answer == [translated] and translated != ACCEPTED.format(value="ayer")


def test_relative_periods_and_month_names() -> None:
    today = date(2026, 1, 5)  # early January: last month and quarter are in 2025
    assert parse_period("mes pasado", today).key == "2025-12"
    assert parse_period("trimestre pasado", today).key == "2025-T4"
    assert parse_period("año pasado", today).key == "2025"
    assert parse_period("esta semana", today).key == "2026-W02"
    assert parse_period("Diciembre", today).key == "2025-12"
    assert parse_period("enero", today).key == "2026-01"
    assert parse_period("qayna wata", today, "qu").key == "2025"
    assert parse_period("aka mara", today, "ay").key == "2026"
