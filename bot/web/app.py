"""The web application (`build_app`) and its server (`serve`, for `cra-bot web`).

A separate process from the bot, on the same database: on SQLite it reads beside the bot (WAL);
on PostgreSQL several can run behind the reverse proxy (no state but the database; the rate
limit is per process).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs
from bot.web import panel, public, views
from bot.web.context import CONTEXT, STATIC, WebContext, now_utc
from bot.web.security import RateLimiter, middleware

log = logging.getLogger(__name__)


def build_app(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    base_url: str,
    catalogs: Catalogs | None = None,
    clock: Callable[[], datetime] = now_utc,
    limiter: RateLimiter | None = None,
    bot_token: str | None = None,
) -> web.Application:
    ctx = WebContext(
        sessionmaker,
        catalogs or Catalogs(),
        base_url.rstrip("/"),
        clock=clock,
        limiter=limiter or RateLimiter(),
        bot_token=bot_token,
    )
    app = web.Application(middlewares=[middleware(ctx)], client_max_size=64 * 1024)
    app[CONTEXT] = ctx
    app.add_routes(public.routes)
    app.add_routes(panel.routes)
    app.add_routes(views.routes)
    app.router.add_static("/static", STATIC, show_index=False)
    return app


async def serve(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT."""
    from db.engine import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url, **settings.database_pool())
    token = settings.require_token() if settings.bot_token is not None else None  # for the Mini App
    app = build_app(make_sessionmaker(engine), base_url=settings.web_base_url(), bot_token=token)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.web_host, settings.web_port)
    await site.start()
    log.info(
        "web side at http://%s:%s (public address %s)",
        settings.web_host,
        settings.web_port,
        settings.web_base_url(),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await engine.dispose()
