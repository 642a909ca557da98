"""Composition root: settings → engine, catalogs, bot, dispatcher; then polling or webhook.

Nothing here runs at import time; `cra-bot run` calls `run(settings)`.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage

from bot.commands import publish_default_commands
from bot.config import Settings
from bot.dispatcher import build_dispatcher
from bot.i18n import Catalogs
from db.engine import make_engine, make_sessionmaker

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def build_bot(settings: Settings) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/")))
    return Bot(
        token=settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def build_storage(settings: Settings) -> tuple[BaseStorage | None, BaseEventIsolation | None]:
    """Conversation state and per-person locking: in memory, or in Redis shared by all processes."""
    if not settings.redis_url:
        return None, None
    from aiogram.fsm.storage.redis import RedisStorage

    storage = RedisStorage.from_url(settings.redis_url)
    return storage, storage.create_isolation()


async def run(settings: Settings, *, webhook: bool = False) -> None:
    engine = make_engine(settings.database_url)
    catalogs = Catalogs()
    bot = build_bot(settings)
    try:
        me = await bot.get_me()
        storage, isolation = build_storage(settings)
        dp = build_dispatcher(
            sessionmaker=make_sessionmaker(engine),
            catalogs=catalogs,
            bot_username=me.username or "",
            storage=storage,
            isolation=isolation,
            invitation_days=settings.invitation_days,
        )
        await publish_default_commands(bot, catalogs)
        log.info("bot @%s ready (%d languages)", me.username, len(catalogs.languages))
        if webhook:
            await _serve_webhook(bot, dp, settings)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            await dp.start_polling(bot, allowed_updates=ALLOWED_UPDATES, close_bot_session=False)
    finally:
        await bot.session.close()
        await engine.dispose()


async def _serve_webhook(bot: Bot, dp: Dispatcher, settings: Settings) -> None:
    """Serve Telegram's webhook; requests without the secret header are rejected by aiogram."""
    import signal

    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    url, secret = settings.require_webhook()
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path="/webhook")
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    await stop.wait()
    await runner.cleanup()
