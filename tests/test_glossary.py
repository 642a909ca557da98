"""Legal terms follow locales/GLOSSARY.md: the Spanish term in guillemets until a native reviewer
decides, and `catalogs.py check` flags a translation that strays from a checked term."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import polib
import pytest

from bot.i18n import Catalogs
from bot.workflows.labels import SESSION_KIND_LABELS
from db.models import SessionKind

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("catalogs_script", ROOT / "scripts" / "catalogs.py")
assert spec and spec.loader
catalogs_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalogs_script)

LEGAL = ("ordinaria", "extraordinaria", "recusación", "quórum", "voto dirimente", "número hábil")


def test_catalogs_follow_the_glossary() -> None:
    assert catalogs_script.glossary_problems() == []


def test_every_legal_term_is_listed_with_a_status() -> None:
    glossary = (ROOT / "locales" / "GLOSSARY.md").read_text()
    legal = glossary.split("## Legal terms", 1)[1].split("\n## ", 1)[0]
    rows = [r for r in legal.splitlines() if r.startswith("| ") and not r.startswith("| Spanish")]
    statuses = {r.split("|")[4].strip() for r in rows}
    assert statuses <= {"draft", "Spanish-kept", "reviewed"}
    for term in LEGAL:
        assert any(term in r.split("|")[1] for r in rows), term
    checked = [pattern for pattern, _ in catalogs_script.checked_terms(glossary)]
    for term in LEGAL:
        assert any(re.search(p, term) for p in checked), term


@pytest.mark.parametrize("code", ["qu", "ay"])
def test_session_kinds_and_recusal_keep_the_spanish_term_in_guillemets(code: str) -> None:
    tr = Catalogs().translator(code)
    assert tr.render(SESSION_KIND_LABELS[SessionKind.ORDINARY]) == "«ordinaria»"
    assert tr.render(SESSION_KIND_LABELS[SessionKind.EXTRAORDINARY]) == "«extraordinaria»"
    assert "«Recusación»" in tr.gettext("Mayoría para la recusación (por ejemplo 2/3)")
    convocation = tr.gettext("Listo: sesión ordinaria prevista para el {day}.", day="1")
    assert "«ordinaria»" in convocation and "sapa" not in convocation.lower()


def test_a_translation_against_the_glossary_is_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    path = locales / "ay" / "LC_MESSAGES" / "messages.po"
    po = polib.pofile(str(path), wrapwidth=0)
    entry = po.find("Mayoría para la recusación (por ejemplo 2/3)")
    assert entry is not None
    entry.msgstr = "Jaqsuñatak juk'amp waljanaka (kunjamatix 2/3)"  # the old draft: "expulsion"
    po.save(str(path))
    monkeypatch.setattr(catalogs_script, "LOCALES", locales)
    monkeypatch.setattr(catalogs_script, "GLOSSARY", locales / "GLOSSARY.md")
    assert catalogs_script.glossary_problems() == [
        "ay: 'Mayoría para la recusación (por ejemplo 2/3)' should say «recusación» (GLOSSARY.md)"
    ]
