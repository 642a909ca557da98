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

from bot.legal_texts import LEGAL_MSGID_STARTS
from bot.review_marks import review_status

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

# CLDR locale used to format dates and numbers for each catalog (decisions: locales/GLOSSARY.md,
# «Dates»). Quechua: CLDR `qu_PE` (month and weekday names are Spanish loans, «11 Diciembre 2026»).
# Babel does not know Aymara and the Amazonian languages: they take their names from `es_PE`.
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
# Aymara has no CLDR patterns: Spanish loans for months and weekdays, as Peruvian Aymara speakers
# say them, but no Spanish «de» and a 24-hour clock (no «a. m.»), so an Aymara sentence never
# carries Spanish date grammar by accident.
DATE_PATTERNS: Mapping[str, Mapping[str, str]] = {
    "ay": {"short": "dd/MM/yy", "medium": "d MMMM y", "long": "d MMMM y", "full": "EEEE, d MMMM y"},
}
DATETIME_PATTERNS: Mapping[str, Mapping[str, str]] = {
    "ay": {
        "short": "dd/MM/yy HH:mm",
        "medium": "d MMMM y, HH:mm",
        "long": "d MMMM y, HH:mm",
        "full": "EEEE, d MMMM y, HH:mm",
    },
}
# Language codes a Telegram client (or a person) may send, to the catalog that serves them:
# Quechua varieties (Ayacucho-Chanka `quy`, Cusco-Collao `quz`, Huaylas `qub`) and Aymara (macro
# `aym`, Central `ayr`, Southern `ayc`). Region suffixes (`qu-PE`) are dropped first.
LANGUAGE_ALIASES: Mapping[str, str] = {
    "quy": "qu",
    "quz": "qu",
    "qub": "qu",
    "que": "qu",
    "aym": "ay",
    "ayr": "ay",
    "ayc": "ay",
}


@dataclass(frozen=True)
class Text:
    """A message id (Spanish) with named parameters; plural when `plural` and `n` are set."""

    msgid: str
    plural: str | None = None
    n: int | None = None
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    context: str | None = None  # msgctxt: which meaning, when one Spanish word has two

    @property
    def key(self) -> str:
        return catalog_key(self.msgid, self.context)


def catalog_key(msgid: str, context: str | None = None) -> str:
    """How gettext names an entry: `context\x04msgid` when it has a msgctxt."""
    return f"{context}\x04{msgid}" if context else msgid


@dataclass(frozen=True)
class Lines:
    """A list rendered per reader: each row stored text and translatable parts, rows joined by
    `sep` (an agenda one per line; role names by commas). Rows are items, never parts of a sentence."""

    rows: tuple[tuple[Text | str, ...], ...]
    sep: str = "\n"


@dataclass(frozen=True)
class DateAs:
    """A date shown in a named format instead of the sentence default (which carries the
    weekday): a period's bounds read «del 1 de diciembre de 2026 al 31 de diciembre de 2026»."""

    value: date
    fmt: str = "long"


def msg(msgid: str, /, **params: object) -> Text:
    """Mark a message for translation and rendering later, in the reader's language."""
    return Text(msgid, params=MappingProxyType(params))


def pmsg(context: str, msgid: str, /, **params: object) -> Text:
    """Like `msg`, for a Spanish word with two meanings: `context` (msgctxt) says which one, so
    each meaning gets its own translation (the button «Cancelar» is not the status «cancelado»)."""
    return Text(msgid, params=MappingProxyType(params), context=context)


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
    legal_approved: bool = False  # every string with legal weight approved by a reviewer

    @property
    def is_source(self) -> bool:
        return self.code == SOURCE_LANGUAGE

    @property
    def reviewed(self) -> bool:
        return self.is_source or bool(self.reviewed_by)


