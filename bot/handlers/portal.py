"""/portal and /panel: the links to the web side (`cra-bot web`).

/portal gives a CRA's secretary the public page of their commission (and publishes or withdraws
it); /panel gives whoever may see the dashboard a one-time login link. The web side itself is
bot/web/, a peer of these handlers: they share the workflows only.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, WebAppInfo
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import PRIVATE
from bot.i18n import Translator
from bot.replies import Replies
from bot.workflows.portal.login import LINK_MINUTES, issue_login_link
from bot.workflows.portal.publication import Publication, publication_of, set_publication
from db.models import Person

CHOICES = {"publicar": True, "ocultar": False}


def _publication_text(tr: Translator, publication: Publication, base_url: str) -> str:
    if not publication.published:
        return tr.gettext(
            "La página pública de {code} está retirada. Para publicarla de nuevo: /portal publicar",
            code=publication.code,
        )
    url = base_url + "/cra/" + publication.code
    return tr.gettext(
        "🌐 Página pública de {code}:\n{url}\n\nMuestra las sesiones, la asistencia de cada institución "
        "y los acuerdos, también como datos abiertos (CSV y JSON). Para retirarla: /portal ocultar",
        code=publication.code,
        url=url,
    )


async def portal_command(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
    web_base_url: str,
) -> None:
    word = (command.args or "").strip().lower()
    if word and word not in CHOICES:
        await say(tr.gettext("Escriba /portal, /portal publicar o /portal ocultar."))
        return
    if word:
        publication = await set_publication(db, person, CHOICES[word], now=now)
    else:
        publication = await publication_of(db, person)
    await say(_publication_text(tr, publication, web_base_url))


def panel_keyboard(tr: Translator, base_url: str) -> InlineKeyboardMarkup | None:
    """Behind https, a button that opens the dashboard inside Telegram (a Mini App: bot/web/)."""
    if not base_url.startswith("https://"):
        return None  # Telegram opens Mini Apps over https only; the link above still works
    button = InlineKeyboardButton(
        text=tr.gettext("Abrir el panel en Telegram"), web_app=WebAppInfo(url=base_url + "/miniapp")
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


async def panel_command(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
    web_base_url: str,
) -> None:
    link = await issue_login_link(db, person, now=now)
    url = f"{web_base_url}/entrar/{link.token}?lang={tr.code}"  # the login page in their language too
    await say(
        tr.ngettext(
            "🔐 Su enlace al panel web. Vale {n} minuto y una sola vez; no lo reenvíe:\n{url}",
            "🔐 Su enlace al panel web. Vale {n} minutos y una sola vez; no lo reenvíe:\n{url}",
            LINK_MINUTES,
            url=url,
        ),
        reply_markup=panel_keyboard(tr, web_base_url),
    )


def router() -> Router:
    r = Router(name="portal")
    r.message.register(portal_command, PRIVATE, Command("portal"))
    r.message.register(panel_command, PRIVATE, Command("panel"))
    return r
