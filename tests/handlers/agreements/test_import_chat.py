"""/importar_acuerdos (issue 15): every bad line reported at once and nothing imported; 1,000 rows in
one go; XLSX as well as CSV; downloadable templates. In Spanish and in Quechua."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import time_machine
from aiogram.methods import SendChatAction, SendDocument
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.audit import verify_chain
from db.models import Agreement, AuditEntry, Role
from tests.conftest import NOW
from tests.handlers.agreements.test_agreements_chat import GORE, join, send_document
from tests.handlers.conftest import Invite
from tests.harness import Harness, make_harness, plain, replies

HEADER = "codigo,texto,instituciones,plazo,estado,avance\n"


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> Harness:
    return make_harness(sessionmaker, catalogs)


def plan(rows: int, bad: set[int] = frozenset()) -> bytes:  # type: ignore[assignment]
    """A work plan of `rows` agreements; the rows in `bad` (1-based) name an unknown institution."""
    lines = [HEADER]
    for n in range(1, rows + 1):
        institution = "Municipalidad de Lima" if n in bad else GORE
        lines.append(f",Acuerdo número {n} del plan anual,{institution},2027-03-31,pendiente,0\n")
    return "".join(lines).encode()


def serve(chat: Harness, monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes]) -> None:
    async def download(file: str, *args: Any, **kwargs: Any) -> io.BytesIO:
        return io.BytesIO(files[file])

    monkeypatch.setattr(chat.bot, "download", download)


async def count(db: AsyncSession) -> int:
    return (await db.exec(select(func.count()).select_from(Agreement))).one()


async def test_a_thousand_rows_every_bad_line_at_once_then_all_imported(
    chat: Harness, invite: Invite, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = set(range(100, 1000, 25))  # 36 bad lines, spread through the file
    serve(chat, monkeypatch, {"BAD": plan(1000, bad), "GOOD": plan(1000)})
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, 900, Role.SECRETARY, None, "Rosa Quispe", "es")
        await join(chat, invite, 901, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        await rosa.send("/importar_acuerdos")
        said = await send_document(chat, rosa, "BAD", "plan.csv")
        assert any(isinstance(r, SendChatAction) for r in said)
        text = plain(replies(said)[0])
        assert text.startswith("El archivo no se importó: 36 líneas tienen errores")
        shown = sorted(bad)[:30]
        assert all(f"Línea {n + 1}: la institución «Municipalidad de Lima»" in text for n in shown)
        assert "… y 6 líneas más, en el archivo adjunto." in text
        [listing] = [r for r in said if isinstance(r, SendDocument)]
        assert listing.document.filename == "errores-importacion.csv"  # type: ignore[union-attr]
        table = list(csv.reader(io.StringIO(listing.document.data.decode("utf-8-sig"))))  # type: ignore[union-attr]
        assert table[0] == ["línea", "error"] and [int(r[0]) for r in table[1:]] == [
            n + 1 for n in sorted(bad)
        ]
        assert await count(db) == 0  # nothing half-imported

        said = replies(await send_document(chat, rosa, "GOOD", "plan.csv"))  # still waiting for a file
        assert "1000 acuerdos nuevos" in said[0]
    assert await count(db) == 1000
    codes = (await db.exec(select(Agreement.code).order_by(Agreement.seq))).all()
    assert codes[0] == "CUS-2026-001" and codes[-1] == "CUS-2026-1000"
    imported = select(func.count()).where(AuditEntry.action == "agreement.imported")
    assert (await db.exec(imported)).one() == 1000
    assert (await verify_chain(db))[1] == []  # the bulk entries chain like any others


async def test_templates_in_csv_and_xlsx_come_back_as_agreements_in_quechua(
    chat: Harness, invite: Invite, db: AsyncSession, monkeypatch: pytest.MonkeyPatch, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    files: dict[str, bytes] = {}
    serve(chat, monkeypatch, files)
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, 910, Role.SECRETARY, None, "Rosa Quispe", "qu")
        await join(chat, invite, 911, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        asked = replies(await rosa.send("/importar_acuerdos"))[0]
        assert "XLSX" in asked and "Envíe" not in asked
        for label, name in (
            ("⬇️ Plantilla XLSX", "plantilla-acuerdos-CUS.xlsx"),
            ("⬇️ Plantilla CSV", "plantilla-acuerdos-CUS.csv"),
        ):
            sent = await rosa.click(qu.gettext(label))
            [document] = [r for r in sent if isinstance(r, SendDocument)]
            assert document.document.filename == name  # type: ignore[union-attr]
            files[name] = document.document.data  # type: ignore[union-attr]

        said = replies(await send_document(chat, rosa, "plantilla-acuerdos-CUS.xlsx", "plantilla.xlsx"))
        assert said[0] == qu.ngettext(
            "Importación lista: {created} acuerdo nuevo; actualizados: {updated}; sin cambios: {unchanged}.",
            "Importación lista: {created} acuerdos nuevos; actualizados: {updated}; "
            "sin cambios: {unchanged}.",
            1,
            created=1,
            updated=0,
            unchanged=0,
        )
        await rosa.send("/importar_acuerdos")
        await send_document(chat, rosa, "plantilla-acuerdos-CUS.csv", "plantilla.csv")
        assert await count(db) == 2

        # A workbook with a bad date is refused in Quechua, naming the line.
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["texto", "instituciones", "plazo"])
        sheet.append(["Acuerdo con fecha mala", GORE, "31/02/2027"])
        out = io.BytesIO()
        book.save(out)
        files["BADX"] = out.getvalue()
        await rosa.send("/importar_acuerdos")
        refused = plain(replies(await send_document(chat, rosa, "BADX", "plan.xlsx"))[0])
        assert refused.startswith(
            plain(
                qu.ngettext(
                    "El archivo no se importó: {n} línea tiene errores y no se registró ningún acuerdo. "
                    "Corríjala y envíe el archivo otra vez.",
                    "El archivo no se importó: {n} líneas tienen errores y no se registró ningún acuerdo. "
                    "Corríjalas y envíe el archivo otra vez.",
                    1,
                )
            )
        )
        assert qu.gettext("Línea {line}: {reason}", line=2, reason="@").split("@")[0] in refused
        assert "plazo" in refused
        assert await count(db) == 2