class Translator:
    """Renders messages for one reader: their catalog, their date formats, Lima time."""

    def __init__(
        self,
        language: Language,
        translations: gettext.NullTranslations,
        corrections: Mapping[str, str] | None = None,
    ) -> None:
        self.language = language
        self._translations = translations
        # A reviewer's corrections made in the chat (/traducir), by msgid: they win over the catalog.
        self._corrections: Mapping[str, str] = corrections or {}
        self.format_locale = FORMAT_LOCALES.get(language.code, "es_PE")

    @property
    def code(self) -> str:
        return self.language.code

    def gettext(self, message: str, /, **params: object) -> str:
        translated = self._corrections.get(message) or self._translations.gettext(message)
        return self._format(message, translated, params)

    def pgettext(self, context: str, message: str, /, **params: object) -> str:
        key = catalog_key(message, context)
        translated = self._corrections.get(key) or self._translations.pgettext(context, message)
        return self._format(message, translated, params)

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        # Quechua and Aymara have one plural form: a correction of the entry is that form.
        translated = self._corrections.get(singular) or self._translations.ngettext(singular, plural, n)
        source = singular if n == 1 else plural
        return self._format(source, translated, {"n": n, **params})

    def template(self, key: str) -> str:
        """The translation of an entry (`catalog_key`) as readers get it now, placeholders unfilled."""
        if "\x04" in key:
            context, message = key.split("\x04", 1)
            return self._corrections.get(key) or self._translations.pgettext(context, message)
        return self._corrections.get(key) or self._translations.gettext(key)

    def render(self, text: Text) -> str:
        if text.plural is not None and text.n is not None:
            return self.ngettext(text.msgid, text.plural, text.n, **text.params)
        if text.context:
            return self.pgettext(text.context, text.msgid, **text.params)
        return self.gettext(text.msgid, **text.params)

    def shown(self, value: Text | str) -> str:
        """A translatable text rendered, or stored text (a title someone typed) as it is."""
        return self.render(value) if isinstance(value, Text) else value

    def lines(self, value: Lines) -> str:
        """The rows as HTML: stored text escaped, translations (already HTML) as they are."""
        return value.sep.join(
            "".join(self.render(p) if isinstance(p, Text) else html.escape(p) for p in row)
            for row in value.rows
        )

    def date(self, value: date, fmt: str | None = None) -> str:
        """A date as people read it: with its weekday («jueves 10 de diciembre de 2026»), in the
        reader's locale; or in a named format (`short` in tables and buttons), the language's own
        pattern first (Aymara: locales/GLOSSARY.md, «Dates»)."""
        pattern = self._full_date if fmt is None else DATE_PATTERNS.get(self.code, {}).get(fmt, fmt)
        return format_date(value, pattern, locale=self.format_locale)

    def datetime(self, value: datetime, fmt: str | None = None) -> str:
        """A moment in Lima time as people read it: weekday, no seconds, 24 h («jueves 10 de
        diciembre de 2026, 10:00»); or in a named format."""
        if fmt is None:
            pattern = f"{self._full_date}, HH:mm"
        else:
            pattern = DATETIME_PATTERNS.get(self.code, {}).get(fmt, fmt)
        return format_datetime(value, pattern, tzinfo=LIMA, locale=self.format_locale)

    @property
    def _full_date(self) -> str:
        return DATE_PATTERNS.get(self.code, {}).get("full") or readable_date_pattern(self.format_locale)

    def _param(self, value: object) -> object:
        if isinstance(value, Text):
            return _Safe(self.render(value))
        if isinstance(value, Lines):
            return _Safe(self.lines(value))
        if isinstance(value, DateAs):
            return self.date(value.value, value.fmt)
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


@dataclass(frozen=True)
class CatalogEntry:
    """One string of a catalog as a reviewer sees it: the Spanish, where it is used, the
    translation, its review state and the notes for translators."""

    msgid: str
    context: str | None
    plural: str | None
    translation: str
    status: str  # draft | reviewed | approved (bot/review_marks.py)
    occurrences: tuple[str, ...]
    notes: str

    @property
    def key(self) -> str:
        return catalog_key(self.msgid, self.context)


