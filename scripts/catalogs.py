"""Message catalogs: extract, update and check (run by CI and by tests/test_catalogs.py).

    python scripts/catalogs.py extract   # code → locales/messages.pot
    python scripts/catalogs.py update    # messages.pot → each locales/<lang>/.../messages.po (msgmerge)
    python scripts/catalogs.py fill F.json  # {"qu": {msgid: text}, "ay": {...}} into the catalogs
    python scripts/catalogs.py review qu --out review.xlsx   # one row per string, for a reviewer
    python scripts/catalogs.py import qu review.xlsx --reviewer "Name, ReNITLI 123"  # back in
    python scripts/catalogs.py check     # prints per language: entries, draft/reviewed/approved
                                         # and the residual Spanish share (goal < 1 %); fails on a
                                         # stale template, a missing or fuzzy translation, a renamed
                                         # placeholder, anything `msgfmt --check` rejects, a term
                                         # translated against locales/GLOSSARY.md, or a spelling
                                         # the glossary rejected

Babel extracts the Python code (it knows our `msg`/`nmsg` keywords) and the web side's Jinja2
templates (bot/web/templates/**.html: `_`, `n_`, `p_`, with `jinja2.ext.babel_extract`); GNU gettext
merges and checks, because
`pybabel update` drops the Plural-Forms and X- headers of languages Babel does not know (Aymara).
"""

from __future__ import annotations

import collections
import io
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from bot.review_marks import REVIEW, STATUSES, fingerprint, review_status

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"
SOURCES = ["bot"]
KEYWORDS = {
    "gettext": None,
    "ngettext": (1, 2),
    "msg": None,
    "nmsg": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pmsg": ((1, "c"), 2),
    # the web side's templates (bot/web/context.py)
    "_": None,
    "n_": (1, 2),
    "p_": ((1, "c"), 2),
}
# Python files, and the web side's templates (Jinja2: Babel takes its extractor from jinja2).
METHODS = [
    ("**.py", "python"),
    ("web/templates/**.html", "jinja2.ext:babel_extract"),
]
TEMPLATE_OPTIONS = {"web/templates/**.html": {"trim_blocks": "True", "lstrip_blocks": "True"}}
PLACEHOLDER = re.compile(r"\{(\w*)\}")
GLOSSARY = LOCALES / "GLOSSARY.md"
CHECKED_HEADER = "## Checked terms"
SPELLING_HEADER = "## One spelling per word"
# Left out of the term check: Spanish quoted in guillemets (button names, typed examples) and lists
# of CSV column names, which stay Spanish in every language.
QUOTED = re.compile(r"«[^»]*»|\b[a-z_]+(?:, [a-z_]+){2,}")


def catalogs() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))


