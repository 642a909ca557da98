"""The reader's language on the web side, per request: `?lang=` (then kept in a cookie), else the
`lang` cookie, else the signed-in person's stored language (dashboard), else the browser's
Accept-Language through the bot's own resolver (`quz` → Quechua), else Spanish."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from bot.i18n import SOURCE_LANGUAGE, Catalogs, Translator

PARAM = "lang"
COOKIE = "lang"
# The switch in the page header: each language in its own name.
SWITCH = (("es", "Español"), ("qu", "Runasimi"), ("ay", "Aymar aru"))
# Whether the reader chose (query or cookie): else a signed-in person's stored language wins.
EXPLICIT = web.RequestKey("lang_explicit", bool)
TRANSLATOR = web.RequestKey("translator", Translator)  # the Translator of this request


def shipped(catalogs: Catalogs, code: str | None) -> str | None:
    """The shipped language a code names exactly ('qu', 'quz', 'ay-PE'), None when it names none."""
    if not code or len(code) > 16:
        return None
    found = catalogs.resolve(code)
    if found != SOURCE_LANGUAGE:
        return found
    return SOURCE_LANGUAGE if code.strip().lower().replace("-", "_").split("_")[0] == "es" else None


def accepted(catalogs: Catalogs, header: str) -> str | None:
    """The first shipped language in an Accept-Language header, by quality."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:20]):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, i, tag))
    for _, _, tag in sorted(ranked):
        found = shipped(catalogs, tag)
        if found:
            return found
    return None


def choose(catalogs: Catalogs, request: web.Request) -> tuple[str, bool]:
    """The language of this request and whether the reader chose it (query or cookie)."""
    for chosen in (request.query.get(PARAM), request.cookies.get(COOKIE)):
        found = shipped(catalogs, chosen)
        if found:
            return found, True
    return accepted(catalogs, request.headers.get("Accept-Language", "")) or SOURCE_LANGUAGE, False


def translator_of(request: web.Request) -> Translator:
    return request[TRANSLATOR]


def adopt_person_language(catalogs: Catalogs, request: web.Request, stored: str | None) -> None:
    """A signed-in person reads in their stored language unless they chose one here."""
    if not request.get(EXPLICIT, False) and stored:
        request[TRANSLATOR] = catalogs.translator(stored)


def remember(request: web.Request, response: web.StreamResponse) -> None:
    """A language chosen with `?lang=` is kept in a cookie for the next visit."""
    found = request.get(TRANSLATOR)
    if PARAM in request.query and found is not None and not response.prepared:
        response.set_cookie(COOKIE, found.code, max_age=365 * 86400, path="/", samesite="Lax")


class Links:
    """Internal links that keep the reader's language (`url`), the hidden field forms carry
    (`field`) and the switch's links to this same page in each language (`switch`)."""

    def __init__(self, request: web.Request, code: str) -> None:
        self.request = request
        self.code = code

    def url(self, path: str, /, **query: object) -> str:
        pairs = [(k, str(v)) for k, v in query.items() if v is not None and v != ""]
        if self.code != SOURCE_LANGUAGE:
            pairs.append((PARAM, self.code))
        if not pairs:
            return path
        return f"{path}{'&' if '?' in path else '?'}{urlencode(pairs)}"

    def field(self) -> Markup:
        if self.code == SOURCE_LANGUAGE:
            return Markup("")
        return Markup('<input type="hidden" name="{}" value="{}">').format(PARAM, self.code)

    def switch(self, code: str) -> str:
        query: Mapping[str, str] = {k: v for k, v in self.request.query.items() if k != PARAM}
        return f"{self.request.path}?{urlencode({**query, PARAM: code})}"
