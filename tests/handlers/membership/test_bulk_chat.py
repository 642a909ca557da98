"""/invitar_lote through the real dispatcher: the template, a file with bad rows (all reported,
nothing created), then a good file (CSV and XLSX): one invitation per row, each text to forward
in the invitee's language."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from aiogram.methods import SendDocument
from openpyxl import Workbook
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from db.models import Invitation, Role, Seat
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.handlers.membership.test_directory_chat import join, send_file
from tests.harness import Harness, plain

GOOD = (
    "institucion,asiento,rol,nombre,idioma\n"
    "Gobierno Regional del Cusco,voto,titular,Edgar Quispe,es\n"
    "Gobierno Regional del Cusco,,enlace,Killa Ccori,qu\n"
    "Defensoría del Pueblo - Oficina Cusco,voz,observador,Aurelia Condori,ay\n"
).encode()
BAD = (
    b"institucion;asiento;rol;nombre;idioma\n"
    b"Gobierno Regional del Cusco;voto;jefe;Edgar Quispe;es\n"
    b";voto;titular;Killa Ccori;qu\n"
    b"Corte Superior;talvez;enlace;X;fr\n"
    b"Municipalidad Provincial del Cusco;voto;titular;Luis Mamani;es\n"
)


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
async def test_many_invitations_from_one_file(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "GOOD": GOOD,
        "BAD": BAD,
        "XLSX": xlsx(
            [
                ["institucion", "asiento", "rol", "nombre", "idioma"],
                ["Corte Superior de Justicia del Cusco", "voto", "titular", "Rosa Huamán", "qu"],
            ]
        ),
    }

    async def download(file: str, *args: Any, **kwargs: Any) -> io.BytesIO:
        return io.BytesIO(files[file])

    monkeypatch.setattr(harness.bot, "download", download)
    rosa = await join(harness, invite, 331, Role.SECRETARY, None, "Rosa Quispe", "es")
    requests = await rosa.send("/invitar_lote")
    [template] = [r for r in requests if isinstance(r, SendDocument)]
    assert template.document.data.decode("utf-8-sig").startswith("institucion,asiento,rol,nombre,idioma")  # type: ignore[union-attr]

    await send_file(harness, rosa, "BAD", "lista.csv")
    said = plain(rosa.last)
    assert "No se creó ninguna invitación: 3 filas tienen problemas" in said
    assert "Fila 2: revise el rol «jefe»" in said
    assert "Fila 3: revise la institución" in said
    assert "Fila 4: revise el asiento «talvez»" in said and "el nombre" in said and "el idioma «fr»" in said
    assert "Fila 5" not in said
    assert (await db.exec(select(Invitation))).all() != []  # only Rosa's own, from the fixture
    assert len((await db.exec(select(Invitation))).all()) == 1

    before = len(harness.messages_to(331))
    requests = await send_file(harness, rosa, "GOOD", "lista.csv")
    texts = [m.text for m in harness.messages_to(331)[before:]]
    assert len(texts) == 3
    qu, ay = catalogs.translator("qu"), catalogs.translator("ay")
    assert texts[0].startswith(
        "Edgar Quispe: le invitan a Comisión Regional Anticorrupción de Cusco como Miembro titular"
    )
    assert qu.gettext("Coordinador(a) de enlace") in texts[1] and "Killa Ccori" in texts[1]
    assert ay.gettext("Observador(a)") in texts[2]
    assert all("https://t.me/cra_test_bot?start=" in t for t in texts)
    defensoria = (await db.exec(select(Seat).where(Seat.voting.is_(False)))).all()  # type: ignore[union-attr]
    assert len(defensoria) == 1
    killa = harness.user(332)
    await killa.join(texts[1].rsplit("start=", 1)[1])
    assert any("Killa Ccori" in t for t in killa.texts)

    await rosa.send("/invitar_lote")
    await send_file(harness, rosa, "XLSX", "lista.xlsx")
    assert "Rosa Huamán" in rosa.last
