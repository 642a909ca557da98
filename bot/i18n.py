"""Languages: translatable text (`Text`, `msg`, `nmsg`: what workflows return, rendered later in
each reader's language), catalogs loaded from locales/, one Translator per reader, dates via Babel.

Why not aiogram's I18n: it needs compiled .mo files and Babel-known locales, so an Aymara (`ay`)
reader silently gets Spanish (L10N.md). We read the .po files with polib (which keeps the
Plural-Forms and X- headers Babel drops), compile them in memory, and pick the catalog from the
language stored on the person, never from the Telegram client.
"""

from __future__ import annotations

import functools
import gettext
import html
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import polib
from babel import Locale
from babel.dates import format_date, format_datetime

log = logging.getLogger(__name__)


def find_locales() -> Path:
    """Where the catalogs are: inside the package when installed from a wheel (setup.py maps the
    repository's locales/ to bot/locales), else at the root of a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "locales"
    return installed if installed.is_dir() else package.parent / "locales"


LOCALES_DIR = find_locales()
DOMAIN = "messages"
SOURCE_LANGUAGE = "es"
LIMA = ZoneInfo("America/Lima")

# CLDR locale used to format dates and numbers for each catalog. Babel does not know Aymara and
# the Amazonian languages; they get Peruvian Spanish formats (L10N.md).
# The date pattern people read in sentences, per format locale; others use their locale's full date.
READABLE_DATES: Mapping[str, str] = {"es_PE": "EEEE d 'de' MMMM 'de' y"}


@functools.cache
def readable_date_pattern(locale: str) -> str:
    return READABLE_DATES.get(locale) or str(Locale.parse(locale).date_formats["full"].pattern)


FORMAT_LOCALES: Mapping[str, str] = {
    "es": "es_PE",
    "qu": "qu_PE",
    "quy": "qu_PE",
    "quz": "qu_PE",
    "ay": "es_PE",
    "cni": "es_PE",
    "agr": "es_PE",
    "shp": "es_PE",
}


@dataclass(frozen=True)
class Text:
    """A message id (Spanish) with named parameters; plural when `plural` and `n` are set."""

    msgid: str
    plural: str | None = None
    n: int | None = None
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


def msg(msgid: str, /, **params: object) -> Text:
    """Mark a message for translation and rendering later, in the reader's language."""
    return Text(msgid, params=MappingProxyType(params))


def nmsg(singular: str, plural: str, n: int, /, **params: object) -> Text:
    """Like `msg` for a count: the reader's language picks the plural form for `n`."""
    return Text(singular, plural, n, MappingProxyType(params))


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    reviewed_by: str | None = None
    reviewed_on: str | None = None
    percent_translated: int = 100

    @property
    def is_source(self) -> bool:
        return self.code == SOURCE_LANGUAGE

    @property
    def reviewed(self) -> bool:
        return self.is_source or bool(self.reviewed_by)


