"""/asistencia_tecnica: a region asks the CAN for help; a CAN analyst moves the request on."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import button_labels as buttons
from bot.evidence import attached_file
from bot.filters import FILE, NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.assistance import ui
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.assistance.requests import (
    STATUS_TEXT,
    access_request,
    change_status,
    my_requests,
    open_attachment,
    open_requests,
    request_assistance,
    request_regions,
)
from bot.workflows.errors import UserError
from bot.workflows.labels import FILE_LABELS
from bot.workflows.membership.commissions import can_commission, is_can_analyst
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Attachment, Notice
from db.models import AssistanceStatus, AssistanceTopic, FileKind, Person


async def start(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    actor = await access_active(db, person, Action.VIEW_AGREEMENTS)
    can = await can_commission(db)
    if can is not None and actor.commission.id == can.id and await is_can_analyst(db, person):
        requests = await open_requests(db, person)
        if not requests:
            await say(tr.gettext("No hay solicitudes de asistencia técnica pendientes."))
            return
        lines = [tr.gettext("Solicitudes de asistencia técnica pendientes:")]
        lines += [ui.request_line(tr, r) for r in requests[:10]]
        regions = await request_regions(db, requests[:10])
        await say("\n\n".join(lines), reply_markup=ui.requests_keyboard(tr, requests[:10], regions))
        return
    mine = await my_requests(db, person)
    if mine:
        lines = [tr.gettext("Sus solicitudes recientes:")] + [ui.request_line(tr, r) for r in mine[:5]]
        await say("\n\n".join(lines))
    await state.clear()
    await say(
        tr.gettext("¿Sobre qué tema necesita asistencia técnica de la CAN?"), reply_markup=ui.topics(tr)
    )


async def topic_pressed(
    query: CallbackQuery,
    callback_data: ui.AtTopicCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await query.answer()
    await access_active(db, person, Action.VIEW_AGREEMENTS)
    await state.set_state(ui.AssistFlow.text)
    await state.update_data(topic=callback_data.topic.value)
    await say(tr.gettext("Describa en un mensaje qué ayuda necesita la comisión."))


async def text_typed(message: Message, text: str, tr: Translator, state: FSMContext, say: Replies) -> None:
    cleaned = " ".join(text.split())
    if not 10 <= len(cleaned) <= 2000:
        raise UserError(
            msg(
                "Describa la ayuda que necesita en {min} a {max} caracteres; tiene {n}. Escríbalo de nuevo.",
                min=10,
                max=2000,
                n=len(cleaned),
            )
        )
    await state.update_data(text=cleaned)
    await state.set_state(ui.AssistFlow.attachment)
    await say(
        tr.gettext(
            "Si tiene un documento o una foto que ayude, envíelo ahora; si no, toque «{button}».",
            button=buttons.NO_ATTACHMENT,
        ),
        reply_markup=ui.no_file(tr),
    )


async def _file(
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
    file: Attachment | None,
) -> None:
    data = await state.get_data()
    actor = await access_active(db, person, Action.VIEW_AGREEMENTS)
    assert actor.commission.id is not None
    filed = await request_assistance(
        db,
        person,
        actor.commission.id,
        topic=AssistanceTopic(str(data.get("topic", AssistanceTopic.OTHER.value))),
        text=str(data.get("text", "")),
        attachment_file_id=file.file_id if file else None,
        attachment_name=file.file_name if file else None,
        attachment_kind=file.kind if file else FileKind.DOCUMENT,
        now=now,
    )
    await state.clear()
    outbox.extend(filed.notices)
    await say(
        tr.gettext(
            "Solicitud <b>{code}</b> enviada a la CAN. Le avisaremos de cada cambio.", code=filed.request.code
        )
    )


async def no_file_pressed(
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
    await _file(db, person, tr, state, say, outbox, now, None)


async def attachment_sent(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    file = attached_file(message)  # kept with its kind: a photo goes back with sendPhoto
    if file is None:
        raise UserError(
            msg("Envíe un documento o una foto, o toque «{button}».", button=buttons.NO_ATTACHMENT)
        )
    await _file(db, person, tr, state, say, outbox, now, file)


async def open_pressed(
    query: CallbackQuery,
    callback_data: ui.AtOpenCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
) -> None:
    await query.answer()
    request = await access_request(db, person, callback_data.request_id)
    text = ui.request_line(tr, request)
    if request.attachment_file_id:
        name = request.attachment_name or FILE_LABELS[request.attachment_kind]
        text += "\n" + tr.gettext("Con adjunto: {name}", name=name)
    analyst = await is_can_analyst(db, person)
    await say(text, reply_markup=ui.request_keyboard(tr, request, analyst=analyst))


async def file_pressed(
    query: CallbackQuery,
    callback_data: ui.AtFileCB,
    db: AsyncSession,
    person: Person | None,
    outbox: list[Notice],
) -> None:
    outbox.append(await open_attachment(db, person, callback_data.request_id))
    await query.answer()


async def answered_pressed(
    query: CallbackQuery,
    callback_data: ui.AtStatusCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    """«Respondida» first asks for the answer; the status changes when it is written."""
    await query.answer()
    request = await access_request(db, person, callback_data.request_id)
    if not await is_can_analyst(db, person):
        await change_status(db, person, request.id or 0, callback_data.status, now=now)  # refuses
    await state.set_state(ui.AssistFlow.answer)
    await state.update_data(request_id=request.id)
    await say(
        tr.gettext(
            "Escriba la respuesta para {code}, o envíe un documento o una foto "
            "(con un texto al pie si quiere).",
            code=request.code,
        )
    )


async def status_pressed(
    query: CallbackQuery,
    callback_data: ui.AtStatusCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    changed = await change_status(db, person, callback_data.request_id, callback_data.status, now=now)
    outbox.extend(changed.notices)
    await say(
        tr.gettext(
            "<b>{code}</b> ahora está «{status}».",
            code=changed.request.code,
            status=STATUS_TEXT[changed.request.status],
        ),
        reply_markup=ui.status_keyboard(tr, changed.request),
    )


async def answer_typed(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await _answer(text, None, db, person, tr, state, say, outbox, now)


async def answer_file(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    """An answer may be a document or a photo (its caption, if any, is the text)."""
    file = attached_file(message)
    assert file is not None
    if not file.file_name:  # a photo: named by what it is, in the analyst's language
        file = replace(file, file_name=tr.render(FILE_LABELS[file.kind]))
    await _answer(message.caption, file, db, person, tr, state, say, outbox, now)


async def _answer(
    text: str | None,
    file: Attachment | None,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    request_id = int((await state.get_data()).get("request_id") or 0)
    changed = await change_status(
        db, person, request_id, AssistanceStatus.ANSWERED, answer=text, answer_file=file, now=now
    )
    await state.clear()
    outbox.extend(changed.notices)
    await say(
        tr.gettext(
            "Respuesta enviada: <b>{code}</b> está «{status}».",
            code=changed.request.code,
            status=STATUS_TEXT[changed.request.status],
        ),
        reply_markup=ui.status_keyboard(tr, changed.request),
    )


def router() -> Router:
    r = Router(name="assistance")
    r.message.filter(PRIVATE)
    typed = (TEXT, NOT_COMMAND)
    r.message.register(start, Command("asistencia_tecnica"))
    r.callback_query.register(topic_pressed, ui.AtTopicCB.filter())
    r.message.register(text_typed, StateFilter(ui.AssistFlow.text), *typed)
    r.callback_query.register(no_file_pressed, ui.AtNoFileCB.filter(), StateFilter(ui.AssistFlow.attachment))
    r.message.register(attachment_sent, StateFilter(ui.AssistFlow.attachment), NOT_COMMAND)
    r.callback_query.register(open_pressed, ui.AtOpenCB.filter())
    r.callback_query.register(answered_pressed, ui.AtStatusCB.filter(F.status == AssistanceStatus.ANSWERED))
    r.callback_query.register(status_pressed, ui.AtStatusCB.filter())
    r.message.register(answer_typed, StateFilter(ui.AssistFlow.answer), *typed)
    r.message.register(answer_file, StateFilter(ui.AssistFlow.answer), FILE)
    r.callback_query.register(file_pressed, ui.AtFileCB.filter())
    return r
