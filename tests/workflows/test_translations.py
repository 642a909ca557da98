"""Translation review, workflow level: the reviewer's queue (reported first, then most sent), the
overlay of corrections, copies forgotten after three months or when a person's data is erased."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.housekeeping import KEEP_NOTICE_COPIES, tidy_up
from bot.workflows.membership.privacy import ERASED_NAME, erase_person
from bot.workflows.translations.copies import keep_copy, own_copy
from bot.workflows.translations.review import (
    decide_string,
    load_corrections,
    report_translation,
    review_queue,
)
from bot.workflows.translations.reviewers import access_review, grant_translator
from db.models import NoticeCopy, TranslationChange, TranslationReport, TranslatorGrant
from tests.conftest import NOW
from tests.workflows.world import make_world

LANGS = {"es", "qu", "ay"}


async def test_the_queue_puts_reported_strings_first_then_the_most_sent(db: AsyncSession) -> None:
    catalogs = Catalogs()
    w = await make_world(db)
    reader = w.gore_liaison  # reads Quechua
    assert reader.id is not None
    entries = catalogs.entries["qu"]
    often, once, reported = "Aprobada.", "Español:", "Traducción actual:"
    for msgid in (often, often, often, once, reported):
        await keep_copy(
            db, person_id=reader.id, language="qu", msgid=msgid, spanish=msgid, legal=False, now=NOW
        )
    copy_id = await keep_copy(
        db, person_id=reader.id, language="qu", msgid=reported, spanish="x", legal=False, now=NOW
    )
    await report_translation(
        db, reader, await own_copy(db, reader, copy_id), "Kunan t'ikrasqa:", shown="?", now=NOW
    )
    await grant_translator(db, 900, "qu", languages=LANGS, now=NOW, name="Hilario")
    reviewer = await access_review(db, (await grant_translator(db, 900, "qu", languages=LANGS, now=NOW))[0])
    queue = await review_queue(db, reviewer, entries, {})
    assert [i.entry.msgid for i in queue[:3]] == [reported, often, once]
    assert (queue[0].reports, queue[1].sends, queue[2].sends) == (("Kunan t'ikrasqa:",), 3, 1)
    assert len(queue) == len([e for e in entries.values() if e.status == "draft"])

    await decide_string(
        db, reviewer, queue[0].entry, current=queue[0].translation, correction="Kunan:", now=NOW
    )
    await decide_string(db, reviewer, queue[1].entry, current=queue[1].translation, correction=None, now=NOW)
    assert await load_corrections(db) == {"qu": {reported: "Kunan:"}}
    after = await review_queue(db, reviewer, entries, {reported: "Kunan:"})
    assert [i.entry.msgid for i in after[:1]] == [once]  # decided strings leave the queue
    assert (await db.exec(select(TranslationReport))).one().resolved_at == NOW


async def test_copies_are_forgotten_after_three_months_and_with_a_persons_data(db: AsyncSession) -> None:
    w = await make_world(db)
    reader = w.corte_liaison
    assert reader.id is not None
    old = await keep_copy(db, person_id=reader.id, language="ay", msgid="a", spanish="a", legal=True, now=NOW)
    await keep_copy(
        db,
        person_id=reader.id,
        language="ay",
        msgid="b",
        spanish="b",
        legal=True,
        now=NOW + timedelta(days=60),
    )
    await tidy_up(db, now=NOW + KEEP_NOTICE_COPIES + timedelta(days=1))
    assert [c.msgid for c in (await db.exec(select(NoticeCopy))).all()] == ["b"]
    assert await db.get(NoticeCopy, old) is None

    copy = (await db.exec(select(NoticeCopy))).one()
    await report_translation(db, reader, copy, "jisa", shown="?", now=NOW)
    await grant_translator(db, reader.telegram_id or 0, "ay", languages=LANGS, now=NOW)
    reviewer = await access_review(db, reader, "ay")
    entry = next(iter(Catalogs().entries["ay"].values()))
    await decide_string(db, reviewer, entry, current=entry.translation, correction=None, now=NOW)
    await erase_person(db, reader, now=NOW)
    assert (await db.exec(select(NoticeCopy))).all() == []
    assert (await db.exec(select(TranslatorGrant))).all() == []
    assert (await db.exec(select(TranslationReport))).one().reporter_id is None
    assert (await db.exec(select(TranslationChange))).one().reviewer_label == ERASED_NAME


def test_a_typed_correction_keeps_the_spanish_tags_and_escapes_the_rest() -> None:
    import pytest

    from bot.i18n import CatalogEntry
    from bot.workflows.errors import UserError
    from bot.workflows.translations.review import as_markup

    entry = CatalogEntry("Acuerdo <b>{code}</b> cancelado.", None, None, "x", "draft", (), "")
    assert as_markup(entry, "<b>{code}</b> A & B < C") == "<b>{code}</b> A &amp; B &lt; C"
    assert as_markup(entry, "<b>{code}</b> &amp; ok") == "<b>{code}</b> &amp; ok"
    with pytest.raises(UserError):
        as_markup(entry, "{code} without bold")
    with pytest.raises(UserError):
        as_markup(entry, "<b>{code}</b> <i>extra</i>")
