"""A sentence that tells the reader which button to tap names it exactly as the button reads, in
every language: sentences take the label as a placeholder from the button's own msgid
(bot/button_labels.py), and no translation quotes a button under another name."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import polib
import pytest

from bot import button_labels
from bot.i18n import Catalogs, Text
from bot.notify import ASK_DEADLINE_BUTTON, BALLOT_BUTTONS, DECISION_BUTTONS, KEEP_BUTTON, RSVP_BUTTONS

ROOT = Path(__file__).resolve().parent.parent
QUOTED = re.compile(r"«([^»{}]+)»")


def button_msgids() -> set[str]:
    """Every button label: `text=tr.gettext("…")` in a keyboard, and the shared label constants."""
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "text"
                    and isinstance(value, ast.Call)
                    and getattr(value.func, "attr", "") == "gettext"
                    and value.args
                    and isinstance(value.args[0], ast.Constant)
                ):
                    found.add(value.args[0].value)
    shared: list[Text] = [*button_labels.NAMED_IN_SENTENCES, KEEP_BUTTON, ASK_DEADLINE_BUTTON]
    shared += [label for label, _ in (*RSVP_BUTTONS, *DECISION_BUTTONS, *BALLOT_BUTTONS)]
    return found | {t.msgid for t in shared}


def bare(label: str) -> str:
    """A label without its emoji and case: how a sentence may quote it."""
    return re.sub(r"^[^\w¿¡]+", "", label).strip("«» ").lower()


@pytest.mark.parametrize("code", ["es", "qu", "ay"])
def test_no_sentence_names_a_button_differently_from_the_button(code: str) -> None:
    catalogs = Catalogs()
    buttons = button_msgids()
    assert "Omitir" in buttons and "📣 Convocar" in buttons and "Cerrar lista" in buttons
    # Every name a button has in any language, to recognise it quoted in a sentence.
    named: dict[str, set[str]] = defaultdict(set)
    for msgid in buttons:
        for language in catalogs.languages:
            named[bare(catalogs.translator(language).gettext(msgid))].add(msgid)
    tr = catalogs.translator(code)
    wrong = []
    for msgid in sorted(_sentences()):
        sentence = tr.gettext(msgid)
        for quoted in QUOTED.findall(sentence):
            meant = named.get(bare(quoted))
            if meant and bare(quoted) not in {bare(tr.gettext(b)) for b in meant}:
                wrong.append((msgid, quoted, [tr.gettext(b) for b in meant]))
    assert wrong == []


def _sentences() -> set[str]:
    """Every message id, singular and plural, from the template."""
    template = polib.pofile(str(ROOT / "locales" / "messages.pot"))
    return {e.msgid for e in template} | {e.msgid_plural for e in template if e.msgid_plural}


@pytest.mark.parametrize("code", ["qu", "ay"])
def test_sentences_render_the_buttons_own_translation(code: str) -> None:
    tr = Catalogs().translator(code)
    skip = tr.render(button_labels.SKIP)
    said = tr.gettext(
        "Escriba el nombre de la persona invitada, o toque «{button}».", button=button_labels.SKIP
    )
    assert f"«{skip}»" in said and "«Omitir»" not in said
    convene = tr.render(button_labels.CONVENE)
    said = tr.gettext(
        "Documento «{name}» agregado al punto {n}. Envíe otro archivo o toque «{button}».",
        name="plan.pdf",
        n=1,
        button=button_labels.CONVENE,
    )
    assert f"«{convene}»" in said and "«Convocar»" not in said
