"""What Telegram shows about the bot before anyone writes to it, in every shipped language: the
description (in the empty chat, above the Start button) and the short description (the bot's profile
page, and links to the bot shared in a chat).

Set at every start from the catalogs, so a translation fixed in a catalog reaches Telegram with the
next release; @BotFather's copy is overwritten.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.i18n import Catalogs, Translator, msg

log = logging.getLogger(__name__)

# Plain text (no HTML): Telegram shows it as written. Limits: 512 and 120 characters per language.
DESCRIPTION = msg(
    "Asistente de la secretaría técnica de las Comisiones Regionales Anticorrupción y de la CAN: "
    "sesiones y convocatorias, acuerdos y sus plazos, el avance de cada institución e informes.\n\n"
    "Para usarlo necesita una invitación: pida a la secretaría técnica de su comisión su enlace de "
    "invitación y ábralo en este teléfono.\n\n"
    "Idiomas: Español · Runasimi · Aymar aru (/idioma)."
)
SHORT_DESCRIPTION = msg(
    "Asistente de la secretaría técnica de las comisiones anticorrupción (CRA y CAN): sesiones, "
    "acuerdos, plazos e informes."
)


def description_languages(catalogs: Catalogs) -> list[tuple[str | None, Translator]]:
    """(language_code, translator): Spanish as the default for every other language, then each
    shipped language Telegram can name (two-letter codes only, as for the command menus)."""
    return [(None, catalogs.translator(None))] + [
        (code, catalogs.translator(code)) for code in catalogs.languages if len(code) == 2
    ]


async def publish_descriptions(bot: Bot, catalogs: Catalogs) -> None:
    """Set both texts per language where Telegram's differ (these calls are rate-limited, and
    several processes start at once). A refusal is logged and never stops the bot."""
    try:
        for code, tr in description_languages(catalogs):
            description = tr.render(DESCRIPTION)
            if (await bot.get_my_description(language_code=code)).description != description:
                await bot.set_my_description(description=description, language_code=code)
            short = tr.render(SHORT_DESCRIPTION)
            if (await bot.get_my_short_description(language_code=code)).short_description != short:
                await bot.set_my_short_description(short_description=short, language_code=code)
    except TelegramAPIError as exc:
        log.warning("could not set the bot's description (%s); Telegram keeps the one it had", exc)
