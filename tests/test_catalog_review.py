"""A bilingual reviewer's path: export a language to a spreadsheet (Spanish, where it is used, the
translation, its status), correct and mark strings, import it back; the marks survive a catalog
update and lapse when the string changes."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("catalogs_script", ROOT / "scripts" / "catalogs.py")
assert spec and spec.loader
catalogs_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalogs_script)

SKIP_SENTENCE = "Escriba el nombre de la persona invitada, o toque «{button}»."


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", copy)
    monkeypatch.setattr(catalogs_script, "LOCALES", copy)
    return copy


def rows_of(path: Path) -> list[dict[str, str]]:
    sheet = load_workbook(path).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = [str(c) for c in values[0]]
    return [{h: "" if v is None else str(v) for h, v in zip(header, row, strict=True)} for row in values[1:]]


def save_rows(path: Path, rows: list[dict[str, str]]) -> None:
    book = load_workbook(path)
    sheet = book.worksheets[0]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append([row[c] for c in catalogs_script.COLUMNS])
    book.save(path)


def test_export_correct_mark_and_import_back(locales: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "review.xlsx"
    written = catalogs_script.export_review("qu", sheet)
    rows = rows_of(sheet)
    assert len(rows) == written > 600
    by_id = {r["msgid"]: r for r in rows}
    row = by_id[SKIP_SENTENCE]
    assert row["status"] == "draft" and row["translation"]
    assert "bot/handlers/membership/invitations.py:" in row["context"]

    row["correction"] = "Waqyasqa runapa sutinta qillqaykuy, utaq «{button}» ñit'iy."
    row["status"] = "reviewed"
    by_id["Omitir"]["status"] = "approved"
    broken = by_id["Con adjunto: {name}"]
    broken["correction"], broken["status"] = "Kaywan", "reviewed"  # the placeholder is gone
    save_rows(sheet, rows)
    before = (locales / "qu" / "LC_MESSAGES" / "messages.po").read_text()
    problems = catalogs_script.import_review("qu", sheet, "Ana Quispe, ReNITLI 0000", "2026-12-07")
    assert len(problems) == 1 and "keep the placeholders ['name']" in problems[0]
    assert (locales / "qu" / "LC_MESSAGES" / "messages.po").read_text() == before  # all or nothing

    broken["correction"], broken["status"] = "", "draft"
    save_rows(sheet, rows)
    assert catalogs_script.import_review("qu", sheet, "Ana Quispe, ReNITLI 0000", "2026-12-07") == []
    po = polib.pofile(str(locales / "qu" / "LC_MESSAGES" / "messages.po"))
    entry = po.find(SKIP_SENTENCE)
    assert entry is not None and entry.msgstr == "Waqyasqa runapa sutinta qillqaykuy, utaq «{button}» ñit'iy."
    assert catalogs_script.review_status(entry) == "reviewed"
    assert "review: reviewed by Ana Quispe, ReNITLI 0000 on 2026-12-07" in entry.tcomment
    assert catalogs_script.review_status(po.find("Omitir")) == "approved"
    assert catalogs_script.review_counts(po) == {"draft": len(rows) - 2, "reviewed": 1, "approved": 1}
    # The reviewed catalog is still a valid catalog, and the next export shows the marks.
    assert catalogs_script.export_review("qu", tmp_path / "again.xlsx") == written
    again = {r["msgid"]: r for r in rows_of(tmp_path / "again.xlsx")}
    assert again[SKIP_SENTENCE]["status"] == "reviewed" and again["Omitir"]["status"] == "approved"

    if shutil.which("msgmerge"):  # a catalog update keeps the marks
        path = locales / "qu" / "LC_MESSAGES" / "messages.po"
        template = ROOT / "locales" / "messages.pot"
        subprocess.run(
            ["msgmerge", "--quiet", "--update", "--backup=none", "--no-wrap", str(path), str(template)],
            check=True,
        )
        merged = polib.pofile(str(path))
        assert catalogs_script.review_status(merged.find("Omitir")) == "approved"

    # Changing the reviewed translation makes it a draft again.
    entry.msgstr = entry.msgstr.replace("ñit'iy", "ñit'iykuy")
    assert catalogs_script.review_status(entry) == "draft"


def test_unknown_strings_and_statuses_are_refused(locales: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "review.xlsx"
    catalogs_script.export_review("ay", sheet)
    rows = rows_of(sheet)[:2]
    rows[0]["msgid"] = "Una frase que no existe"
    rows[1]["status"] = "listo"
    save_rows(sheet, rows)
    problems = catalogs_script.import_review("ay", sheet, "Revisor", "2026-12-07")
    assert problems[0].startswith("row 2: no such string")
    assert problems[1].startswith("row 3: status must be one of draft, reviewed, approved")
