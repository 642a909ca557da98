"""Labels of the buttons that sentences name («toque «Omitir»»): one `Text` each, used both for the
button and as the sentence's placeholder, so the two read the same in every language
(tests/test_button_names.py). Plain text, no aiogram: workflows name buttons too."""

from __future__ import annotations

from bot.i18n import Text, msg

SKIP: Text = msg("Omitir")
DONE: Text = msg("Listo")
NONE: Text = msg("Ninguna")
NO_ATTACHMENT: Text = msg("Enviar sin adjunto")
CONVENE: Text = msg("📣 Convocar")
CLOSE_ROLL: Text = msg("Cerrar lista")
SCHEDULE: Text = msg("✅ Programar")  # the new-session card
IN_PROGRESS: Text = msg("En curso")
FULFILLED: Text = msg("Cumplido")

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
