"""/avance: a liaison reports status, percentage, a short text and evidence on its agreements.

Every answer is saved to a draft row at once, so an abandoned report is offered again
("continue where you left off") next time, even after a restart that lost the conversation state.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.evidence import required_evidence
from bot.filters import NOT_COMMAND, PRIVATE, TEXT, ButtonLabel
from bot.handlers.agreements import texts, ui
from bot.handlers.fallback import press_a_button
from bot.i18n import Translator, msg
from bot.keyboards import REPORT_PROGRESS
from bot.replies import Replies
from bot.workflows.access import Action, Actor
from bot.workflows.agreements.progress import Evidence, record_progress
from bot.workflows.agreements.read import (
    agreement_row,
    discard_draft,
    find_draft,
    reportable_agreements,
    save_draft,
)
from bot.workflows.errors import UserError
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Notice
from db.models import AgreementStatus, Person, ProgressDraft

# The conversation state of each step of a draft (its `step`); any other step is the evidence.
STEP_STATES = {
    "status": ui.ProgressFlow.status,
    "percent": ui.ProgressFlow.percent,
    "note": ui.ProgressFlow.note,
    "evidence": ui.ProgressFlow.evidence,
}


async def _actor(db: AsyncSession, person: Person | None) -> Actor:
    return await access_active(db, person, Action.REPORT_PROGRESS)


async def _draft(db: AsyncSession, person: Person | None) -> ProgressDraft:
    actor = await _actor(db, person)
    assert actor.commission.id is not None
    draft = await find_draft(db, person, actor.commission.id)
    if draft is None:
        raise UserError(msg("Ese avance ya no está en curso. Escriba /avance para empezar."))
    return draft


async def start(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    actor = await _actor(db, person)
    assert actor.commission.id is not None
    draft = await find_draft(db, person, actor.commission.id)
    if draft is not None:
        row = await agreement_row(db, draft.agreement_id, now)
        await say(
            tr.gettext(
                "Tiene un avance sin terminar del acuerdo <b>{code}</b>. ¿Continúa donde lo dejó?",
                code=row.code,
            ),
            reply_markup=ui.resume_choice(tr),
        )
        return
    await _choose(db, person, actor, tr, state, say, now)


async def _choose(
    db: AsyncSession,
    person: Person | None,
    actor: Actor,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    assert actor.commission.id is not None
    rows = await reportable_agreements(db, person, actor.commission.id, now=now)
    await state.clear()
    if not rows:
        await say.screen(tr.gettext("Su institución no tiene acuerdos abiertos en este momento."))
        return
    lines = [tr.gettext("¿Sobre qué acuerdo informa?")] + [texts.row_line(tr, r) for r in rows[:10]]
    await say.screen("\n\n".join(lines), reply_markup=ui.agreements_to_report(rows[:10], tr))


async def resume(
    query: CallbackQuery,
    callback_data: ui.AvResumeCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    actor = await _actor(db, person)
    if not callback_data.resume:
        assert actor.commission.id is not None
        await discard_draft(db, person, actor.commission.id)
        await _choose(db, person, actor, tr, state, say, now)
        return
    draft = await _draft(db, person)
    await _ask(draft.step, draft, tr, state, say, now, db)


async def begin(
    agreement_id: int,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    draft = await save_draft(db, person, agreement_id, step="status", now=now)
    await _ask("status", draft, tr, state, say, now, db)


async def pick(
    query: CallbackQuery,
    callback_data: ui.AvPickCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    await begin(callback_data.agreement_id, db, person, tr, state, say, now)


async def _ask(
    step: str,
    draft: ProgressDraft,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
    db: AsyncSession,
) -> None:
    row = await agreement_row(db, draft.agreement_id, now)
    await state.set_state(STEP_STATES.get(step, ui.ProgressFlow.evidence))
    await say.screen(ui.progress_question(tr, step, row), reply_markup=ui.progress_buttons(tr, step))


async def choose_status(
    query: CallbackQuery,
    callback_data: ui.AvStatusCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    draft = await _draft(db, person)
    done = callback_data.status == AgreementStatus.DONE
    step = "note" if done else "percent"
    draft = await save_draft(
        db,
        person,
        draft.agreement_id,
        step=step,
        status=callback_data.status,
        progress=100 if done else None,
        now=now,
    )
    await _ask(step, draft, tr, state, say, now, db)


async def _percent(
    value: int,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    draft = await _draft(db, person)
    draft = await save_draft(db, person, draft.agreement_id, step="note", progress=value, now=now)
    await _ask("note", draft, tr, state, say, now, db)


async def percent_pressed(
    query: CallbackQuery,
    callback_data: ui.AvPercentCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    await query.answer()
    await _percent(callback_data.value, db, person, tr, state, say, now)


async def percent_typed(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    cleaned = text.strip().rstrip("%").strip()
    if not cleaned.isdigit():
        raise UserError(
            msg("El avance es un porcentaje entre 0 y 100. Escriba solo el número, por ejemplo 40.")
        )
    await _percent(int(cleaned), db, person, tr, state, say, now)


async def note_typed(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    if len(text) > 1000:
        raise UserError(msg("El texto es demasiado largo: como máximo {max} caracteres. Acórtelo.", max=1000))
    draft = await _draft(db, person)
    draft = await save_draft(db, person, draft.agreement_id, step="evidence", note=text, now=now)
    await _ask("evidence", draft, tr, state, say, now, db)


async def skip_pressed(
    query: CallbackQuery,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    draft = await _draft(db, person)
    if draft.step == "note":
        draft = await save_draft(db, person, draft.agreement_id, step="evidence", now=now)
        await _ask("evidence", draft, tr, state, say, now, db)
        return
    await _finish(None, draft, db, person, tr, state, say, outbox, now)


async def evidence_sent(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    evidence = required_evidence(message)
    await _finish(evidence, await _draft(db, person), db, person, tr, state, say, outbox, now)


async def _finish(
    evidence: Evidence | None,
    draft: ProgressDraft,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    changed = await record_progress(
        db,
        person,
        draft.agreement_id,
        status=draft.status or AgreementStatus.IN_PROGRESS,
        progress=draft.progress if draft.progress is not None else 0,
        note=draft.note,
        evidence=evidence,
        now=now,
    )
    await state.clear()
    outbox.extend(changed.notices)
    a = changed.agreement
    await say.screen(
        tr.gettext(
            "Avance registrado: <b>{code}</b> al {progress} %. Gracias.", code=a.code, progress=a.progress
        )
    )


def router() -> Router:
    r = Router(name="agreements_progress")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    r.message.register(start, Command("avance"))
    r.message.register(start, ButtonLabel(REPORT_PROGRESS))  # the liaison's reply-keyboard button
    r.callback_query.register(resume, ui.AvResumeCB.filter())
    r.callback_query.register(pick, ui.AvPickCB.filter())
    r.callback_query.register(choose_status, ui.AvStatusCB.filter(), StateFilter(ui.ProgressFlow.status))
    r.callback_query.register(percent_pressed, ui.AvPercentCB.filter(), StateFilter(ui.ProgressFlow.percent))
    r.message.register(percent_typed, StateFilter(ui.ProgressFlow.percent), *typed)
    r.message.register(note_typed, StateFilter(ui.ProgressFlow.note), *typed)
    r.callback_query.register(
        skip_pressed, ui.AvSkipCB.filter(), StateFilter(ui.ProgressFlow.note, ui.ProgressFlow.evidence)
    )
    r.message.register(evidence_sent, StateFilter(ui.ProgressFlow.evidence), NOT_COMMAND)
    r.message.register(press_a_button, StateFilter(ui.ProgressFlow.status), *typed)
    return r
