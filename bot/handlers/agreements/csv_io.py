"""The agreements register as a spreadsheet: /exportar_acuerdos sends it as CSV; /importar_acuerdos
takes the same file back, or an XLSX workbook, or a filled-in template (new rows created, changed
rows updated). The file is read and checked in a worker thread and written in bulk, so a
1,000-row plan does not hold up other people's replies (benchmarks/import_pause.py)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import DOCUMENT, PRIVATE
from bot.handlers.agreements import ui
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.agreements.csv_io import (
    Imported,
    check_file,
    export_csv,
    import_rows,
    import_target,
    import_template,
)
from bot.workflows.agreements.csv_rows import LineError
from bot.workflows.errors import UserError
from bot.workflows.membership.people import access_active
from bot.workflows.notices import Notice
from db.models import Person

MAX_FILE_BYTES = 2_000_000  # what the bot downloads; the message below names the same limit
SHOWN = 30  # bad lines listed in the message; more go in an attached file


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


class TemplateCB(CallbackData, prefix="agtpl1"):
    xlsx: bool


def templates(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("⬇️ Plantilla CSV"), callback_data=TemplateCB(xlsx=False))
    kb.button(text=tr.gettext("⬇️ Plantilla XLSX"), callback_data=TemplateCB(xlsx=True))
    kb.adjust(2)
    return kb.as_markup()


async def import_command(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    actor = await access_active(db, person, Action.MANAGE_AGREEMENTS)
    await state.set_state(ui.ManageFlow.import_file)
    await state.set_data({"commission_id": actor.commission.id})
    await say(
        tr.gettext(
            "Envíe el archivo CSV o XLSX con las columnas codigo, texto, instituciones, plazo_original, "
            "plazo, estado, avance, indicador, origen, motivo_cancelacion (como el de /exportar_acuerdos, "
            "o como la plantilla)."
        ),
        reply_markup=templates(tr),
    )


async def template_pressed(
    query: CallbackQuery, callback_data: TemplateCB, db: AsyncSession, person: Person | None, say: Replies
) -> None:
    actor = await access_active(db, person, Action.MANAGE_AGREEMENTS)
    await query.answer()
    assert actor.commission.id is not None
    template = await import_template(db, person, actor.commission.id, xlsx=callback_data.xlsx)
    await say.document(template.file_name, template.content)


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
    """Read and check the file in a worker thread; all its bad lines at once, or all of it imported."""
    document = message.document
    assert document is not None
    data = await state.get_data()
    target = await import_target(db, person, data.get("commission_id"))
    if (document.file_size or 0) > MAX_FILE_BYTES:
        raise UserError(msg("El archivo es demasiado grande (máximo 2 MB)."))
    await bot.send_chat_action(message.chat.id, "typing")  # not a message: says "working on it" at once
    downloaded = await bot.download(document.file_id)
    content = downloaded.read() if downloaded is not None else b""
    checked = await asyncio.to_thread(check_file, content, document.file_name or "", target)
    if checked.errors:
        await bad_lines(tr, say, checked.errors)
        return
    result = await import_rows(db, person, data["commission_id"], checked.rows, now=now)
    await state.clear()
    outbox.extend(result.notices)
    await say(imported_text(tr, result))


def imported_text(tr: Translator, result: Imported) -> str:
    return tr.ngettext(
        "Importación lista: {created} acuerdo nuevo; actualizados: {updated}; sin cambios: {unchanged}.",
        "Importación lista: {created} acuerdos nuevos; actualizados: {updated}; sin cambios: {unchanged}.",
        result.created,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )


async def bad_lines(tr: Translator, say: Replies, errors: list[LineError]) -> None:
    """Every bad line: in the message up to SHOWN, and all of them in a file when there are more."""
    lines = [
        tr.ngettext(
            "El archivo no se importó: {n} línea tiene errores y no se registró ningún acuerdo. "
            "Corríjala y envíe el archivo otra vez.",
            "El archivo no se importó: {n} líneas tienen errores y no se registró ningún acuerdo. "
            "Corríjalas y envíe el archivo otra vez.",
            len(errors),
        )
    ]
    rows = [(e.line, tr.render(e.reason)) for e in errors]
    lines += [tr.gettext("Línea {line}: {reason}", line=line, reason=reason) for line, reason in rows[:SHOWN]]
    if len(errors) > SHOWN:
        more = len(errors) - SHOWN
        lines.append(
            tr.ngettext(
                "… y {n} línea más, en el archivo adjunto.",
                "… y {n} líneas más, en el archivo adjunto.",
                more,
            )
        )
    await say("\n".join(lines))
    if len(errors) > SHOWN:
        await say.document("errores-importacion.csv", errors_csv(tr, rows))


def errors_csv(tr: Translator, rows: list[tuple[int, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([tr.gettext("línea"), tr.gettext("error")])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


async def send_a_file(message: Message, tr: Translator, say: Replies) -> None:
    await say(tr.gettext("Envíe el archivo CSV o XLSX como documento, o escriba /cancelar."))


def router() -> Router:
    r = Router(name="agreements_csv")
    r.message.filter(PRIVATE)
    r.message.register(export_command, Command("exportar_acuerdos"))
    r.message.register(import_command, Command("importar_acuerdos"))
    r.callback_query.register(template_pressed, TemplateCB.filter())
    r.message.register(import_file, StateFilter(ui.ManageFlow.import_file), DOCUMENT)
    r.message.register(send_a_file, StateFilter(ui.ManageFlow.import_file))
    return r