def extract_template() -> str:
    """The template the code implies, as text (no dates, so it is stable)."""
    catalog = Catalog(
        project="cra-bot",
        version="1",
        charset="utf-8",
        fuzzy=False,
        header_comment="# Messages of the CRA Secretariat Bot. Message ids are the Spanish text.",
    )
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / source,
            method_map=METHODS,
            options_map=TEMPLATE_OPTIONS,
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        ):
            catalog.add(
                message,
                None,
                [(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    text = buffer.getvalue().decode()
    # Drop the headers that change with the date or the Babel version, so the check is stable.
    return re.sub(r'"(POT-Creation-Date|PO-Revision-Date|Generated-By): [^"]*\\n"\n', "", text)


def msgids(entries: polib.POFile) -> set[tuple[str, str, str]]:
    return {(e.msgid, e.msgid_plural or "", e.msgctxt or "") for e in entries if not e.obsolete}


def problems() -> list[str]:
    found: list[str] = []
    if not TEMPLATE.exists() or TEMPLATE.read_text() != extract_template():
        found.append("locales/messages.pot is stale: run `python scripts/catalogs.py extract` and `update`")
    template = polib.pofile(extract_template())
    wanted = msgids(template)
    for path in catalogs():
        lang = path.parent.parent.name
        po = polib.pofile(str(path))
        have = {(e.msgid, e.msgid_plural or "", e.msgctxt or ""): e for e in po if not e.obsolete}
        for key in sorted(wanted - set(have)):
            found.append(f"{lang}: missing {key[0]!r}")
        for key, entry in have.items():
            if key not in wanted:
                continue
            if "fuzzy" in entry.flags:
                found.append(f"{lang}: fuzzy (unreviewed) translation of {entry.msgid!r}")
            translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            if not all(translations):
                found.append(f"{lang}: untranslated {entry.msgid!r}")
                continue
            expected = set(PLACEHOLDER.findall(entry.msgid)) | set(
                PLACEHOLDER.findall(entry.msgid_plural or "")
            )
            for translated in translations:
                if set(PLACEHOLDER.findall(translated)) != expected:
                    found.append(f"{lang}: placeholders differ in {entry.msgid!r}: {translated!r}")
        if po.metadata.get("Plural-Forms", "").replace(" ", "") != "nplurals=1;plural=0;" and lang in {
            "qu",
            "ay",
        }:
            found.append(f"{lang}: Plural-Forms must be 'nplurals=1; plural=0;'")
        if not po.metadata.get("X-Language-Name"):
            found.append(f"{lang}: the header needs X-Language-Name (the language's own name)")
        if shutil.which("msgfmt"):
            result = subprocess.run(
                ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                found.append(f"{lang}: msgfmt --check failed: {result.stderr.strip()}")
    return found + glossary_problems() + doublet_problems()


def checked_terms(text: str) -> list[tuple[str, dict[str, list[str]]]]:
    """The glossary's checked terms: (Spanish regex, {language: accepted renderings}), from the
    table under `## Checked terms` whose header names the languages (`| Spanish | qu | ay |…`)."""
    lines = text.split(CHECKED_HEADER, 1)[1].splitlines() if CHECKED_HEADER in text else []
    table = [line for line in lines if line.startswith("|")]
    if len(table) < 3:
        return []
    header = [c.strip() for c in table[0].strip("|").split("|")]
    terms = []
    for row in table[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        pattern = re.findall(r"`([^`]+)`", cells[0])
        if not pattern:
            continue
        languages = [i for i in range(1, len(header)) if len(header[i]) <= 3]  # columns named by code
        renderings = {header[i]: re.findall(r"`([^`]+)`", cells[i]) for i in languages}
        terms.append((pattern[0], renderings))
    return terms


def glossary_problems() -> list[str]:
    """A translation of a message with a checked term that uses none of the glossary's renderings."""
    found: list[str] = []
    terms = checked_terms(GLOSSARY.read_text()) if GLOSSARY.exists() else []
    for path in catalogs():
        lang = path.parent.parent.name
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            source = QUOTED.sub("", f"{entry.msgid} {entry.msgid_plural or ''}")
            translated = " ".join([entry.msgstr, *entry.msgstr_plural.values()]).lower()
            for pattern, renderings in terms:
                accepted = renderings.get(lang) or []
                matches = bool(accepted) and re.search(pattern, source, re.IGNORECASE) is not None
                if matches and not any(r.lower() in translated for r in accepted):
                    wanted = " or ".join(accepted)
                    found.append(f"{lang}: {entry.msgid!r} should say {wanted} (GLOSSARY.md)")
    return found


def rejected_spellings(text: str) -> list[tuple[str, str, str, list[str]]]:
    """The glossary's one-spelling rows: (Spanish regex, language, form to use, rejected regexes),
    from the table under `## One spelling per word`."""
    section = text.split(SPELLING_HEADER, 1)[1].split("\n## ", 1)[0] if SPELLING_HEADER in text else ""
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 4 or not (pattern := re.findall(r"`([^`]+)`", cells[0])):
            continue
        rows.append((pattern[0], cells[1], cells[2], re.findall(r"`([^`]+)`", cells[3])))
    return rows


def doublet_problems() -> list[str]:
    """A translation that spells a word in a form the glossary rejected."""
    found: list[str] = []
    rows = rejected_spellings(GLOSSARY.read_text()) if GLOSSARY.exists() else []
    for path in catalogs():
        lang = path.parent.parent.name
        mine = [row for row in rows if row[1] == lang]
        for entry in polib.pofile(str(path)) if mine else []:
            if entry.obsolete:
                continue
            source = f"{entry.msgid} {entry.msgid_plural or ''}"
            translated = QUOTED.sub("", " ".join([entry.msgstr, *entry.msgstr_plural.values()]))
            for pattern, _, use, rejected in mine:
                if not re.search(pattern, source, re.IGNORECASE):
                    continue
                for form in rejected:
                    if (hit := re.search(form, translated, re.IGNORECASE)) is not None:
                        found.append(
                            f"{lang}: {entry.msgid!r} writes {hit.group(0)!r}; use {use} (GLOSSARY.md)"
                        )
    return found


# --- per-string review (a bilingual reviewer works in a spreadsheet) ------------------------------

# The review state of an entry is a translator comment `review: <status> by <who> on <date> #<hash>`,
# which msgmerge, msgfmt, Weblate and Pontoon all keep. The hash is of the Spanish text and the
# translation as reviewed: when either changes, the entry is a draft again.
COLUMNS = [
    "msgid",
    "msgid_plural",
    "context",
    "translation",
    "status",
    "correction",
    "reviewer_note",
    "msgctxt",  # which meaning, when one Spanish word has two (the button «Cancelar», the status)
]


def review_counts(po: polib.POFile) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for entry in po:
        if not entry.obsolete:
            counts[review_status(entry)] += 1
    return counts


def source_lines() -> dict[str, list[str]]:
    """Where each message is used, as `file:line` (the template leaves line numbers out)."""
    found: dict[str, list[str]] = {}
    for source in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / source, method_map=METHODS, options_map=TEMPLATE_OPTIONS, keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            found.setdefault(msgid, []).append(f"{source}/{filename}:{lineno}")
    return found


def export_review(lang: str, out: Path) -> int:
    """A spreadsheet for the reviewer: Spanish, where it is used, the translation and its status;
    they fill `correction` (optional) and set `status` to reviewed or approved."""
    from openpyxl import Workbook

    po = polib.pofile(str(LOCALES / lang / "LC_MESSAGES" / "messages.po"))
    where = source_lines()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"review-{lang}"
    sheet.append(COLUMNS)
    rows = 0
    for entry in po:
        if entry.obsolete:
            continue
        meaning = [f"msgctxt: {entry.msgctxt}"] if entry.msgctxt else []
        context = "\n".join([*meaning, *where.get(entry.msgid, []), *entry.comment.splitlines()])
        translation = entry.msgstr if not entry.msgid_plural else entry.msgstr_plural.get(0, "")
        status = review_status(entry)
        sheet.append(
            [entry.msgid, entry.msgid_plural or "", context, translation, status, "", "", entry.msgctxt or ""]
        )
        rows += 1
    for column, width in zip("ABCDEFGH", (60, 20, 40, 60, 10, 60, 30, 12), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(out)
    print(f"{lang}: {rows} strings written to {out}")
    return rows


def import_review(lang: str, source: Path, reviewer: str, today: str) -> list[str]:
    """Corrections and review marks from a reviewed spreadsheet; nothing is saved if any row is
    wrong (unknown string, renamed placeholder, unknown status). Returns the problems."""
    from openpyxl import load_workbook

    path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    po = polib.pofile(str(path), wrapwidth=0)
    entries = {(e.msgid, e.msgid_plural or "", e.msgctxt or ""): e for e in po if not e.obsolete}
    book = load_workbook(source, read_only=True)
    try:
        table = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    rows = iter(table)
    header = [str(c or "") for c in next(rows)]
    found: list[str] = []
    changed = 0
    for number, values in enumerate(rows, start=2):
        row = {
            name: str(value) if value is not None else "" for name, value in zip(header, values, strict=False)
        }
        entry = entries.get((row.get("msgid", ""), row.get("msgid_plural", ""), row.get("msgctxt", "")))
        status = (row.get("status") or "draft").strip().lower()
        if entry is None:
            found.append(f"row {number}: no such string {row.get('msgid', '')[:60]!r}")
            continue
        if status not in STATUSES:
            found.append(f"row {number}: status must be one of {', '.join(STATUSES)}, not {status!r}")
            continue
        correction = row.get("correction", "").strip()
        if correction:
            wanted = set(PLACEHOLDER.findall(entry.msgid)) | set(
                PLACEHOLDER.findall(entry.msgid_plural or "")
            )
            if set(PLACEHOLDER.findall(correction)) != wanted:
                found.append(f"row {number}: keep the placeholders {sorted(wanted)} in {correction[:60]!r}")
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural or {0: ""}, correction)
            else:
                entry.msgstr = correction
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        kept = [ln for ln in (entry.tcomment or "").splitlines() if not REVIEW.match(ln.strip())]
        if status != "draft":
            kept.append(f"review: {status} by {reviewer} on {today} #{fingerprint(entry)}")
        if correction or status != review_status(entry) or "\n".join(kept) != (entry.tcomment or ""):
            entry.tcomment = "\n".join(kept)
            changed += 1
    if not found:
        po.save(str(path))
        print(f"{lang}: {changed} strings updated from {source.name}; " + _shares(po))
    return found


def _shares(po: polib.POFile) -> str:
    counts = review_counts(po)
    return ", ".join(f"{n} {status}" for status, n in counts.items())


# --- residual Spanish: words of a translation that are Spanish words of its own msgid ------------

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Not words of a sentence: placeholders, commands with their arguments, HTML tags, web addresses,
# file names and identifiers (aviso_dias).
CODE = re.compile(
    r"\{\w*\}|/[a-z_]+(?: [a-z_]+\b(?![\w']))*|<[^>]+>|https?://\S*|\S+\.(?:pdf|csv|xlsx|docx|ics)\b|\w*_\w*"
)
# Loans the glossary keeps (kinds of file as Telegram names them; bot, chat; CSV, PDF; «art.» in a
# legal citation).
LOANS = {"bot", "chat", "csv", "pdf", "art", "archivo", "documento", "foto", "audio", "video"}


def _words(text: str) -> list[str]:
    return WORD.findall(CODE.sub(" ", QUOTED.sub(" ", text)))


def residual_spanish(po: polib.POFile) -> tuple[int, int, list[tuple[str, int]]]:
    """(words, Spanish words, the most frequent ones) over a catalog's translations. A Spanish word
    is one of the msgid's own words left in the translation; names (capitalised), commands,
    placeholders, Spanish quoted in guillemets (legal terms, button names), the glossary's loans,
    and entries kept Spanish on purpose (an institution's official name) do not count."""
    total, spanish, seen = 0, 0, collections.Counter[str]()
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if translations == [entry.msgid]:
            continue
        source = {w.lower() for w in _words(f"{entry.msgid} {entry.msgid_plural or ''}")}
        for translated in translations:
            for word in _words(translated):
                total += 1
                if not word[0].isupper() and word.lower() not in LOANS and word.lower() in source:
                    spanish += 1
                    seen[word.lower()] += 1
    return total, spanish, seen.most_common(5)


def summary(po: polib.POFile) -> str:
    """One line per language for `check`: entries, review states, residual Spanish share."""
    entries = sum(1 for e in po if not e.obsolete and e.msgid)
    total, spanish, top = residual_spanish(po)
    share = 100 * spanish / total if total else 0.0
    words = ", ".join(f"{w} ×{n}" for w, n in top)
    return (
        f"{entries} entries; {_shares(po)}; residual Spanish {share:.2f} % of {total} words"
        f" (goal < 1 %{'; most: ' + words if words else ''})"
    )


def fill(source: Path) -> None:
    """Put reviewed-elsewhere translations into the catalogs (entries must exist: run update first)."""
    data = json.loads(source.read_text())
    for lang, entries in data.items():
        path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        po = polib.pofile(str(path), wrapwidth=0)
        filled = 0
        for entry in po:
            if entry.msgid in entries:
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: entries[entry.msgid]}
                else:
                    entry.msgstr = entries[entry.msgid]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                filled += 1
        po.save(str(path))
        print(f"{lang}: {filled} of {len(entries)} entries filled from {source.name}")


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        TEMPLATE.write_text(extract_template())
        print(f"wrote {TEMPLATE.relative_to(ROOT)}")
    elif command == "update":
        for path in catalogs():
            subprocess.run(
                [
                    "msgmerge",
                    "--quiet",
                    "--update",
                    "--backup=none",
                    "--no-wrap",
                    str(path),
                    str(TEMPLATE),
                ],
                check=True,
            )
            print(f"updated {path.relative_to(ROOT)}")
    elif command == "fill":
        for source in argv[2:]:
            fill(Path(source))
    elif command == "review" and len(argv) >= 3:
        out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else Path(f"review-{argv[2]}.xlsx")
        export_review(argv[2], out)
    elif command == "import" and len(argv) >= 4 and "--reviewer" in argv:
        reviewer = argv[argv.index("--reviewer") + 1]
        today = datetime.now(ZoneInfo("America/Lima")).date().isoformat()
        found = import_review(argv[2], Path(argv[3]), reviewer, today)
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    elif command == "check":
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        if found:
            return 1
        if not shutil.which("msgfmt"):
            print("warning: msgfmt (GNU gettext) not found; its checks were skipped", file=sys.stderr)
        print(f"catalogs OK: {', '.join(p.parent.parent.name for p in catalogs())}")
        for path in catalogs():
            print(f"  {path.parent.parent.name}: " + summary(polib.pofile(str(path))))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
