"""Answers typed in the reader's language: yes/no and agreement statuses in Quechua and Aymara are
understood, and the messages that say what to type name the values in that language."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.sessions.settings import commission_rules
from db.models import Agreement, AgreementStatus, Commission, Role
from tests.conftest import NOW
from tests.handlers.agreements.test_agreements_chat import send_document
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, plain, replies

PICK = {"es": "Español", "qu": "Runasimi", "ay": "Aymar aru"}


async def secretary(harness: Harness, invite: Invite, uid: int, lang: str) -> ChatUser:
    user = harness.user(uid)
    await user.join(await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco"))
    await user.click(PICK[lang])
    return user


async def casting_vote(db: AsyncSession) -> bool:
    cusco = (await db.exec(select(Commission.id).where(Commission.code == "CUS"))).one() or 0
    return (await commission_rules(db, cusco)).president_casting_vote


@pytest.mark.parametrize(
    ("lang", "yes_words", "no_words", "shown_yes", "shown_no"),
    [
        ("qu", ["arí", "Ari", "ARII"], ["manam", "Mana", "manan"], "arí", "manam"),
        ("ay", ["jisa", "Jïsa", "ukhamawa"], ["janiwa", "janiw", "Jan"], "jisa", "janiwa"),
    ],
)
@time_machine.travel(NOW, tick=False)
async def test_yes_no_rules_take_the_readers_words(
    harness: Harness,
    invite: Invite,
    db: AsyncSession,
    catalogs: Catalogs,
    lang: str,
    yes_words: list[str],
    no_words: list[str],
    shown_yes: str,
    shown_no: str,
) -> None:
    sec = await secretary(harness, invite, 1, lang)
    tr = catalogs.translator(lang)
    label = tr.gettext("Voto dirimente de la presidencia (sí/no)")
    assert f"({shown_yes}/" in label  # the instruction names the words we accept
    for word in no_words:
        said = replies(await sec.send(f"/reglas voto_dirimente {word}"))
        assert said == [tr.gettext("Listo: {label} = {value}.", label=label, value=shown_no)]
        assert await casting_vote(db) is False
    for word in yes_words:
        said = replies(await sec.send(f"/reglas voto_dirimente {word}"))
        assert said == [tr.gettext("Listo: {label} = {value}.", label=label, value=shown_yes)]
        assert await casting_vote(db) is True

    refused = plain(replies(await sec.send("/reglas voto_dirimente quizás"))[0])
    assert shown_yes in refused and shown_no in refused
    assert " sí " not in refused and "escriba" not in refused
    listed = plain(replies(await sec.send("/reglas"))[0])
    assert f"voto_dirimente — {label}: {shown_yes}" in listed
    assert ": sí" not in listed and ": no\n" not in listed


@time_machine.travel(NOW, tick=False)
async def test_monthly_rounds_stop_with_a_quechua_or_aymara_no(
    harness: Harness, invite: Invite, catalogs: Catalogs
) -> None:
    for uid, lang, no in ((3, "qu", "manam"), (4, "ay", "janiwa")):
        sec = await secretary(harness, invite, uid, lang)
        tr = catalogs.translator(lang)
        said = replies(await sec.send("/ronda mensual 5 3"))
        assert said == [
            tr.ngettext(
                "Ronda mensual: el día {day} de cada mes, con {n} día hábil para responder.",
                "Ronda mensual: el día {day} de cada mes, con {n} días hábiles para responder.",
                3,
                day=5,
            )
        ]
        said = replies(await sec.send(f"/ronda mensual {no}"))
        assert said == [tr.gettext("Las rondas mensuales quedan desactivadas.")]


@time_machine.travel(NOW, tick=False)
async def test_csv_statuses_in_quechua_and_aymara(
    harness: Harness,
    invite: Invite,
    db: AsyncSession,
    catalogs: Catalogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sec = await secretary(harness, invite, 5, "qu")
    qu, ay = catalogs.translator("qu"), catalogs.translator("ay")
    annulled = ay.pgettext("status", "cancelado")
    files = {
        "GOOD": (
            "codigo,texto,instituciones,plazo,estado,avance,motivo_cancelacion\n"
            f",Aprobar el plan anual,Gobierno Regional del Cusco,2027-03-31,{qu.gettext('en curso')},10,\n"
            f",Publicar el informe,Gobierno Regional del Cusco,2027-03-31,{qu.gettext('cumplido')},100,\n"
            f",Capacitar servidores,Gobierno Regional del Cusco,2027-03-31,{annulled},0,"
            "Sin presupuesto\n"
        ).encode(),
        "BAD": b"codigo,texto,instituciones,plazo,estado\n,Otro,Gobierno Regional del Cusco,2027-03-31,ya\n",
    }

    async def download(file: str, *args: Any, **kwargs: Any) -> io.BytesIO:
        return io.BytesIO(files[file])

    monkeypatch.setattr(harness.bot, "download", download)
    await sec.send("/importar_acuerdos")
    refused = plain(replies(await send_document(harness, sec, "BAD", "plan.csv"))[0])
    for status in ("pendiente", "en curso", "cumplido"):
        assert qu.gettext(status) in refused
    assert qu.pgettext("status", "cancelado") in refused  # the status, not the «Cancelar» button
    assert "en curso" not in refused and "cumplido" not in refused

    await send_document(harness, sec, "GOOD", "plan.csv")
    rows = (await db.exec(select(Agreement).order_by(col(Agreement.id)))).all()
    assert [a.status for a in rows] == [
        AgreementStatus.IN_PROGRESS,
        AgreementStatus.DONE,
        AgreementStatus.CANCELLED,
    ]
