"""What the routes share: the database, the catalogs, the templates, the clock. Each request gets
its reader's Translator (bot/web/language.py); templates call `_`/`n_` with the bot's catalogs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Text, Translator
from bot.web.language import SWITCH, Links, translator_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "cra_sesion"
NUMERIC_DATE = "dd/MM/y"  # tables: the same in every language


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
    env.globals["languages"] = SWITCH
    return env


def template_values(tr: Translator) -> dict[str, Any]:
    """The translation functions templates use. A translation is HTML (as in the chat) with its
    parameters already escaped by the Translator, hence Markup."""

    def gettext(message: str, /, **params: object) -> Markup:
        return Markup(tr.gettext(message, **params))

    def ngettext(singular: str, plural: str, n: int, /, **params: object) -> Markup:
        return Markup(tr.ngettext(singular, plural, n, **params))

    def pgettext(context: str, message: str, /, **params: object) -> Markup:
        return Markup(tr.pgettext(context, message, **params))

    def shown(value: Text | str) -> Markup | str:
        return Markup(tr.render(value)) if isinstance(value, Text) else value

    def fmt_date(value: date | None) -> str:
        return "—" if value is None else tr.date(value, NUMERIC_DATE)

    return {
        "tr": tr,
        "_": gettext,
        "n_": ngettext,
        "p_": pgettext,
        "t": shown,
        "fmt_date": fmt_date,
        "lang": tr.code,
    }


@dataclass
class WebContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    catalogs: Catalogs
    base_url: str
    env: Environment = field(default_factory=templates)
    clock: Callable[[], datetime] = now_utc
    limiter: Any = None  # security.RateLimiter (set by the app)
    bot_token: str | None = None  # checks the Mini App's initData; None: no Mini App login

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def tr(self, request: web.Request) -> Translator:
        return translator_of(request)

    def render(self, request: web.Request, name: str, **values: Any) -> str:
        tr = translator_of(request)
        links = Links(request, tr.code)
        return self.env.get_template(name).render(
            **template_values(tr), url=links.url, lang_field=links.field, switch=links.switch, **values
        )

    def fmt_date(self, request: web.Request, value: date | None) -> str:
        return "—" if value is None else translator_of(request).date(value, NUMERIC_DATE)

    def html(self, request: web.Request, name: str, status: int = 200, **values: Any) -> web.Response:
        return web.Response(
            status=status,
            text=self.render(request, name, **values),
            content_type="text/html",
            charset="utf-8",
        )


CONTEXT = web.AppKey("context", WebContext)
