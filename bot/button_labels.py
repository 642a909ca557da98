"""Labels of the buttons that sentences name («toque «Omitir»»): one `Text` each, used both for the
button and as the sentence's placeholder, so the two read the same in every language
(tests/test_button_names.py). Plain text, no aiogram: workflows name buttons too."""

from __future__ import annotations

from bot.i18n import Text, msg, pmsg

# TRANSLATORS: button: leave this optional question unanswered and go on.
SKIP: Text = msg("Omitir")
# TRANSLATORS: button: "I have finished choosing" (e.g. the institutions of an agreement).
DONE: Text = msg("Listo")
# TRANSLATORS: button: "no institution" (feminine: «institución»).
NONE: Text = msg("Ninguna")
NO_ATTACHMENT: Text = msg("Enviar sin adjunto")
CONVENE: Text = msg("📣 Convocar")
CLOSE_ROLL: Text = msg("Cerrar lista")
SCHEDULE: Text = msg("✅ Programar")  # the new-session card
# TRANSLATORS: button that sets an agreement's status: being carried out.
IN_PROGRESS: Text = msg("En curso")
# TRANSLATORS: button that sets an agreement's status: fulfilled (the commitment was met).
FULFILLED: Text = msg("Cumplido")
# TRANSLATORS: the button that abandons the step in progress (nothing is saved). Not the status
# «cancelado» of an agreement the secretariat annulled, which has its own entry (msgctxt "status").
CANCEL: Text = pmsg("button", "Cancelar")

NAMED_IN_SENTENCES = (
    SKIP,
    DONE,
    NONE,
    NO_ATTACHMENT,
    CONVENE,
    CLOSE_ROLL,
    SCHEDULE,
    IN_PROGRESS,
    FULFILLED,
)
