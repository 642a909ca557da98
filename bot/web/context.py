"""What the routes share: the database, the Spanish translator, the templates, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "cra_sesion"


def now_utc() -> datetime:
    return datetime.now(UTC)


def templates() -> Environment:
    """Autoescaping on for every template: anything from the database is text, never markup."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["year_now"] = lambda: now_utc().year
    return env


@dataclass
class WebContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    tr: Translator  # Spanish: the public pages and the dashboard are in Spanish
    base_url: str
    env: Environment = field(default_factory=templates)
    clock: Callable[[], datetime] = now_utc
    limiter: Any = None  # security.RateLimiter (set by the app)
    bot_token: str | None = None  # checks the Mini App's initData; None: no Mini App login

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def render(self, name: str, **values: Any) -> str:
        return self.env.get_template(name).render(tr=self.tr, fmt_date=self.fmt_date, **values)

    def fmt_date(self, value: date | None) -> str:
        return "—" if value is None else f"{value:%d/%m/%Y}"

    def html(self, name: str, status: int = 200, **values: Any) -> web.Response:
        return web.Response(
            status=status, text=self.render(name, **values), content_type="text/html", charset="utf-8"
        )


CONTEXT = web.AppKey("context", WebContext)
