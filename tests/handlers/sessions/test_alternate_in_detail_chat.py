"""The session detail lists an alternate attending by name (issue 14, item 2: confirmed, declined
with the reason, alternate attending, no answer — the other three are in test_user_defects_chat)."""

from __future__ import annotations

import time_machine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import LanguageCB
from bot.handlers.sessions.ui import Do, RsvpCB, SessionCB
from bot.i18n import Catalogs, msg
from db.models import Answer
from tests.handlers.conftest import Invite
from tests.handlers.sessions.test_user_defects_chat import DEFENSORIA, WED, evening_session
from tests.harness import Harness, plain


async def test_an_alternate_attending_is_listed_by_name_for_the_secretary(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    sec, pres, _, defen, sid = await evening_session(harness, invite, db)
    with time_machine.travel(WED, tick=False):
        await defen.press(RsvpCB(session_id=sid, answer=Answer.ALTERNATE).pack())
        await defen.send("Carmen Rojas Huamán")
        await sec.press(SessionCB(session_id=sid, do=Do.VIEW).pack())
        detail = plain(sec.last)
        assert f"👥 Juana Ccori ({DEFENSORIA}): asistirá como alterno(a) Carmen Rojas Huamán" in detail
        assert f"❔ Juana Ccori ({DEFENSORIA}): sin respuesta" not in detail

        # The president, reading Quechua, sees it too.
        await pres.press(SessionCB(session_id=sid, do=Do.VIEW).pack())
        who = msg("{name} ({institution})", name="Juana Ccori", institution=DEFENSORIA)
        line = qu.gettext(
            "👥 {who}: asistirá como alterno(a) {alternate}", who=who, alternate="Carmen Rojas Huamán"
        )
        assert line in pres.last and "asistirá" not in line  # translated, with the name
        # And the secretary in Quechua.
        await sec.press(LanguageCB(code="qu").pack())
        await sec.press(SessionCB(session_id=sid, do=Do.VIEW).pack())
        assert line in sec.last
