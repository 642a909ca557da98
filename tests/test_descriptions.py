"""The bot's description and short description, set at start in every shipped language, against the
HTTP Bot API double (which enforces Telegram's 512/120-character limits and two-letter codes)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest

from bot.descriptions import DESCRIPTION, SHORT_DESCRIPTION, publish_descriptions
from bot.i18n import Catalogs
from tests.telegram_double import BotApiDouble

SETTERS = ("setMyDescription", "setMyShortDescription")


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as d:
        yield d


@pytest.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(double.base_url))
    bot = Bot(double.token, session=session)
    yield bot
    await session.close()


def sets(double: BotApiDouble) -> list[str]:
    return [r.method for r in double.requests if r.method in SETTERS and r.status == 200]


async def test_descriptions_are_set_in_spanish_quechua_and_aymara(double: BotApiDouble, bot: Bot) -> None:
    catalogs = Catalogs()
    await publish_descriptions(bot, catalogs)

    spanish = double.description_for()
    assert spanish is not None and "invitación" in spanish and "/idioma" in spanish
    assert double.description_for("es") == spanish  # Spanish readers, and everyone else by default
    assert double.description_for(short=True) == catalogs.translator("es").render(SHORT_DESCRIPTION)
    for code in ("qu", "ay"):
        tr = catalogs.translator(code)
        description, short = double.description_for(code), double.description_for(code, short=True)
        assert description == tr.render(DESCRIPTION) and short == tr.render(SHORT_DESCRIPTION)
        assert description != spanish and short != double.description_for(short=True)  # translated
        assert "/idioma" in description and "Runasimi · Aymar aru" in description
    assert not double.internal_errors


async def test_a_second_start_changes_nothing(double: BotApiDouble, bot: Bot) -> None:
    await publish_descriptions(bot, Catalogs())
    first = len(sets(double))
    assert first == 2 * 4  # both texts for the default, es, qu and ay

    await publish_descriptions(bot, Catalogs())
    assert len(sets(double)) == first  # read back, found current, not written again


async def test_a_changed_translation_is_written_again(double: BotApiDouble, bot: Bot) -> None:
    await publish_descriptions(bot, Catalogs())
    await bot.set_my_description(description="texto viejo", language_code="qu")
    written = len(sets(double))

    await publish_descriptions(bot, Catalogs())
    assert len(sets(double)) == written + 1
    assert double.description_for("qu") == Catalogs().translator("qu").render(DESCRIPTION)


async def test_telegram_refusing_the_description_does_not_stop_the_bot(
    double: BotApiDouble, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    double.fail_next("setMyDescription", 429, retry_after=3600)
    with caplog.at_level(logging.WARNING, logger="bot.descriptions"):
        await publish_descriptions(bot, Catalogs())
    assert "could not set the bot's description" in caplog.text
    assert double.description_for() is None  # nothing half-set is claimed; the next start tries again


async def test_the_double_refuses_what_telegram_refuses(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest):
        await bot.set_my_description(description="x" * 513)
    with pytest.raises(TelegramBadRequest):
        await bot.set_my_short_description(short_description="x" * 121)
    with pytest.raises(TelegramBadRequest):
        await bot.set_my_description(description="Allinllachu", language_code="quz")  # two letters only
