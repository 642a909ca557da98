"""The one exit for messages: each `Notice` rendered for its recipient (text, buttons, files) in
their own language and queued in the outbox, in the transaction of the change that caused it.

Nothing is sent here: the sender (bot/delivery.py) sends after commit. Who calls this: the
transaction middleware (the notices handlers put in `outbox`), the scheduler (what each tick
returns) and the sender (who missed a message). Workflows only describe buttons (`Rsvp`, `Ballot`);
the keyboards are built here from the handlers' typed callback data, so they always match.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from aiogram.filters.callback_data import CallbackData
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import (
    AskDeadlineCB,
    ContactCB,
    DecideDeadlineCB,
    FlagCB,
    KeepCB,
    RsvpCB,
    SpanishCB,
    VoteCB,
)
from bot.corrections import refresh_corrections
from bot.i18n import SOURCE_LANGUAGE, Catalogs, Text, Translator, msg
from bot.workflows.notices import (
    AskNewDeadline,
    Attachment,
    Ballot,
    Buttons,
    ContactConfirm,
    DeadlineDecision,
    Notice,
    Rsvp,
    reachable,
)
from bot.workflows.outbox import enqueue_document, enqueue_text
from bot.workflows.reports.digests import Digest, DueDigest, record_digest
from bot.workflows.sessions.votes import Vote
from bot.workflows.translations.copies import is_legal, keep_copy
from db.models import Answer, Person

log = logging.getLogger(__name__)


async def enqueue_notices(
    db: AsyncSession,
    catalogs: Catalogs,
    notices: Iterable[Notice],
    *,
    now: datetime,
    report_failure: bool = True,
) -> int:
    """Render each notice in its recipient's own language and queue it (text with its keyboard,
    then its files); unreachable people are skipped. Returns how many notices were queued."""
    notices = list(notices)
    if not notices:
        return 0
    await refresh_corrections(db, catalogs)  # a reviewer's newest corrections, even with no update
    ids = {n.person_id for n in notices if n.person_id is not None}
    people = (
        {p.id: p for p in (await db.exec(select(Person).where(col(Person.id).in_(ids)))).all()} if ids else {}
    )
    keyboards: dict[tuple[Buttons, str], dict[str, Any]] = {}  # the same for every reader of a language
    files: dict[tuple[int, str], bytes] = {}  # per-reader attachments, made once per language
    queued = 0
    for notice in notices:
        person_id: int | None = None
        if notice.group_chat_id is not None:
            chat_id, tr = notice.group_chat_id, catalogs.translator(None)  # a group reads Spanish
        else:
            person = people.get(notice.person_id)
            if person is None or not reachable(person):
                continue
            assert person.telegram_id is not None
            chat_id, tr, person_id = person.telegram_id, catalogs.translator(person.language), person.id
        markup = None
        if notice.buttons is not None:
            key = (notice.buttons, tr.code)
            if key not in keyboards:
                keyboards[key] = keyboard(notice.buttons, tr)
            markup = keyboards[key]
        if person_id is not None and tr.code != SOURCE_LANGUAGE:
            markup = await _translation_buttons(db, catalogs, notice, tr, person_id, markup, now)
        await enqueue_text(
            db,
            chat_id,
            tr.render(notice.text),
            now=now,
            reply_markup=markup,
            person_id=person_id,
            commission_id=notice.commission_id,
            report_failure=report_failure,
        )
        for attachment in notice.attachments:
            await enqueue_document(
                db,
                chat_id,
                attachment.file_name,
                _content(attachment, tr, files),
                file_id=attachment.file_id,
                kind=attachment.kind,
                caption=tr.render(attachment.caption) if attachment.caption else None,
                now=now,
                person_id=person_id,
                commission_id=notice.commission_id,
            )
        queued += 1
    return queued


async def _translation_buttons(
    db: AsyncSession,
    catalogs: Catalogs,
    notice: Notice,
    tr: Translator,
    person_id: int,
    markup: dict[str, Any] | None,
    now: datetime,
) -> dict[str, Any] | None:
    """Under a notice in another language: «Ver en español» if it has legal weight (the Spanish
    text is the authoritative one), «⚑» if the language is an unreviewed draft. Both act on a
    stored copy of the notice (its message id and Spanish rendering)."""
    legal, draft = is_legal(notice), not tr.language.reviewed
    if not (legal or draft):
        return markup
    spanish = catalogs.translator(SOURCE_LANGUAGE).render(notice.text)
    copy_id = await keep_copy(
        db,
        person_id=person_id,
        language=tr.code,
        msgid=notice.text.key,
        spanish=spanish,
        legal=legal,
        now=now,
    )
    rows = list((markup or {}).get("inline_keyboard", []))
    return {"inline_keyboard": [*rows, notice_row(tr, copy_id, spanish=legal, flag=draft)]}


def _content(attachment: Attachment, tr: Translator, made: dict[tuple[int, str], bytes]) -> bytes | None:
    if attachment.per_reader is None:
        return attachment.content
    key = (id(attachment), tr.code)
    if key not in made:
        made[key] = attachment.per_reader(tr)
    return made[key]


# --- buttons -----------------------------------------------------------------------------------


RSVP_BUTTONS = (
    (msg("✅ Asistiré"), Answer.ATTENDING),
    (msg("❌ No asistiré (justificar)"), Answer.ABSENT),
    (msg("👤 Enviaré a un alterno acreditado"), Answer.ALTERNATE),
)
KEEP_BUTTON = msg("🔁 Mantener mi respuesta anterior")
ASK_DEADLINE_BUTTON = msg("📅 Pedir un nuevo plazo")
DECISION_BUTTONS = ((msg("Aceptar el nuevo plazo"), True), (msg("No aceptar"), False))
CONTACT_BUTTONS = ((msg("✅ Sí, está al día"), True), (msg("✏️ Hay una persona nueva"), False))
SEE_SPANISH = msg("Ver en español")
# TRANSLATORS: a one-character button under a message: «report a wrong translation». Keep the flag.
FLAG = msg("⚑")


def notice_row(tr: Translator, copy_id: int, *, spanish: bool, flag: bool) -> list[dict[str, Any]]:
    """The row under a notice in another language: «Ver en español» (legal notices) and «⚑»
    (draft languages), as the outbox stores keyboards (plain dicts)."""
    row = []
    if spanish:
        row.append({"text": tr.render(SEE_SPANISH), "callback_data": SpanishCB(copy_id=copy_id).pack()})
    if flag:
        row.append({"text": tr.render(FLAG), "callback_data": FlagCB(copy_id=copy_id).pack()})
    return row


BALLOT_BUTTONS = (
    (msg("A favor"), Vote.FOR),
    (msg("En contra"), Vote.AGAINST),
    (msg("Abstención"), Vote.ABSTAIN),
)


def keyboard(buttons: Buttons, tr: Translator) -> dict[str, Any]:
    """The inline keyboard of a button spec, packed by the callback data its handler filters on."""
    if isinstance(buttons, Rsvp):
        sid = buttons.session_id
        rows = [[_button(tr, label, RsvpCB(session_id=sid, answer=answer))] for label, answer in RSVP_BUTTONS]
        if buttons.keep_previous:
            rows.insert(0, [_button(tr, KEEP_BUTTON, KeepCB(session_id=sid))])
        return {"inline_keyboard": rows}
    if isinstance(buttons, AskNewDeadline):
        return {
            "inline_keyboard": [
                [_button(tr, ASK_DEADLINE_BUTTON, AskDeadlineCB(agreement_id=buttons.agreement_id))]
            ]
        }
    if isinstance(buttons, DeadlineDecision):
        rid = buttons.request_id
        row = [
            _button(tr, label, DecideDeadlineCB(request_id=rid, accept=ok)) for label, ok in DECISION_BUTTONS
        ]
        return {"inline_keyboard": [row]}
    if isinstance(buttons, ContactConfirm):
        cid = buttons.check_id
        return {
            "inline_keyboard": [
                [_button(tr, label, ContactCB(check_id=cid, ok=ok))] for label, ok in CONTACT_BUTTONS
            ]
        }
    assert isinstance(buttons, Ballot)
    iid = buttons.item_id
    row = [_button(tr, label, VoteCB(item_id=iid, vote=vote)) for label, vote in BALLOT_BUTTONS]
    return {"inline_keyboard": [row]}


def _button(tr: Translator, label: Text, data: CallbackData) -> dict[str, str]:
    return {"text": tr.render(label), "callback_data": data.pack()}


# --- digests -----------------------------------------------------------------------------------


DigestKey = tuple[str, str, int, str]  # kind, period, commission, language: one rendering each


async def render_digests(catalogs: Catalogs, due: Iterable[DueDigest]) -> dict[DigestKey, Digest | None]:
    """Render each digest once per commission and language (texts, chart, spreadsheet) in a worker
    thread: seconds of matplotlib per chart, during which the bot keeps answering. Call it outside
    any transaction (the scheduler does), so the rendering holds no database connection either. A
    rendering that fails is logged and stored as None."""
    built: dict[DigestKey, Digest | None] = {}
    for item in due:
        tr = catalogs.translator(item.person.language)
        key = (item.kind, item.period.key, item.commission_id, tr.code)
        if key not in built:
            try:
                built[key] = await asyncio.to_thread(item.content.render, tr)
            except Exception:
                log.exception("%s digest %s of commission %s could not be rendered (%s)", *key[:3], tr.code)
                built[key] = None
    return built


async def enqueue_digests(
    db: AsyncSession,
    catalogs: Catalogs,
    due: Iterable[DueDigest],
    *,
    now: datetime,
    rendered: dict[DigestKey, Digest | None] | None = None,
) -> int:
    """Queue each due digest in its reader's language and record it as delivered (`rendered` by
    `render_digests`; what is missing there is rendered here, in a worker thread). One that cannot
    be built is logged and left unrecorded, so the next tick tries it again. Returns how many were
    queued."""
    built = dict(rendered or {})
    queued = 0
    for item in due:
        person = item.person
        tr = catalogs.translator(person.language)
        key = (item.kind, item.period.key, item.commission_id, tr.code)
        try:
            if key not in built:
                built[key] = await asyncio.to_thread(item.content.render, tr)
            digest = built[key]
            if digest is None:
                raise RuntimeError("the digest could not be rendered")
            if reachable(person):
                await _queue_digest(db, item, digest, now=now)
            await record_digest(db, item, now=now)
            queued += 1
        except Exception:
            built[key] = None  # not rendered again for the next reader
            log.exception(
                "%s digest %s of commission %s for person %s failed; retried at the next tick",
                item.kind,
                item.period.key,
                item.commission_id,
                person.id,
            )
    return queued


async def _queue_digest(db: AsyncSession, item: DueDigest, digest: Digest, *, now: datetime) -> None:
    person = item.person
    assert person.telegram_id is not None
    for text in digest.texts:
        await enqueue_text(
            db, person.telegram_id, text, now=now, person_id=person.id, commission_id=item.commission_id
        )
    for file_name, content, caption in digest.files:
        await enqueue_document(
            db,
            person.telegram_id,
            file_name,
            content,
            now=now,
            caption=caption,
            person_id=person.id,
            commission_id=item.commission_id,
        )
