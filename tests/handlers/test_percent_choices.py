"""/avance and /ronda offer the same percentages of progress."""

from __future__ import annotations

from typing import Any, cast

from bot.handlers.agreements.ui import percents
from bot.handlers.rounds.ui import question_keyboard
from bot.i18n import Catalogs
from bot.workflows.rounds.answers import Question
from db.models import RoundTarget


def test_progress_and_rounds_offer_the_same_percentages(catalogs: Catalogs) -> None:
    tr = catalogs.translator("qu")
    avance = [b.text for row in percents(tr).inline_keyboard for b in row if "%" in b.text]
    question = Question(target=RoundTarget(id=1), agreement=cast(Any, None), step="percent", index=1, total=1)
    ronda = [b.text for row in question_keyboard(tr, question).inline_keyboard for b in row]
    assert avance == ronda == ["10 %", "25 %", "50 %", "75 %", "90 %"]
