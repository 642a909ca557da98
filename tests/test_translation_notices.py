"""Which notices carry «Ver en español», and the catalogs' reviewer view (bot/i18n.py)."""

from __future__ import annotations

import polib

from bot.i18n import LOCALES_DIR, Catalogs, msg
from bot.legal_texts import LEGAL_MSGID_STARTS
from bot.workflows.notices import Notice, Rsvp
from bot.workflows.translations.copies import is_legal


def test_every_legal_start_still_starts_a_message_id() -> None:
    """A reworded convocation or deadline notice must not silently lose «Ver en español»."""
    msgids = [e.msgid for e in polib.pofile(str(LOCALES_DIR / "messages.pot"))]
    assert [s for s in LEGAL_MSGID_STARTS if not any(m.startswith(s) for m in msgids)] == []


def test_legal_notices_by_text_or_by_their_buttons() -> None:
    assert is_legal(Notice(1, msg("Nuevo acuerdo <b>{code}</b> a cargo de {institution}")))
    assert is_legal(Notice(1, msg("cualquier texto"), buttons=Rsvp(3)))
    assert not is_legal(Notice(1, msg("Su idioma quedó guardado.")))


def test_a_correction_wins_over_the_catalog_and_gets_a_new_translator() -> None:
    catalogs = Catalogs()
    msgid = "Aprobada."
    before = catalogs.translator("qu")
    assert catalogs.apply_corrections({"qu": {msgid: "Allinmi."}})
    after = catalogs.translator("qu")
    assert after is not before and after.gettext(msgid) == "Allinmi." and after.template(msgid) == "Allinmi."
    assert catalogs.translator("ay").gettext(msgid) != "Allinmi."
    assert not catalogs.apply_corrections({"qu": {msgid: "Allinmi."}})  # nothing changed, same translator
    assert catalogs.translator("qu") is after
    catalogs.apply_corrections({})
    assert catalogs.translator("qu").gettext(msgid) == before.gettext(msgid)


def test_the_reviewer_view_of_an_entry() -> None:
    entry = Catalogs().entries["ay"]["Ver en español"]
    assert entry.translation == "Kastilla arun uñjaña" and entry.status == "draft"
    assert entry.occurrences == ("bot/notify.py",)


def test_one_spanish_word_two_meanings_two_entries() -> None:
    """«Cancelar» the button (leave a step) and «cancelado» the status (an annulled agreement)
    have a msgctxt each, a note for translators, and different translations."""
    from bot import button_labels
    from bot.i18n import catalog_key, pmsg

    status = pmsg("status", "cancelado")
    for code, button, annulled in (("qu", "Ama niy", "chinkachisqa"), ("ay", "Jan saña", "chhaqtayata")):
        tr = Catalogs().translator(code)
        assert tr.render(button_labels.CANCEL) == button and tr.render(status) == annulled
        entries = Catalogs().entries[code]
        for key in (catalog_key("Cancelar", "button"), catalog_key("cancelado", "status")):
            assert entries[key].notes.startswith("TRANSLATORS:"), key
    assert Catalogs().translator("es").render(status) == "cancelado"


def test_every_entry_with_a_msgctxt_carries_a_note_for_translators() -> None:
    template = polib.pofile(str(LOCALES_DIR / "messages.pot"))
    assert [e.msgid for e in template if e.msgctxt and "TRANSLATORS:" not in e.comment] == []


def test_a_correction_of_one_meaning_leaves_the_other_alone() -> None:
    from bot.i18n import catalog_key

    catalogs = Catalogs()
    catalogs.apply_corrections({"qu": {catalog_key("cancelado", "status"): "hark'asqa"}})
    tr = catalogs.translator("qu")
    assert tr.pgettext("status", "cancelado") == "hark'asqa"
    assert tr.template(catalog_key("cancelado", "status")) == "hark'asqa"
    assert tr.pgettext("button", "Cancelar") == "Ama niy"
