"""Each convened person's answer under a session's detail, for the secretary and the president:
who confirmed, who sends an alternate, who declined and why, and who has not answered (to phone)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Text, Translator, msg
from bot.workflows.sessions.convocation import InviteeAnswer
from db.models import Answer

# A justification can be 1000 characters; the detail shows its start (the acta has it whole).
SHOWN_REASON = 200


def answer_lines(tr: Translator, answers: Sequence[InviteeAnswer], *, reasons: bool) -> list[str]:
    """`reasons`: whether to show why people will not attend (members are told the technical
    secretariat reads it, so only the secretary sees it; the president sees that they justified)."""
    lines = ["", tr.gettext("Respuestas de los convocados:")]
    for a in answers:
        who: Text | str = (
            msg("{name} ({institution})", name=a.name, institution=a.institution) if a.institution else a.name
        )
        if a.answer is Answer.ATTENDING:
            lines.append(tr.gettext("✅ {who}: asistirá", who=who))
        elif a.answer is Answer.ALTERNATE:
            lines.append(
                tr.gettext(
                    "👥 {who}: asistirá como alterno(a) {alternate}",
                    who=who,
                    alternate=a.alternate_name or "",
                )
            )
        elif a.answer is Answer.ABSENT and not reasons:
            lines.append(tr.gettext("❌ {who}: no asistirá (justificó su inasistencia)", who=who))
        elif a.answer is Answer.ABSENT:
            reason = a.justification or ""
            if len(reason) > SHOWN_REASON:
                reason = reason[: SHOWN_REASON - 1] + "…"
            lines.append(
                tr.gettext("❌ {who}: no asistirá. Justificación: «{reason}»", who=who, reason=reason)
            )
        else:
            lines.append(tr.gettext("❔ {who}: sin respuesta", who=who))
    return lines
