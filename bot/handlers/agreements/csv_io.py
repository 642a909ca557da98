"""The agreements register as a spreadsheet: /exportar_acuerdos sends it as CSV; /importar_acuerdos
takes the same file back (new rows created, changed rows updated)."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import DOCUMENT, PRIVATE
from bot.handlers.agreements import ui
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action, access_commission
from bot.workflows.agreements.csv_io import export_csv, import_csv
from bot.workflows.errors import UserError
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Notice
from db.models import Person

MAX_FILE_BYTES = 2_000_000  # what the bot downloads; the message below names the same limit


async def export_command(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies, now: datetime
) -> None:
    actor = await access_active(db, person, Action.MANAGE_AGREEMENTS)
    assert actor.commission.id is not None
    exported = await export_csv(db, person, actor.commission.id, now=now)
    caption = tr.ngettext(
        "Registro de acuerdos de {commission}: {n} acuerdo.",
        "Registro de acuerdos de {commission}: {n} acuerdos.",
        exported.count,
        commission=actor.commission.code,
    )
    await say.document(exported.file_name, exported.content, caption)


async def import_command(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    actor = await access_active(db, person, Action.MANAGE_AGREEMENTS)
    await state.set_state(ui.ManageFlow.import_file)
    await state.set_data({"commission_id": actor.commission.id})
    await say(
        tr.gettext(
            "Envíe el archivo CSV con las columnas codigo, texto, instituciones, plazo_original, plazo, "
            "estado, avance, indicador, origen, motivo_cancelacion (como el de /exportar_acuerdos)."
        )
    )


async def import_file(
    message: Message,
    bot: Bot,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    assert message.document is not None
    data = await state.get_data()
    await access_commission(db, person, data.get("commission_id"), Action.MANAGE_AGREEMENTS)
    if (message.document.file_size or 0) > MAX_FILE_BYTES:
        raise UserError(msg("El archivo es demasiado grande (máximo 2 MB)."))
    downloaded = await bot.download(message.document.file_id)
    content = downloaded.read() if downloaded is not None else b""
    result = await import_csv(db, person, data["commission_id"], content, now=now)
    await state.clear()
    outbox.extend(result.notices)
    await say(
        tr.ngettext(
            "Importación lista: {created} acuerdo nuevo; actualizados: {updated}; sin cambios: {unchanged}.",
            "Importación lista: {created} acuerdos nuevos; actualizados: {updated}; "
            "sin cambios: {unchanged}.",
            result.created,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )


async def send_a_file(message: Message, tr: Translator, say: Replies) -> None:
    await say(tr.gettext("Envíe el archivo CSV como documento, o escriba /cancelar."))


def router() -> Router:
    r = Router(name="agreements_csv")
    r.message.filter(PRIVATE)
    r.message.register(export_command, Command("exportar_acuerdos"))
    r.message.register(import_command, Command("importar_acuerdos"))
    r.message.register(import_file, StateFilter(ui.ManageFlow.import_file), DOCUMENT)
    r.message.register(send_a_file, StateFilter(ui.ManageFlow.import_file))
    return r
