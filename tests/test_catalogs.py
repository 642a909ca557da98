"""The shipped catalogs are complete, current and consistent (the same check CI runs)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

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
