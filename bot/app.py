"""Composition root: settings → engine, catalogs, bot, sender, scheduler, dispatcher; then run.

Nothing here runs at import time; `cra-bot run` calls `run(settings)`.
Shutdown (SIGTERM or SIGINT): stop taking updates, let in-flight handlers finish, flush what the
pacing allows within SHUTDOWN_FLUSH_SECONDS, exit 0. What is left stays in the outbox.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage

from bot.collector import settle_after_start
from bot.commands import publish_default_commands
from bot.config import ConfigError, Settings
from bot.delivery import LocalPacer, OutboxSender, Pacer, RedisPacer
from bot.descriptions import publish_descriptions
from bot.dispatcher import build_dispatcher
from bot.flood import FloodMiddleware, RedisBuckets
from bot.health import Health, add_health_routes, serve_health
from bot.i18n import Catalogs
from bot.middlewares import InFlight
from bot.scheduler import Leadership, Ticker, build_scheduler
from bot.telegram_session import TelegramSession
from bot.workflows.monitoring import Thresholds
from db.engine import make_engine, make_sessionmaker

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def build_bot(settings: Settings) -> Bot:
    session = TelegramSession(api=TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/")))
    return Bot(
        token=settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def build_storage(settings: Settings) -> tuple[BaseStorage | None, BaseEventIsolation | None, Any]:
    """Conversation state, per-person locking and a Redis client: in memory, or shared in Redis."""
    if not settings.redis_url:
        return None, None, None
    from aiogram.fsm.storage.redis import RedisStorage

    from bot.shared_state import SharedIsolation, SharedStateStorage, connection_settings

    storage = RedisStorage.from_url(settings.redis_url, connection_kwargs=connection_settings())
    isolation = SharedIsolation(storage.create_isolation())
    return SharedStateStorage(storage), isolation, storage.redis


async def run(settings: Settings, *, webhook: bool = False, head: str | None = None) -> None:
    """`head`: the migrations' head revision, when the caller already read it (bot/cli.py)."""
    # No pre-ping: it costs a round trip per transaction (a seventh of an update's), and everything
    # here already survives a lost connection: an update runs again (TransactionMiddleware), the
    # sender records again or waits for the lease, a scheduled job runs at the next tick.
    engine = make_engine(
        settings.database_url, serialize_sqlite=True, pool_pre_ping=False, **settings.database_pool()
    )
    sessionmaker = make_sessionmaker(engine)
    catalogs = Catalogs()
    bot = build_bot(settings)
    storage, isolation, redis = build_storage(settings)
    pacer: Pacer = (
        RedisPacer(redis, settings.telegram_global_rate)
        if redis
        else LocalPacer(settings.telegram_global_rate)
    )
    sender = OutboxSender(
        bot,
        sessionmaker,
        catalogs,
        pacer=pacer,
        give_up_after=timedelta(minutes=settings.delivery_give_up_minutes),
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        request_timeout=settings.telegram_timeout_seconds,
    )
    leadership = Leadership(engine)
    ticker = Ticker(sessionmaker, leadership, catalogs)
    ticker.watch(settings.admin_ids(), alert_thresholds(settings))
    scheduler = build_scheduler(ticker, tick_seconds=settings.scheduler_tick_seconds)
    health = Health(engine, sessionmaker, leadership, head=head)
    health_server = None
    stop_sending = asyncio.Event()
    try:
        me = await introduce(bot, settings)
        dp = build_dispatcher(
            sessionmaker=sessionmaker,
            catalogs=catalogs,
            bot_username=me.username or "",
            on_commit=sender.wake,
            storage=storage,
            isolation=isolation,
            invitation_days=settings.invitation_days,
            web_base_url=settings.web_base_url(),
            flood=FloodMiddleware(buckets=RedisBuckets(redis)) if redis else None,
            transactions=settings.update_transactions(),
        )
        await publish_default_commands(bot, catalogs)
        await publish_descriptions(bot, catalogs)
        sending = asyncio.create_task(sender.run(stop_sending), name="outbox-sender")
        scheduler.start()
        settle_after_start()
        log.info("bot @%s ready (%d languages)", me.username, len(catalogs.languages))
        if webhook:
            await _serve_webhook(bot, dp, settings, health)
        else:
            if settings.health_port:
                health_server = await serve_health(health, settings.health_host, settings.health_port)
            await bot.delete_webhook(drop_pending_updates=False)
            await dp.start_polling(
                bot,
                allowed_updates=ALLOWED_UPDATES,
                close_bot_session=False,
                tasks_concurrency_limit=settings.updates_at_once(),
            )
        log.info("stopping: finishing handlers and flushing the outbox")
        in_flight: InFlight = dp["in_flight"]
        await in_flight.wait_idle(timeout=settings.shutdown_flush_seconds)
        stop_sending.set()
        await sending
        flushed = await sender.drain(deadline=time.monotonic() + settings.shutdown_flush_seconds)
        left = await sender.pending()
        log.info("stopped: %d messages flushed, %d left in the outbox for next start", flushed, left)
    finally:
        if health_server is not None:
            await health_server.cleanup()
        if scheduler.running:
            # A tick under way finishes first: the scheduler's shutdown cancels its jobs, and a job
            # cancelled midway logged a traceback for what simply runs again at the next start.
            scheduler.pause()
            if not await ticker.wait_idle(settings.shutdown_flush_seconds):
                log.warning("stopping: a scheduled tick outlasted the flush; it runs again at the next start")
            scheduler.shutdown(wait=False)
        await leadership.release()
        await bot.session.close()
        if storage is not None:
            await storage.close()
        await engine.dispose()


