"""One spelling per word in each catalog (locales/GLOSSARY.md, «One spelling per word»), and a check
that flags a rejected form coming back."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import polib
import pytest

from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("catalogs_script", ROOT / "scripts" / "catalogs.py")
assert spec and spec.loader
catalogs_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalogs_script)


def test_no_catalog_uses_a_rejected_spelling() -> None:
    assert catalogs_script.doublet_problems() == []


def test_the_glossary_settles_every_known_doublet() -> None:
    rows = catalogs_script.rejected_spellings((ROOT / "locales" / "GLOSSARY.md").read_text())
    rejected = {(lang, form) for _, lang, _, forms in rows for form in forms}
    for lang, word in (
        ("qu", "otaq"),
        ("qu", "icha"),
        ("qu", "qhepa"),
        ("qu", "ruway"),
        ("qu", "entiendinichu"),
    ):
        assert any(re.search(form, word) for code, form in rejected if code == lang), word
    for word in ("ajllim", "sañäni", "kunjamatix", "akhama:"):
        assert any(re.search(form, word) for code, form in rejected if code == "ay"), word


@pytest.mark.parametrize(
    ("code", "msgid", "form"),
    [
        ("qu", "No entendí la fecha. Escríbala como 15/12 10:00 o 2026-12-15 10:00.", "hamut'anichu"),
        ("qu", "No entendí la fecha. Escríbala como 15/12 10:00 o 2026-12-15 10:00.", "utaq"),
        ("qu", "📅 Postergar", "Qhipachiy"),
        ("qu", "en curso", "rurakuchkan"),
        ("ay", "Elija una opción con los botones.", "chhijllt'am"),
        ("ay", "Indique el año con cuatro cifras, por ejemplo 2026.", "akham: 2026"),
        ("ay", "Recordatorios, en horas antes de la sesión (por ejemplo 72,2)", "akham: 72,2"),
    ],
)
def test_the_chosen_form_is_what_readers_get(code: str, msgid: str, form: str) -> None:
    assert form in Catalogs().translator(code).gettext(msgid)


def test_a_rejected_spelling_coming_back_is_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    path = locales / "qu" / "LC_MESSAGES" / "messages.po"
    po = polib.pofile(str(path), wrapwidth=0)
    entry = po.find("Elija una opción con los botones de arriba, o escriba /cancelar.")
    assert entry is not None
    entry.msgstr = "Hanaqpi kaq butunkunawan hukta akllaykuy, otaq /cancelar qillqaykuy."
    po.save(str(path))
    monkeypatch.setattr(catalogs_script, "LOCALES", locales)
    monkeypatch.setattr(catalogs_script, "GLOSSARY", locales / "GLOSSARY.md")
    assert catalogs_script.doublet_problems() == [
        "qu: 'Elija una opción con los botones de arriba, o escriba /cancelar.' writes 'otaq'; "
        "use utaq (GLOSSARY.md)"
    ]


def test_check_prints_entries_review_states_and_residual_spanish_per_language() -> None:
    shipped = {p.parent.parent.name: polib.pofile(str(p)) for p in catalogs_script.catalogs()}
    for code in ("qu", "ay"):
        line = catalogs_script.summary(shipped[code])
        states = r"\d+ draft, \d+ reviewed, \d+ approved"
        assert re.match(rf"\d+ entries; {states}; residual Spanish \d+\.\d\d % ", line)
        total, spanish, _ = catalogs_script.residual_spanish(shipped[code])
        assert total > 3000 and spanish / total < 0.01  # the goal: under 1 %


def test_residual_spanish_counts_words_left_from_the_msgid_but_not_names_codes_or_quotes() -> None:
    po = polib.POFile()
    po.append(
        polib.POEntry(
            msgid="Escriba el motivo de la sesión {code} en /avance, por ejemplo «Sesión ordinaria».",
            msgstr="Imarayku motivo de huñunakuy {code} /avance, kay hina: «Sesión ordinaria» Cusco.",
        )
    )
    po.append(polib.POEntry(msgid="Corte Superior de Justicia", msgstr="Corte Superior de Justicia"))
    total, spanish, top = catalogs_script.residual_spanish(po)
    assert (spanish, dict(top)) == (2, {"motivo": 1, "de": 1})
    assert total == 7  # Imarayku motivo de huñunakuy kay hina Cusco: no placeholder, command or quote
