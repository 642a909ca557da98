"""An ordinary session on a non-working day (issue 14, item 1), through the real dispatcher: the
annual calendar (/calendario) and a postponement refuse it naming the next business day, unless the
commission's rules allow it (`/reglas ordinaria_dia_inhabil sí`): then the reason is asked,
recorded and audited, as /nueva_sesion does. Read in Spanish and in Quechua."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.sessions.ui import Do, SessionCB
from bot.i18n import Catalogs
from db.models import AuditEntry, MeetingSession, PlannedSession, Role
from tests.handlers.conftest import Invite
from tests.handlers.sessions.test_user_defects_chat import CORTE, GORE, WED, join, schedule, session_id
from tests.harness import Harness, plain, replies

FAIR = "Feria regional de integridad: única fecha con todas las autoridades"


async def test_the_annual_calendar_takes_a_non_working_day_only_with_the_rule_and_a_reason(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "qu")
        refused = plain(replies(await sec.send("/calendario 12/12/2026"))[0])  # a Saturday
        expected = qu.gettext(
            "El {day} no es día hábil. El siguiente día hábil es el {next}.",
            day=date(2026, 12, 12),
            next=date(2026, 12, 14),
        )
        assert refused == plain(expected)
        assert (await db.exec(select(PlannedSession))).all() == []

        await sec.send("/reglas ordinaria_dia_inhabil sí")
        asked = plain(replies(await sec.send("/calendario 12/12/2026"))[0])
        assert qu.gettext("Escriba el motivo para sesionar en día no hábil, o escriba otra fecha.") in asked
        assert (await db.exec(select(PlannedSession))).all() == []
        too_short = replies(await sec.send("ok"))[0]
        assert too_short == qu.gettext("Escriba el motivo (entre 5 y 1000 caracteres).")
        done = replies(await sec.send(FAIR))[0]
        assert plain(done) == plain(
            qu.gettext("Listo: sesión ordinaria prevista para el {day}.", day=date(2026, 12, 12))
        )
        # The reason can also follow the date; a business day needs none.
        await sec.send("/calendario 19/12/2026 Aniversario de la comisión")
        await sec.send("/calendario 15/12/2026")

        db.expire_all()
        planned = {p.planned_on: p.reason for p in (await db.exec(select(PlannedSession))).all()}
        assert planned == {
            date(2026, 12, 12): FAIR,
            date(2026, 12, 19): "Aniversario de la comisión",
            date(2026, 12, 15): None,
        }
        audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "sessions.planned"))).all()
        assert sorted((a.after or {}).get("reason") or "" for a in audit) == sorted(
            ["", FAIR, "Aniversario de la comisión"]
        )
        listing = plain(replies(await sec.send("/calendario"))[0])
        assert f"({FAIR})" in listing


async def test_postponing_to_a_non_working_day_offers_to_give_the_reason(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        await join(harness, invite, 2, Role.PRESIDENT, GORE, "Wilfredo Quispe", "qu")
        await join(harness, invite, 3, Role.MEMBER, CORTE, "Aurelia Condori", "ay")
        await schedule(sec, "11/12 10:00")
        sid = await session_id(db)

        # Without the rule: refused at once, naming the next business day; another date is taken.
        await sec.press(SessionCB(session_id=sid, do=Do.POSTPONE).pack())
        refused = plain(replies(await sec.send("19/12 10:00"))[0])  # a Saturday
        assert "no lo es" in refused and "21 de diciembre de 2026" in refused
        assert "motivo de la postergación" in replies(await sec.send("18/12 10:00"))[0]
        await sec.send("Visita de la CAN")
        db.expire_all()
        session = await db.get(MeetingSession, sid)
        assert session is not None and session.starts_at.day == 18 and session.notice_override_reason is None

        # With the rule: the reason for the day is asked, then the postponement's own reason.
        await sec.send("/reglas ordinaria_dia_inhabil sí")
        await sec.press(SessionCB(session_id=sid, do=Do.POSTPONE).pack())
        asked = plain(replies(await sec.send("19/12 10:00"))[0])
        assert (
            "21 de diciembre de 2026" in asked and "Escriba el motivo para sesionar en día no hábil" in asked
        )
        assert "motivo de la postergación" in replies(await sec.send(FAIR))[0]
        done = plain(replies(await sec.send("Las autoridades viajan a Lima el viernes"))[0])
        assert done.startswith("Sesión postergada al") and "19 de diciembre" in done

        db.expire_all()
        session = await db.get(MeetingSession, sid)
        assert session is not None and session.starts_at.day == 19
        assert session.notice_override_reason == FAIR
        assert session.status_reason == "Las autoridades viajan a Lima el viernes"
        audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "sessions.postponed"))).all()[-1]
        assert audit.after and audit.after["notice_override_reason"] == FAIR

        # Typing another date instead of the reason checks that date afresh.
        await sec.press(SessionCB(session_id=sid, do=Do.POSTPONE).pack())
        await sec.send("26/12 10:00")  # a Saturday again: the reason is asked
        assert "motivo de la postergación" in replies(await sec.send("28/12 10:00"))[0]
        await sec.send("Cierre del año fiscal")
        db.expire_all()
        session = await db.get(MeetingSession, sid)
        assert session is not None and session.starts_at.day == 28 and session.notice_override_reason is None
