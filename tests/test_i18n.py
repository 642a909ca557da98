"""The catalog loader, translators and date formats (L10N.md facts)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.i18n import Catalogs, msg, nmsg

CATALOG = """msgid ""
msgstr ""
"Language: {code}\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"X-Language-Name: {name}\\n"
"X-Reviewed-By: {reviewer}\\n"

msgid "Hola {{name}}"
msgstr "{hello} {{name}}"

msgid "{{n}} día"
msgid_plural "{{n}} días"
msgstr[0] "{{n}} {day}"

msgid "Roto {{name}}"
msgstr "Roto {{nombre}}"
"""


@pytest.fixture
def shipped(tmp_path: Path) -> Catalogs:
    for code, name, hello, day, reviewer in [
        ("ay", "Aymar aru", "Kamisaki", "uru", ""),
        ("cni", "Asháninka", "Ari", "kitaiteri", "Revisora Uno, 2026-11-01"),
    ]:
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(
            CATALOG.format(code=code, name=name, hello=hello, day=day, reviewer=reviewer)
        )
    return Catalogs(tmp_path)


def test_dropping_in_a_catalog_adds_a_language_with_its_review_status(shipped: Catalogs) -> None:
    assert list(shipped.languages) == ["es", "ay", "cni"]
    assert shipped.languages["ay"].native_name == "Aymar aru"
    assert not shipped.languages["ay"].reviewed
    assert shipped.languages["cni"].reviewed and shipped.languages["es"].reviewed


def test_aymara_keeps_its_single_plural_form(shipped: Catalogs) -> None:
    ay = shipped.translator("ay")
    assert ay.gettext("Hola {name}", name="Rosa") == "Kamisaki Rosa"
    assert ay.ngettext("{n} día", "{n} días", 5) == "5 uru"
    assert shipped.translator("es").ngettext("{n} día", "{n} días", 5) == "5 días"
    assert shipped.translator("es").ngettext("{n} día", "{n} días", 1) == "1 día"


def test_unknown_or_regional_codes_resolve_sensibly(shipped: Catalogs) -> None:
    assert shipped.resolve("ay") == "ay"
    assert shipped.resolve("es-PE") == "es"
    assert shipped.resolve("ayc") == "ay"
    assert shipped.resolve("en") == "es"
    assert shipped.resolve(None) == "es"


def test_parameters_are_escaped_and_broken_placeholders_fall_back_to_spanish(
    shipped: Catalogs,
) -> None:
    ay = shipped.translator("ay")
    assert ay.gettext("Hola {name}", name="<b>Eve</b>") == "Kamisaki &lt;b&gt;Eve&lt;/b&gt;"
    assert ay.gettext("Roto {name}", name="Ana") == "Roto Ana"


def test_lazy_text_renders_nested_labels_and_dates_in_the_readers_locale(shipped: Catalogs) -> None:
    es, qu, ay = shipped.translator("es"), Catalogs().translator("qu"), shipped.translator("ay")
    text = msg("Hola {name}", name=msg("Hola {name}", name="Ana"))
    assert ay.render(text) == "Kamisaki Kamisaki Ana"
    assert ay.render(nmsg("{n} día", "{n} días", 3)) == "3 uru"
    day = date(2026, 12, 15)
    assert es.date(day) == "martes 15 de diciembre de 2026"  # dates people read carry the weekday
    assert ay.date(day) == "martes, 15 diciembre 2026"  # Babel has no Aymara: Spanish loans, our patterns
    assert qu.format_locale == "qu_PE" and "2026" in qu.date(day)
    # 15:00 UTC is 10:00 in Lima, all year round; no seconds, no «a. m.» to end a sentence with.
    assert es.datetime(datetime(2026, 12, 15, 15, 0, tzinfo=UTC)) == "martes 15 de diciembre de 2026, 10:00"
    assert qu.datetime(datetime(2026, 12, 15, 15, 0, tzinfo=UTC)).endswith("2026, 10:00")
    assert es.gettext("Sesión programada para el {when}.", when="1 de enero, 10:00 a. m.").endswith("a. m.")
