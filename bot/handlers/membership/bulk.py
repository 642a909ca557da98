"""/invitar_lote: the secretary sends a filled template (CSV or XLSX) and gets one invitation per
row, as a file and as messages ready to forward, each in the invitee's language."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import DOCUMENT, PRIVATE
from bot.handlers.membership import directory_ui as ui
from bot.i18n import Catalogs, Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.bulk import Invited, invite_many, result_csv, template_csv
from bot.workflows.membership.invitations import deep_link
from bot.workflows.membership.people import access_active
from db.models import Person

MAX_FILE_BYTES = 2_000_000
MAX_MESSAGES = 30  # beyond this, the file alone (each message waits its turn in the chat)


async def start(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    actor = await access_active(db, person, Action.INVITE)
    await state.set_state(ui.BulkFlow.file)
    await state.set_data({"commission_id": actor.commission.id})
    caption = tr.gettext(
        "Llene esta planilla (una fila por persona: institución, asiento voto/voz/observador, rol, "
        "nombre, idioma es/qu/ay) y envíela como CSV o XLSX. Si una fila tiene un error, no se crea nada."
    )
    await say.document("plantilla_invitaciones.csv", template_csv(), caption)


async def file_sent(
    message: Message, bot: Bot, db: AsyncSession, person: Person | None, tr: Translator,
    catalogs: Catalogs, state: FSMContext, say: Replies, bot_username: str, invitation_days: int,
    now: datetime,
) -> None:  # fmt: skip
    assert message.document is not None
    if (message.document.file_size or 0) > MAX_FILE_BYTES:
        raise UserError(msg("El archivo es demasiado grande (máximo 2 MB)."))
    downloaded = await bot.download(message.document.file_id)
    content = downloaded.read() if downloaded is not None else b""
    data = await state.get_data()
    invited = await invite_many(
        db, person, data.get("commission_id"), content, message.document.file_name or "", catalogs.languages,
        now=now, valid_days=invitation_days,
    )  # fmt: skip
    await state.clear()
    links = [(item, deep_link(bot_username, item.issued.token)) for item in invited]
    caption = tr.ngettext("{n} invitación lista.", "{n} invitaciones listas.", len(invited))
    await say.document("invitaciones.csv", result_csv(links), caption)
    for item, link in links[:MAX_MESSAGES]:
        await say(_forwardable(catalogs.translator(item.row.language), item, link))


def _forwardable(tr: Translator, item: Invited, link: str) -> str:
    """The text to forward, in the invitee's own language."""
    institution = " (" + item.issued.institution + ")" if item.issued.institution else ""
    return tr.gettext(
        "{name}: le invitan a {commission} como {role}{institution}. Abra este enlace en Telegram "
        "para aceptar (sirve una vez, vence el {date}):\n{link}",
        name=item.row.name,
        commission=item.issued.commission.name,
        role=ROLE_LABELS[item.row.role],
        institution=institution,
        date=lima_date(item.issued.invitation.expires_at),
        link=link,
    )


async def send_a_file(message: Message, tr: Translator, say: Replies) -> None:
    await say(tr.gettext("Envíe la planilla como documento (CSV o XLSX), o escriba /cancelar."))


def router() -> Router:
    r = Router(name="bulk_invitations")
    r.message.filter(PRIVATE)
    r.message.register(start, Command("invitar_lote"))
    r.message.register(file_sent, StateFilter(ui.BulkFlow.file), DOCUMENT)
    r.message.register(send_a_file, StateFilter(ui.BulkFlow.file))
    return r
