"""The shipped catalogs are complete, current and consistent (the same check CI runs)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import polib

from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("catalogs_script", ROOT / "scripts" / "catalogs.py")
assert spec and spec.loader
catalogs_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalogs_script)


def test_catalogs_have_no_problems() -> None:
    assert catalogs_script.problems() == []


def test_quechua_and_aymara_ship_as_unreviewed_drafts() -> None:
    shipped = Catalogs()
    assert {"es", "qu", "ay"} <= set(shipped.languages)
    for code, name in [("qu", "Runasimi"), ("ay", "Aymar aru")]:
        language = shipped.languages[code]
        assert language.native_name == name
        assert not language.reviewed
        assert language.percent_translated == 100


def test_a_string_missing_from_the_template_is_caught(tmp_path: Path, monkeypatch: object) -> None:
    package = tmp_path / "bot"
    package.mkdir()
    (package / "new.py").write_text('def f(tr):\n    return tr.gettext("Una frase nueva sin traducir")\n')
    monkeypatch.setattr(catalogs_script, "ROOT", tmp_path)  # type: ignore[attr-defined]
    found = catalogs_script.problems()
    assert any("stale" in line for line in found)
    assert any("Una frase nueva sin traducir" in line and line.startswith("qu:") for line in found)


# A count followed by a plural word in a message without a plural form ("Faltan {left} de {total}
# acuerdos", "Sesión instalada con {present} presentes") reads "1 acuerdos" and cannot be declined
# in Quechua or Aymara: such messages must be nmsg/ngettext, or give the figure under a label
# ("cumplidos: {done}").
COUNT_THEN_PLURAL = re.compile(r"\{(\w+)\}\s+(?:de\s+\{\w+\}\s+)?([a-záéíóúñ]{3,}s)\b")
NOT_PLURALS = {"después", "antes", "más", "menos"}  # "{name} después de varios intentos"
# Limits that are constants well above 1 ("como máximo {max} caracteres"): never singular.
CONSTANT_LIMITS = {"max", "min"}


def counts_without_plural(template: str) -> list[str]:
    found = []
    for entry in polib.pofile(template):
        if entry.msgid_plural:
            continue
        for match in COUNT_THEN_PLURAL.finditer(entry.msgid):
            placeholder, word = match.groups()
            if word not in NOT_PLURALS and placeholder not in CONSTANT_LIMITS:
                found.append(f"{match.group(0)!r} in {entry.msgid!r}")
    return found


def test_no_count_is_followed_by_a_plural_word_outside_ngettext() -> None:
    assert counts_without_plural(catalogs_script.extract_template()) == []


def test_the_plural_scan_catches_the_defects_it_is_for() -> None:
    template = """
msgid "Faltan {left} de {total} acuerdos."
msgstr ""

msgid "✅ Sesión instalada con {present} presentes (quórum: {quorum})."
msgstr ""

msgid "Respuesta {n} presente."
msgid_plural "Respuestas: {n} presentes."
msgstr[0] ""
msgstr[1] ""

msgid "No pude entregar un mensaje a {name} después de varios intentos; como máximo {max} caracteres."
msgstr ""

msgid "cumplidos: {done}, vencidos: {overdue}."
msgstr ""
"""
    found = counts_without_plural(template)
    assert len(found) == 2
    assert "'{left} de {total} acuerdos'" in found[0] and "'{present} presentes'" in found[1]
