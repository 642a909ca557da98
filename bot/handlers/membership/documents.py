"""The secretary attaches a designation's documents from the directory (the oficio; the integrity
commitment with the date it was signed) and gets them back."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import DOCUMENT, NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.membership import directory_ui as ui
from bot.i18n import Translator
from bot.replies import Replies
from bot.workflows.business_days import lima_date
from bot.workflows.membership.changes import access_membership
from bot.workflows.membership.documents import attach_document, documents_of
from bot.workflows.membership.ending import parse_day
from bot.workflows.membership.people import active_commission_id
from bot.workflows.notices import Notice
from db.models import MemberDocumentKind, Person


async def pick(
    query: CallbackQuery,
    callback_data: ui.MemberDocCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
) -> None:
    await query.answer()
    commission_id = await active_commission_id(db, person)
    if callback_data.act == "show":
        outbox.extend(await documents_of(db, person, commission_id, callback_data.membership_id))
        return
    _, held = await access_membership(db, person, commission_id, callback_data.membership_id)
    kind = MemberDocumentKind(callback_data.act)
    await state.set_state(ui.DocFlow.file)
    await state.set_data({"membership_id": callback_data.membership_id, "kind": kind.value})
    await say(
        tr.gettext(
            "Envíe el archivo de {name} (PDF o imagen escaneada como documento).", name=held.person.name
        )
    )


async def file_sent(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext,
    say: Replies, now: datetime,
) -> None:  # fmt: skip
    assert message.document is not None
    await state.update_data(
        file_id=message.document.file_id, file_name=message.document.file_name or "documento"
    )
    if (await state.get_data())["kind"] == MemberDocumentKind.INTEGRITY.value:
        await state.set_state(ui.DocFlow.date)
        await say(
            tr.gettext("¿Qué fecha tiene la firma? Escríbala como 31/12/2026, o toque «Hoy»."),
            reply_markup=ui.end_today(tr),
        )
        return
    await _save(None, db, person, tr, state, say, now)


async def date_typed(
    message: Message, text: str, db: AsyncSession, person: Person | None, tr: Translator,
    state: FSMContext, say: Replies, now: datetime,
) -> None:  # fmt: skip
    await _save(parse_day(text), db, person, tr, state, say, now)


async def date_today(
    query: CallbackQuery, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext,
    say: Replies, now: datetime,
) -> None:  # fmt: skip
    await query.answer()
    await _save(lima_date(now), db, person, tr, state, say, now)


async def _save(
    signed: date | None, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext,
    say: Replies, now: datetime,
) -> None:  # fmt: skip
    data = await state.get_data()
    await attach_document(
        db, person, await active_commission_id(db, person), data["membership_id"],
        MemberDocumentKind(data["kind"]), file_id=data["file_id"], file_name=data["file_name"], now=now,
        signed_on=signed,
    )  # fmt: skip
    await state.clear()
    await say(tr.gettext("Documento guardado. El directorio lo muestra."))


async def not_a_file(message: Message, tr: Translator, say: Replies) -> None:
    await say(tr.gettext("Envíe el archivo como documento, o escriba /cancelar."))


def router() -> Router:
    r = Router(name="member_documents")
    r.message.filter(PRIVATE)
    r.callback_query.register(pick, ui.MemberDocCB.filter())
    r.message.register(file_sent, StateFilter(ui.DocFlow.file), DOCUMENT)
    r.message.register(not_a_file, StateFilter(ui.DocFlow.file), TEXT, NOT_COMMAND)
    r.callback_query.register(date_today, ui.EndTodayCB.filter(), StateFilter(ui.DocFlow.date))
    r.message.register(date_typed, StateFilter(ui.DocFlow.date), TEXT, NOT_COMMAND)
    return r
