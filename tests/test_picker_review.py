"""The language picker says how far a language's review has come: a draft says so; once a reviewer
approved every string with legal weight (convocations, agreements, deadlines, personal data), it
says that instead (issue 18)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib

from bot.i18n import Catalogs
from bot.keyboards import languages
from bot.legal_texts import LEGAL_MSGID_STARTS
from bot.review_marks import fingerprint

LOCALES = Path(__file__).resolve().parent.parent / "locales"


def labels(catalogs: Catalogs, reader: str) -> list[str]:
    markup = languages(catalogs, catalogs.translator(reader))
    return [b.text for row in markup.inline_keyboard for b in row]


def approve_legal_strings(locales: Path, code: str) -> int:
    path = locales / code / "LC_MESSAGES" / "messages.po"
    po = polib.pofile(str(path))
    approved = 0
    for entry in po:
        if not entry.obsolete and entry.msgid.startswith(LEGAL_MSGID_STARTS):
            entry.tcomment = f"review: approved by Revisora on 2026-12-07 #{fingerprint(entry)}"
            approved += 1
    po.save(str(path))
    return approved


def test_drafts_say_so_and_approved_legal_texts_say_that(tmp_path: Path) -> None:
    shutil.copytree(LOCALES, tmp_path / "locales")
    shipped = Catalogs(tmp_path / "locales")
    es = shipped.translator("es")
    assert labels(shipped, "es")[1:] == [
        es.gettext("{language} (borrador sin revisar)", language="Aymar aru"),
        es.gettext("{language} (borrador sin revisar)", language="Runasimi"),
    ]
    assert approve_legal_strings(tmp_path / "locales", "ay") >= len(LEGAL_MSGID_STARTS)
    reviewed = Catalogs(tmp_path / "locales")
    assert reviewed.languages["ay"].legal_approved and not reviewed.languages["qu"].legal_approved
    ay = reviewed.translator("ay")
    said = labels(reviewed, "ay")
    assert ay.gettext("{language} (textos legales aprobados)", language="Aymar aru") in said
    assert ay.gettext("{language} (borrador sin revisar)", language="Runasimi") in said
    # One legal string edited after the approval: its mark no longer fits, the language is a draft again.
    path = tmp_path / "locales" / "ay" / "LC_MESSAGES" / "messages.po"
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid.startswith(LEGAL_MSGID_STARTS) and e.msgstr)
    entry.msgstr += " "
    po.save(str(path))
    assert not Catalogs(tmp_path / "locales").languages["ay"].legal_approved
