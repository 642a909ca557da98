"""Data the bot writes itself (automatic agenda item, origins, CSV import notes, calendar file,
audit codes, role and evidence names, unnamed holidays) reaches a Quechua or Aymara reader in
their language: none of the Spanish (or English) strings the bot used to store shows through."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.agreements.texts import detail_text
from bot.handlers.history_labels import ACTION_LABELS
from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.agreements.create import create_agreement
from bot.workflows.agreements.csv_io import export_csv, import_csv
from bot.workflows.agreements.progress import Evidence, record_progress
from bot.workflows.agreements.read import agreement_detail
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation
from bot.workflows.sessions.convocation import convene
from db.models import (
    AgreementStatus,
    Commission,
    EvidenceKind,
    MeetingSession,
    OutboxMessage,
    Role,
    SessionKind,
    SessionStatus,
)
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import Harness, plain, replies
from tests.workflows.sessions.test_sessions import WED, lima, make_cra, scheduled
from tests.workflows.world import make_world

ROOT = Path(__file__).resolve().parent.parent.parent
SPANISH_DATA = (
    "Aprobación del acta",
    "Sesión del",
    "importación CSV",
    "Secretaría Técnica",
    "Sesión ordinaria",
    "día no laborable",
    "photo",
)


def spanish_in(text: str) -> list[str]:
    return [s for s in SPANISH_DATA if s.lower() in text.lower()]


async def test_convocation_and_calendar_file_in_each_readers_language(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    db.add(
        MeetingSession(
            commission_id=cra.commission_id,
            kind=SessionKind.ORDINARY,
            starts_at=lima(2026, 11, 20),
            status=SessionStatus.HELD,
            created_at=WED - timedelta(days=20),
        )
    )
    await db.flush()
    session = await scheduled(db, cra)
    name = (await db.get(Commission, cra.commission_id) or Commission()).name
    convened = await convene(db, cra.secretary, session.id or 0, now=WED)
    await enqueue_notices(db, catalogs, convened.notices, now=WED)
    rows = (await db.exec(select(OutboxMessage))).all()
    for person, code in ((cra.president, "qu"), (cra.observer, "ay"), (cra.secretary, "es")):
        mine = [r for r in rows if r.chat_id == person.telegram_id]
        if code == "es":
            assert mine == []  # the secretary convenes, she is not convened
            continue
        tr = catalogs.translator(code)
        text = next(r.payload["text"] for r in mine if r.method == "sendMessage")
        ics = next(r.attachment for r in mine if r.payload.get("file_name", "").endswith(".ics"))
        assert ics is not None
        calendar = ics.decode().replace("\r\n ", "")  # unfold RFC 5545 lines
        assert "1. " + tr.gettext("Aprobación del acta de la sesión anterior") in text
        assert spanish_in(text) == [] and spanish_in(calendar) == []
        title = tr.gettext("Sesión {kind} · {commission}", kind=tr.gettext("ordinaria"), commission=name)
        assert "SUMMARY:" + title in calendar
        assert tr.gettext("Secretaría Técnica · {code}", code="CUS") in calendar
        assert tr.gettext("Aprobación del acta de la sesión anterior") in calendar


async def test_agreement_origin_csv_notes_and_evidence_in_quechua_and_aymara(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    w = await make_world(db)
    assert w.cus.id is not None and w.gore.id is not None
    session = MeetingSession(
        commission_id=w.cus.id, kind=SessionKind.ORDINARY, starts_at=NOW - timedelta(days=3), created_at=NOW
    )
    db.add(session)
    await db.flush()
    created = await create_agreement(
        db,
        w.secretary,
        w.cus.id,
        text="Aprobar el plan anual de integridad",
        seat_ids=[w.gore.id],
        deadline=NOW.date() + timedelta(days=90),
        now=NOW,
        origin_session_id=session.id,
        origin_label="Sesión del 2026-12-04, punto 2",
        origin_item_position=2,
    )
    agreement = created.agreement
    assert agreement.id is not None
    await record_progress(
        db,
        w.gore_liaison,
        agreement.id,
        status=AgreementStatus.IN_PROGRESS,
        progress=30,
        note=None,
        now=NOW,
        evidence=Evidence(EvidenceKind.PHOTO, file_id="PHOTO-1"),
    )
    exported = await export_csv(db, w.secretary, w.cus.id, now=NOW)
    moved = exported.content.decode("utf-8-sig").replace(
        agreement.deadline.isoformat(), (agreement.deadline + timedelta(days=30)).isoformat()
    )
    await import_csv(db, w.secretary, w.cus.id, moved.encode(), now=NOW)

    detail = await agreement_detail(db, w.secretary, agreement.id, now=NOW)
    spanish = plain(detail_text(catalogs.translator("es"), detail))
    assert "Sesión del" in spanish and "importación CSV, línea 2" in spanish
    for code in ("qu", "ay"):
        tr = catalogs.translator(code)
        shown = plain(detail_text(tr, detail))
        assert spanish_in(shown) == [], code
        assert tr.gettext("importación CSV, línea {line}", line=2) in shown
        assert tr.gettext("foto") in shown
    # What is stored stays Spanish and whole: the CSV export and old readers keep working.
    assert agreement.origin_label == "Sesión del 2026-12-04, punto 2"


async def test_old_agreements_keep_their_stored_origin(db: AsyncSession, catalogs: Catalogs) -> None:
    w = await make_world(db)
    assert w.cus.id is not None and w.gore.id is not None
    created = await create_agreement(
        db,
        w.secretary,
        w.cus.id,
        text="Publicar el informe anual",
        seat_ids=[w.gore.id],
        deadline=NOW.date() + timedelta(days=90),
        now=NOW,
        origin_label="Acta de la sesión de marzo",
    )
    detail = await agreement_detail(db, w.secretary, created.agreement.id or 0, now=NOW)
    assert "Acta de la sesión de marzo" in plain(detail_text(catalogs.translator("qu"), detail))


async def test_roles_offered_are_named_in_the_readers_language(db: AsyncSession, catalogs: Catalogs) -> None:
    can, _ = await create_commission(db, "CAN", now=NOW)
    with pytest.raises(UserError) as refused:
        await issue_invitation(db, can, Role.LIAISON, now=NOW)
    for code in ("qu", "ay"):
        tr = catalogs.translator(code)
        text = tr.render(refused.value.text)
        assert "secretary" not in text and "can_analyst" not in text
        assert tr.gettext("Secretaría técnica") in text and tr.gettext("Analista de la CAN") in text


@time_machine.travel(NOW, tick=False)
async def test_history_holidays_and_rules_show_no_codes_or_spanish(
    harness: Harness, invite: Invite, catalogs: Catalogs
) -> None:
    for uid, code in ((1, "qu"), (2, "ay")):
        tr = catalogs.translator(code)
        sec = harness.user(uid)
        await sec.join(await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco"))
        await sec.click({"qu": "Runasimi", "ay": "Aymar aru"}[code])
        await sec.send("/feriados 24/12/2026")
        listed = plain(replies(await sec.send("/feriados"))[0])
        assert tr.gettext("día no laborable") in listed and spanish_in(listed) == []
        history = plain(replies(await sec.send("/historial"))[0])
        assert tr.gettext("Invitación aceptada") in history
        assert tr.gettext("administración (consola)") in history
        assert tr.gettext("Día no laborable añadido") in history
        assert re.search(r"\b(agreement|sessions|invitation|commission|seat)\.[a-z_]+", history) is None
        assert "cli" not in history.split() and "secretary" not in history


def audited_actions() -> set[str]:
    """Every literal audit action in the code ("feature.verb"), f-string verbs expanded by hand."""
    found: set[str] = set()
    for path in (ROOT / "bot" / "workflows").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"audited", "record"}:
                values = [*node.args, *(k.value for k in node.keywords if k.arg == "action")]
                found |= {
                    v.value
                    for v in values
                    if isinstance(v, ast.Constant)
                    and isinstance(v.value, str)
                    and re.fullmatch(r"[a-z]+\.[a-z_]+", v.value)
                }
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_change":
                verb = node.args[3]
                if isinstance(verb, ast.Constant):
                    found.add(f"agreement.{verb.value}")
    return found


def test_every_audited_action_has_a_readable_name() -> None:
    actions = audited_actions()
    assert "sessions.convened" in actions and "agreement.progress" in actions
    assert sorted(actions - set(ACTION_LABELS)) == []
