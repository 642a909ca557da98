"""Onboarding from a template, against a real database: all rows checked first, nothing
half-imported, seats created with the voting right the file gives."""

from __future__ import annotations

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.membership.bulk import invite_many, parse_rows, read_table
from db.models import Invitation, Role, Seat
from tests.conftest import NOW
from tests.workflows.world import make_world

LANGS = ("es", "qu", "ay")


def test_every_bad_row_is_reported_with_its_line() -> None:
    table = read_table(
        b"institucion;asiento;rol;nombre;idioma\n"
        b"GORE Cusco;voto;titular;Ana Quispe;es\n"
        b";;enlace;Rosa;qu\n"
        b"Corte;x;jefe;R;fr\n",
        "f.csv",
    )
    rows, errors = parse_rows(table, "regional", LANGS)
    assert [r.role for r in rows] == [Role.MEMBER]
    assert [e.params["line"] for e in errors] == [3, 4]
    with pytest.raises(UserError, match="columnas"):
        parse_rows([["nombre", "rol"]], "regional", LANGS)
    _, national = parse_rows(table[:2], "national", LANGS)  # a CAN has no seats or members
    assert [e.params["line"] for e in national] == [2]


async def test_a_good_file_invites_everyone_and_a_bad_one_nothing(db: AsyncSession) -> None:
    w = await make_world(db)
    good = (
        "institucion,asiento,rol,nombre,idioma\n"
        "Defensoría del Pueblo - Oficina Cusco,voz,observador,Ana Defensora,ay\n"
        "Colegio de Abogados del Cusco,voto,titular,Luis Ttito,qu\n"
    ).encode()
    bad = good + b"Colegio de Abogados del Cusco,voto,gerente,Otro,es\n"
    with pytest.raises(AccessDenied):
        await invite_many(db, w.gore_liaison, w.cus.id, good, "f.csv", LANGS, now=NOW)
    with pytest.raises(UserError) as refused:
        await invite_many(db, w.secretary, w.cus.id, bad, "f.csv", LANGS, now=NOW)
    assert refused.value.text.n == 1
    assert (await db.exec(select(Invitation))).all() == []
    invited = await invite_many(db, w.secretary, w.cus.id, good, "f.csv", LANGS, now=NOW)
    assert [(i.row.name, i.issued.invitation.role) for i in invited] == [
        ("Ana Defensora", Role.OBSERVER),
        ("Luis Ttito", Role.MEMBER),
    ]
    seats = {s.id: s.voting for s in (await db.exec(select(Seat))).all()}
    assert [seats[i.issued.invitation.seat_id] for i in invited] == [False, True]  # type: ignore[index]