def _entries(po: polib.POFile) -> dict[str, CatalogEntry]:
    return {
        catalog_key(e.msgid, e.msgctxt): CatalogEntry(
            msgid=e.msgid,
            context=e.msgctxt or None,
            plural=e.msgid_plural or None,
            translation=e.msgstr_plural.get(0, "") if e.msgid_plural else e.msgstr,
            status=review_status(e),
            occurrences=tuple(f"{file}:{line}" if line else file for file, line in e.occurrences),
            notes=e.comment or "",
        )
        for e in po
        if not e.obsolete and e.msgid
    }


def legal_strings_approved(po: polib.POFile) -> bool:
    """Whether a reviewer approved every string with legal weight (convocations, agreements,
    deadlines, personal data: bot/legal_texts.py) as it now reads."""
    legal = [e for e in po if not e.obsolete and e.msgid.startswith(LEGAL_MSGID_STARTS)]
    return bool(legal) and all(review_status(e) == "approved" for e in legal)


def _read_catalog(path: Path) -> tuple[Language, gettext.GNUTranslations, dict[str, CatalogEntry]]:
    po = polib.pofile(str(path))
    code = path.parent.parent.name
    meta = po.metadata
    language = Language(
        code=code,
        native_name=meta.get("X-Language-Name") or code,
        reviewed_by=(meta.get("X-Reviewed-By") or "").strip() or None,
        reviewed_on=(meta.get("X-Reviewed-On") or "").strip() or None,
        percent_translated=po.percent_translated(),
        legal_approved=legal_strings_approved(po),
    )
    return language, gettext.GNUTranslations(io.BytesIO(po.to_binary())), _entries(po)


class Catalogs:
    """Every language shipped in `locales/`: Spanish (the source) plus one folder per catalog."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self.languages: dict[str, Language] = {SOURCE_LANGUAGE: Language(SOURCE_LANGUAGE, "Español")}
        self._translations: dict[str, gettext.NullTranslations] = {
            SOURCE_LANGUAGE: gettext.NullTranslations()
        }
        self.entries: dict[str, dict[str, CatalogEntry]] = {}
        self.corrections: dict[str, dict[str, str]] = {}
        # When (time.monotonic) the reviewers' corrections are to be read again: at once at first.
        self.corrections_due = 0.0
        paths = sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        if not paths:
            # Say it: otherwise every Quechua and Aymara reader silently gets Spanish.
            log.warning("no catalogs in %s: every reader gets Spanish", locales_dir)
        for path in paths:
            language, translations, entries = _read_catalog(path)
            if language.code != SOURCE_LANGUAGE:
                self.languages[language.code] = language
                self._translations[language.code] = translations
                self.entries[language.code] = entries
        # One per language, shared: a Translator holds no state of its reader's, and a long-lived
        # one lets rendering memoise what is the same for every reader of a language.
        self._translators = {
            code: Translator(language, self._translations[code]) for code, language in self.languages.items()
        }

    def apply_corrections(self, corrections: Mapping[str, Mapping[str, str]]) -> bool:
        """Render with the reviewers' corrections (language → msgid → translation) from now on.
        A language whose corrections changed gets a new Translator, so nothing memoised with the
        old one (a command list) is served again. Returns whether anything changed."""
        changed = False
        for code in self.entries:
            wanted = dict(corrections.get(code, {}))
            if wanted != self.corrections.get(code, {}):
                self.corrections[code] = wanted
                self._translators[code] = Translator(self.languages[code], self._translations[code], wanted)
                changed = True
        return changed

    def resolve(self, code: str | None) -> str:
        """The shipped language for a stored or client code ('qu', 'es-PE', 'quz'), else Spanish."""
        if not code:
            return SOURCE_LANGUAGE
        code = code.strip().lower().replace("-", "_")
        base = code.split("_")[0]
        for candidate in (code, base, LANGUAGE_ALIASES.get(base)):
            if candidate and candidate in self.languages:
                return candidate
        return SOURCE_LANGUAGE

    def translator(self, code: str | None) -> Translator:
        return self._translators[self.resolve(code)]


@functools.cache
def shipped_catalogs() -> Catalogs:
    """The catalogs in locales/, loaded once: for scheduled work that has no dispatcher at hand."""
    return Catalogs()
