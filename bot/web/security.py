"""What every response gets: security headers, a per-client rate limit, and errors as pages.

Errors are pages in the reader's language: a bad parameter a 400 saying what to fix; a refusal
(the permission gate) a 403; something missing a 404; anything unexpected a plain 500 page (the
traceback goes to the log only).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.i18n import Text, msg
from bot.web import language
from bot.web.context import WebContext
from bot.workflows.errors import AccessDenied, NotFound, UserError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Public pages may be embedded by regional portals; the dashboard never.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors {ancestors}"
)
PRIVATE_PREFIXES = ("/panel", "/entrar", "/salir", "/miniapp")


class BadParameter(Exception):
    """A query parameter out of bounds; `message` (translatable) says what is accepted."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.msgid)
        self.message = message


class NotSignedIn(Exception):
    """A dashboard page asked for without a (live) session cookie."""


@dataclass
class RateLimiter:
    """A token bucket per client: `burst` requests at once, refilled at `per_second`."""

    burst: float = 60.0
    per_second: float = 2.0
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, client: str) -> bool:
        now = self.clock()
        tokens, last = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        if len(self.buckets) > 50_000:  # bounded memory: forget everyone, start afresh
            self.buckets.clear()
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return False
        self.buckets[client] = (tokens - 1, now)
        return True


def client_of(request: web.Request) -> str:
    """The client's address; behind the local reverse proxy, the one it forwards."""
    remote = request.remote or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and remote in ("127.0.0.1", "::1"):
        return forwarded.split(",")[-1].strip()[:64]
    return remote


def same_origin(request: web.Request) -> bool:
    """A form posted from these pages (or by a client that sends no Origin, e.g. an old browser):
    a login or logout posted from another site is refused (login CSRF)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def error_page(
    ctx: WebContext, request: web.Request, status: int, title: Text, message: Text
) -> web.Response:
    """An error as a page in the reader's language."""
    return ctx.html(request, "error.html", status=status, title=title, message=message)


NOT_ALLOWED = msg("Método no permitido")
READ_ONLY = msg("Estas páginas solo se leen.")
FORBIDDEN = msg("Acceso no permitido")
INVALID = msg("Solicitud no válida")
NOT_FOUND = msg("No encontrado")


def _headers(request: web.Request, response: web.StreamResponse) -> None:
    private = request.path.startswith(PRIVATE_PREFIXES)
    csp = CSP.format(ancestors="'none'" if private else "*")
    if request.path == "/miniapp":  # its one script, from this server: reads initData, posts it
        csp += "; script-src 'self'"
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Login links carry a secret in the path: never sent to another site. (Not no-referrer: with it
    # browsers post forms with `Origin: null`, and the same-origin check needs the real one.)
    response.headers["Referrer-Policy"] = "same-origin"
    if private:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"


def middleware(ctx: WebContext) -> Middleware:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        code, explicit = language.choose(ctx.catalogs, request)
        request[language.TRANSLATOR] = ctx.catalogs.translator(code)
        request[language.EXPLICIT] = explicit
        response: web.StreamResponse
        if request.method not in ("GET", "HEAD", "POST"):
            response = error_page(ctx, request, 405, NOT_ALLOWED, READ_ONLY)
        elif request.method == "POST" and not same_origin(request):
            response = error_page(ctx, request, 403, FORBIDDEN, msg("Ese formulario no viene de este sitio."))
        elif request.path != "/healthz" and not ctx.limiter.allow(client_of(request)):
            response = error_page(
                ctx,
                request,
                429,
                msg("Demasiadas solicitudes"),
                msg("Espere un minuto y vuelva a intentarlo."),
            )
            response.headers["Retry-After"] = "60"
        else:
            response = await _handle(ctx, request, handler)
        _headers(request, response)
        language.remember(request, response)
        return response

    return guard


async def _handle(ctx: WebContext, request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except NotSignedIn:
        return error_page(
            ctx,
            request,
            401,
            msg("Entre al panel primero"),
            msg("Para ver el panel, escriba /panel al bot en Telegram y abra el enlace que le envía."),
        )
    except BadParameter as exc:
        return error_page(ctx, request, 400, INVALID, exc.message)
    except AccessDenied as exc:
        return error_page(ctx, request, 403, FORBIDDEN, exc.text)
    except NotFound as exc:
        return error_page(ctx, request, 404, NOT_FOUND, exc.text)
    except UserError as exc:
        return error_page(ctx, request, 400, INVALID, exc.text)
    except web.HTTPNotFound:
        return error_page(ctx, request, 404, NOT_FOUND, msg("Esa página no existe. Vuelva al inicio."))
    except web.HTTPMethodNotAllowed:
        return error_page(ctx, request, 405, NOT_ALLOWED, READ_ONLY)
    except web.HTTPException:
        raise  # redirects and the like
    except Exception:
        log.exception("web: %s %s failed", request.method, request.path)
        return error_page(
            ctx, request, 500, msg("Error interno"), msg("Algo falló de nuestro lado. Intente más tarde.")
        )
