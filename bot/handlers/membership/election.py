"""`/miembros presidencia`: the secretary records the presidency's election (art. 40.1): the
session, the elected titular, the votes for. The new president's role and term follow, and every
member is told."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.commands import refresh_menus
from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.i18n import Catalogs, Translator
from bot.keyboards import cancel_row
from bot.replies import Replies
from bot.workflows.labels import SESSION_KIND_LABELS
from bot.workflows.membership.election import ElectionChoices, election_choices, record_election
from bot.workflows.membership.people import active_commission_id
from bot.workflows.notices import Notice
from db.models import Person


class ElectSessionCB(CallbackData, prefix="elps1"):
    session_id: int


class ElectWhoCB(CallbackData, prefix="elpw1"):
    session_id: int
    membership_id: int


class ElectionFlow(StatesGroup):
    votes = State()


def sessions_keyboard(tr: Translator, choices: ElectionChoices) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for s in choices.sessions:
        label = f"{tr.datetime(s.starts_at, 'short')} · {tr.render(SESSION_KIND_LABELS[s.kind])}"
        kb.button(text=label, callback_data=ElectSessionCB(session_id=s.id or 0))
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


def candidates_keyboard(tr: Translator, choices: ElectionChoices, session_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for c in choices.candidates:
        kb.button(
            text=f"{c.name} · {c.institution}"[:60],
            callback_data=ElectWhoCB(session_id=session_id, membership_id=c.membership_id),
        )
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


async def offer_sessions(
    db: AsyncSession, person: Person | None, commission_id: int | None, tr: Translator, say: Replies
) -> None:
    choices = await election_choices(db, person, commission_id)
    if not choices.sessions or not choices.candidates:
        await say(
            tr.gettext(
                "Para registrar la elección de la presidencia hace falta una sesión instalada o realizada "
                "y al menos un titular de una institución con voto."
            )
        )
        return
    await say(
        tr.gettext("¿En qué sesión se eligió la presidencia?"),
        reply_markup=sessions_keyboard(tr, choices),
    )


async def session_picked(
    query: CallbackQuery, callback_data: ElectSessionCB, db: AsyncSession, person: Person | None,
    tr: Translator, say: Replies,
) -> None:  # fmt: skip
    await query.answer()
    choices = await election_choices(db, person, await active_commission_id(db, person))
    await say(
        tr.gettext("¿Quién fue elegido para la presidencia?"),
        reply_markup=candidates_keyboard(tr, choices, callback_data.session_id),
    )


async def who_picked(
    query: CallbackQuery, callback_data: ElectWhoCB, db: AsyncSession, person: Person | None,
    tr: Translator, state: FSMContext, say: Replies,
) -> None:  # fmt: skip
    await query.answer()
    choices = await election_choices(db, person, await active_commission_id(db, person))
    await state.set_state(ElectionFlow.votes)
    await state.set_data(
        {"session_id": callback_data.session_id, "membership_id": callback_data.membership_id}
    )
    await say(
        tr.ngettext(
            "¿Cuántos votos a favor tuvo? Escriba el número: se necesita al menos {n} (la mitad más uno "
            "de los {seats} miembros con voto, art. 40.1).",
            "¿Cuántos votos a favor tuvo? Escriba el número: se necesitan al menos {n} (la mitad más uno "
            "de los {seats} miembros con voto, art. 40.1).",
            choices.needed,
            seats=choices.seats,
        )
    )


async def votes_typed(
    message: Message, text: str, bot: Bot, db: AsyncSession, person: Person | None, tr: Translator,
    catalogs: Catalogs, state: FSMContext, say: Replies, outbox: list[Notice], now: datetime,
) -> None:  # fmt: skip
    if not text.strip().isdigit():
        await say(tr.gettext("Escriba solo el número de votos a favor, por ejemplo 7."))
        return
    data = await state.get_data()
    commission_id = await active_commission_id(db, person)
    elected = await record_election(
        db, person, commission_id, data["session_id"], data["membership_id"], int(text), now=now
    )
    await state.clear()
    outbox.extend(elected.notices)
    await refresh_menus(bot, db, catalogs, elected.changed)
    await say(
        tr.gettext(
            "Elección registrada: {name} preside hasta el {date}. Se avisó a todos los miembros.",
            name=elected.name,
            date=elected.ends_on,
        )
    )


def router() -> Router:
    r = Router(name="presidency_election")
    r.message.filter(PRIVATE)
    r.callback_query.register(session_picked, ElectSessionCB.filter())
    r.callback_query.register(who_picked, ElectWhoCB.filter())
    r.message.register(votes_typed, StateFilter(ElectionFlow.votes), TEXT, NOT_COMMAND)
    return r