class Translator:
    """Renders messages for one reader: their catalog, their date formats, Lima time."""

    def __init__(self, language: Language, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations
        self.format_locale = FORMAT_LOCALES.get(language.code, "es_PE")

    @property
    def code(self) -> str:
        return self.language.code

    def gettext(self, message: str, /, **params: object) -> str:
        return self._format(message, self._translations.gettext(message), params)

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        translated = self._translations.ngettext(singular, plural, n)
        source = singular if n == 1 else plural
        return self._format(source, translated, {"n": n, **params})

    def render(self, text: Text) -> str:
        if text.plural is not None and text.n is not None:
            return self.ngettext(text.msgid, text.plural, text.n, **text.params)
        return self.gettext(text.msgid, **text.params)

    def date(self, value: date, fmt: str | None = None) -> str:
        """A date as people read it: with its weekday («jueves 10 de diciembre de 2026»), in the
        reader's locale; or in a Babel format (`short` in tables and buttons)."""
        return format_date(value, fmt or self._full_date, locale=self.format_locale)

    def datetime(self, value: datetime, fmt: str | None = None) -> str:
        """A moment in Lima time as people read it: weekday, no seconds, 24 h («jueves 10 de
        diciembre de 2026, 10:00»); or in a Babel format."""
        if fmt is not None:
            return format_datetime(value, fmt, tzinfo=LIMA, locale=self.format_locale)
        pattern = f"{self._full_date}, HH:mm"
        return format_datetime(value, pattern, tzinfo=LIMA, locale=self.format_locale)

    @property
    def _full_date(self) -> str:
        return readable_date_pattern(self.format_locale)

    def _param(self, value: object) -> object:
        if isinstance(value, Text):
            return _Safe(self.render(value))
        if isinstance(value, datetime):
            return self.datetime(value)
        if isinstance(value, date):
            return self.date(value)
        return value

    def _format(self, source: str, translated: str, params: Mapping[str, object]) -> str:
        if not params:
            return translated
        rendered = {key: self._param(value) for key, value in params.items()}
        for key, value in rendered.items():  # «… S.A.» at the end of a sentence: one period, not two
            if isinstance(value, str) and value.endswith(".") and not value.endswith(".."):
                translated = translated.replace("{" + key + "}.", "{" + key + "}")
        safe = {
            k: v if isinstance(v, _Safe | int | float) else html.escape(str(v)) for k, v in rendered.items()
        }
        try:
            return translated.format(**safe)
        except (KeyError, IndexError, ValueError):
            # A translator renamed a placeholder; CI checks this, but never fail the reader.
            log.error("broken placeholders in %s translation of %r", self.code, source)
            return source.format(**safe)


class _Safe(str):
    """Already-rendered HTML that must not be escaped again."""


def _read_catalog(path: Path) -> tuple[Language, gettext.GNUTranslations]:
    po = polib.pofile(str(path))
    code = path.parent.parent.name
    meta = po.metadata
    language = Language(
        code=code,
        native_name=meta.get("X-Language-Name") or code,
        reviewed_by=(meta.get("X-Reviewed-By") or "").strip() or None,
        reviewed_on=(meta.get("X-Reviewed-On") or "").strip() or None,
        percent_translated=po.percent_translated(),
    )
    return language, gettext.GNUTranslations(io.BytesIO(po.to_binary()))


class Catalogs:
    """Every language shipped in `locales/`: Spanish (the source) plus one folder per catalog."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self.languages: dict[str, Language] = {SOURCE_LANGUAGE: Language(SOURCE_LANGUAGE, "Español")}
        self._translations: dict[str, gettext.NullTranslations] = {
            SOURCE_LANGUAGE: gettext.NullTranslations()
        }
        paths = sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        if not paths:
            # Say it: otherwise every Quechua and Aymara reader silently gets Spanish.
            log.warning("no catalogs in %s: every reader gets Spanish", locales_dir)
        for path in paths:
            language, translations = _read_catalog(path)
            if language.code != SOURCE_LANGUAGE:
                self.languages[language.code] = language
                self._translations[language.code] = translations
        # One per language, shared: a Translator holds no state of its reader's, and a long-lived
        # one lets rendering memoise what is the same for every reader of a language.
        self._translators = {
            code: Translator(language, self._translations[code]) for code, language in self.languages.items()
        }

    def resolve(self, code: str | None) -> str:
        """The shipped language for a stored or client code ('qu', 'es-PE', 'quz'), else Spanish."""
        if not code:
            return SOURCE_LANGUAGE
        code = code.lower().replace("-", "_")
        for candidate in (
            code,
            code.split("_")[0],
            {"quy": "qu", "quz": "qu", "ayc": "ay"}.get(code),
        ):
            if candidate and candidate in self.languages:
                return candidate
        return SOURCE_LANGUAGE

    def translator(self, code: str | None) -> Translator:
        return self._translators[self.resolve(code)]


@functools.cache
def shipped_catalogs() -> Catalogs:
    """The catalogs in locales/, loaded once: for scheduled work that has no dispatcher at hand."""
    return Catalogs()