async def introduce(bot: Bot, settings: Settings) -> Any:
    """getMe, the first call: a refused token or an unreachable API becomes one line for the
    operator (ConfigError, exit 2); a network failure is retried with backoff, logged once."""
    from aiogram.exceptions import TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError

    deadline = time.monotonic() + settings.startup_retry_seconds
    delay = 1.0
    while True:
        try:
            return await bot.get_me()
        except TelegramUnauthorizedError:
            raise ConfigError(
                "Telegram refused BOT_TOKEN (401 Unauthorized): the token was revoked or mistyped; "
                "get the current one from @BotFather"
            ) from None
        except (TelegramNetworkError, TelegramServerError) as exc:
            if time.monotonic() + delay > deadline:
                raise ConfigError(
                    f"cannot reach the Telegram Bot API at {settings.telegram_api_url} ({exc}); "
                    "check the network, a proxy or TELEGRAM_API_URL"
                ) from None
            if delay == 1.0:
                log.warning(
                    "Telegram Bot API unreachable at %s (%s); retrying for up to %.0f s",
                    settings.telegram_api_url,
                    exc,
                    settings.startup_retry_seconds,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


def alert_thresholds(settings: Settings) -> Thresholds:
    return Thresholds(
        outbox_age=timedelta(minutes=settings.alert_outbox_age_minutes),
        scheduler_late=timedelta(minutes=settings.alert_scheduler_late_minutes),
    )


async def _serve_webhook(bot: Bot, dp: Dispatcher, settings: Settings, health: Health | None = None) -> None:
    """Serve Telegram's webhook until SIGTERM/SIGINT; requests without the secret header get 401.
    The same server answers /healthz, /readyz and /metrics."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    url, secret = settings.require_webhook()
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path="/webhook")
    setup_application(app, dp, bot=bot)
    if health is not None:
        add_health_routes(app, health)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError(
            f"cannot listen on {settings.webhook_host}:{settings.webhook_port} ({exc.strerror}): "
            "another process holds the port; stop it or set WEBHOOK_PORT"
        ) from None
    await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    await stop.wait()
    await site.stop()  # no new updates; handlers in flight finish below
    await runner.cleanup()
