"""A catalog entry's review state, kept in the .po file itself as a translator comment
`review: <status> by <who> on <date> #<hash>`: the hash covers the Spanish and the translation as
reviewed, so when either changes the entry is a draft again. Read by the bot (/traducir, the
picker) and by scripts/catalogs.py (check, review, import)."""

from __future__ import annotations

import hashlib
import re

import polib

REVIEW = re.compile(r"^review: (reviewed|approved) by (.+) on (\d{4}-\d{2}-\d{2}) #([0-9a-f]{8})$")
STATUSES = ("draft", "reviewed", "approved")


def fingerprint(entry: polib.POEntry) -> str:
    forms = [entry.msgstr, *(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))]
    text = "\x00".join([entry.msgid, entry.msgid_plural or "", *forms])
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def review_status(entry: polib.POEntry) -> str:
    for line in (entry.tcomment or "").splitlines():
        found = REVIEW.match(line.strip())
        if found and found.group(4) == fingerprint(entry):
            return found.group(1)
    return "draft"
