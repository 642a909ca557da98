"""The vote tally of an agenda item: one message that updates. The secretary's own taps edit it in
place; when members vote from their phones, every live tally of the item is refreshed by itself
(bot/live.py: debounced, so many votes leave one pending edit)."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.sessions import ui
from bot.i18n import Catalogs, Translator
from bot.live import refresh_screen
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.screens import screens_showing
from bot.workflows.sessions.meeting import present_voting_seats, tally, votes_of
from bot.workflows.sessions.schedule import access_item, access_session
from db.models import AgendaItem, Person


def tally_key(item_id: int) -> str:
    return f"tally:{item_id}"


async def tally_screen(
    db: AsyncSession, person: Person | None, item: AgendaItem, tr: Translator
) -> tuple[str, InlineKeyboardMarkup]:
    """The tally as the person who manages the session sees it: counts, and a row per seat."""
    _, session = await access_session(db, person, item.session_id, Action.MANAGE_SESSIONS)
    assert item.id is not None
    present = await present_voting_seats(db, session)
    names = await seat_names(db, present)
    votes = await votes_of(db, item.id)
    result = await tally(db, session, item)
    text = tr.gettext(
        "Votación del punto {n}: «{title}». A favor: {yes}; en contra: {no}; abstenciones: "
        "{abstain}; sin votar: {missing}.",
        n=item.position,
        title=item.title,
        yes=result.votes_for,
        no=result.votes_against,
        abstain=result.abstentions,
        missing=result.not_voted,
    )
    return text, ui.seat_votes(tr, item.id, [(s, names.get(s, "?")) for s in present], votes)


async def show_item_votes(
    db: AsyncSession, person: Person | None, item: AgendaItem, tr: Translator, say: Replies
) -> None:
    text, keyboard = await tally_screen(db, person, item, tr)
    await say.screen(text, reply_markup=keyboard, key=tally_key(item.id or 0))


async def refresh_tallies(db: AsyncSession, catalogs: Catalogs, item_id: int, *, now: datetime) -> None:
    """Every live tally of the item, refreshed for its reader (one who may no longer manage the
    session is skipped)."""
    key = tally_key(item_id)
    for chat_id, message_id, reader in await screens_showing(db, key, now=now):
        if reader is None:
            continue
        tr = catalogs.translator(reader.language)
        try:
            _, _, item = await access_item(db, reader, item_id, Action.MANAGE_SESSIONS)
            text, keyboard = await tally_screen(db, reader, item, tr)
        except UserError:
            continue
        await refresh_screen(db, chat_id, message_id, key, text, keyboard, now=now)
