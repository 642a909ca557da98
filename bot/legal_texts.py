"""Which Spanish messages carry legal weight: the ones a reader may ask to see in Spanish (the
authoritative text, «Ver en español») and whose approval by a reviewer the language picker reports.
Plain data: both the notices (bot/workflows/translations) and the catalogs (bot/i18n.py) read it."""

from __future__ import annotations

# Notices with legal weight, by the start of their Spanish message id (tests/translations checks
# that each still starts a message id): convocations and changes of a session, agreements and their
# deadlines, and personal data (Ley 29733). A notice with a convocation's or a deadline's buttons
# is legal whatever its text.
LEGAL_MSGID_STARTS = (
    "📣 Convocatoria a sesión",
    "📅 La sesión de",
    "🚫 La sesión de",
    "⏰ Recordatorio: sesión de",
    "Nuevo acuerdo",
    "El plazo del acuerdo",
    "El acuerdo <b>{code}</b>",
    "Recordatorio: el acuerdo",
    "{who} ({institution}) pide un nuevo plazo",
    "La secretaría técnica aceptó su pedido",
    "La secretaría técnica no aceptó su pedido",
    "{name} ({role}) pidió retirar sus datos personales",
)
