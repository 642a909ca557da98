"""/nueva_sesion: one card with the session as it would be scheduled — defaults filled in by the
workflow (bot/workflows/sessions/draft.py) — and a button per field to change it; typing on the card
adds an agenda item. Each answer is kept in the conversation state, so a typo only repeats that
field. Other session handlers live in manage.py (the secretary's /sesiones) and answers.py (what
members tap)."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import button_labels as buttons
from bot.filters import DOCUMENT, NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.fallback import press_a_button
from bot.handlers.sessions import card, ui
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action, Actor
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import list_seats, tidy
from bot.workflows.membership.people import access_active
from bot.workflows.sessions.dates import SessionDateError, parse_session_datetime
from bot.workflows.sessions.draft import draft_session
from bot.workflows.sessions.schedule import (
    access_item,
    agenda,
    attach_document,
    check_agenda_room,
    schedule_session,
)
from db.models import Person, SessionKind


async def manager(db: AsyncSession, person: Person | None) -> Actor:
    return await access_active(db, person, Action.MANAGE_SESSIONS)


async def show_card(tr: Translator, actor: Actor, state: FSMContext, say: Replies) -> None:
    """The card, and the conversation back on it: asks for the place first when there is none."""
    data = await state.get_data()
    hint = "agenda" if data.get("place") or data.get("link") else "place"
    await state.set_state(ui.SessionFlow.card if hint == "agenda" else ui.SessionFlow.place)
    await say.screen(card.text(tr, data, actor.commission.code, hint), reply_markup=card.keyboard(tr, data))


async def start(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    actor = await manager(db, person)
    assert actor.commission.id is not None
    kind = SessionKind.ORDINARY
    draft = await draft_session(db, actor.person, actor.commission.id, kind, now=now)
    await state.set_data(card.initial(actor.commission.id, kind, draft))
    await show_card(tr, actor, state, say)


async def card_pressed(
    query: CallbackQuery,
    callback_data: card.CardCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    actor = await manager(db, person)
    await query.answer()
    do = callback_data.do
    if await state.get_state() in (ui.SessionFlow.item_kind.state, ui.SessionFlow.item_owner.state):
        await finish_the_item_first(tr, state, say)
    elif do is card.CardDo.SCHEDULE:
        await schedule(actor, db, tr, state, say, now)
    elif do is card.CardDo.DATE:
        await state.set_state(ui.SessionFlow.start)
        await say.screen(tr.render(card.ASK_DATE))
    elif do is card.CardDo.PLACE:
        await state.set_state(ui.SessionFlow.place)
        await say.screen(tr.render(card.HINTS["place"]))
    elif do is card.CardDo.AGENDA:
        await state.set_state(ui.SessionFlow.card)
        await say.screen(tr.gettext("Escriba el punto de la orden del día."))
    else:
        await change_card(actor, do, tr, state, say)


async def finish_the_item_first(tr: Translator, state: FSMContext, say: Replies) -> None:
    """A card button while an agenda item waits for its kind or owner: the item is not dropped."""
    title = (await state.get_data()).get("pending_title", "")
    await say.screen(
        tr.gettext("Primero termine el punto «{title}»: elija una opción con los botones.", title=title)
    )


async def change_card(actor: Actor, do: card.CardDo, tr: Translator, state: FSMContext, say: Replies) -> None:
    """The fields a tap changes at once: the kind, and the last agenda item taken back."""
    data = await state.get_data()
    if do is card.CardDo.KIND:
        ordinary = data["kind"] == SessionKind.ORDINARY.value
        kind = SessionKind.EXTRAORDINARY if ordinary else SessionKind.ORDINARY
        await state.update_data(kind=kind.value)
    elif do is card.CardDo.UNDO and data["items"]:
        await state.update_data(items=data["items"][:-1])
    await show_card(tr, actor, state, say)


async def type_start(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    actor = await manager(db, person)
    starts_at = ui.parse_when(text, now)
    await state.update_data(starts_at=starts_at.isoformat(), override=None)
    if await card.date_refused(db, tr, state, say, now):
        return
    await show_card(tr, actor, state, say)


async def type_override(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    actor = await manager(db, person)
    try:  # another date instead of a reason
        parse_session_datetime(text, now=now)
    except SessionDateError:
        reason = tidy(text)
        if not 5 <= len(reason) <= 1000:
            await say.screen(tr.gettext("Escriba el motivo (entre 5 y 1000 caracteres)."))
            return
        await state.update_data(override=reason)
        await show_card(tr, actor, state, say)
        return
    await type_start(message, text, db, person, tr, state, say, now)


async def type_place(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    """A place or, when it starts with http, the virtual meeting's link; a date and time typed
    here (the card asked for the place, the secretary meant the date) changes the date."""
    if ui.looks_like_when(text, now):
        await type_start(message, text, db, person, tr, state, say, now)
        return
    actor = await manager(db, person)
    value = text.strip()
    if value.lower().startswith(("https://", "http://")):
        if len(value) > 500 or " " in value:
            await say.screen(
                tr.gettext("El enlace debe empezar con https:// (por ejemplo https://meet.example/abc).")
            )
            return
        await state.update_data(link=value, place=None)
    else:
        if not 3 <= len(tidy(value)) <= 300:
            await say.screen(tr.gettext("El lugar debe tener entre 3 y 300 caracteres. Escríbalo de nuevo."))
            return
        await state.update_data(place=tidy(value), link=None)
    await show_card(tr, actor, state, say)


async def type_on_card(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    """Typed on the card: a date and time changes the date, a link the place; anything else is
    the next agenda item."""
    if ui.looks_like_when(text, now):
        await type_start(message, text, db, person, tr, state, say, now)
    elif text.strip().lower().startswith(("https://", "http://")):
        await type_place(message, text, db, person, tr, state, say, now)
    else:
        await type_item(message, text, db, person, tr, state, say)


async def type_item(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await manager(db, person)
    title = tidy(text)
    if not 3 <= len(title) <= 300:
        await say.screen(
            tr.gettext("Cada punto de agenda debe tener entre 3 y 300 caracteres. Escríbalo de nuevo.")
        )
        return
    data = await state.get_data()
    try:
        check_agenda_room(len(data["items"]))
    except UserError as full:  # the items written stay; offer the way out with the refusal
        await say.screen(tr.render(full.text), reply_markup=card.keyboard(tr, data))
        return
    await state.update_data(pending_title=title)
    await state.set_state(ui.SessionFlow.item_kind)
    await say.screen(
        tr.gettext("¿El punto «{title}» se vota o es informativo?", title=title),
        reply_markup=ui.item_kinds(tr),
    )


async def pick_item_kind(
    query: CallbackQuery,
    callback_data: ui.ItemKindCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    actor = await manager(db, person)
    await query.answer()
    await state.update_data(pending_decision=callback_data.decision)
    await state.set_state(ui.SessionFlow.item_owner)
    assert actor.commission.id is not None
    seats = [(s.seat_id, s.institution) for s in await list_seats(db, actor.commission.id)]
    await say.screen(
        tr.gettext(
            "¿Qué institución es responsable de este punto (documentos y, si se aprueba, el acuerdo)?"
        ),
        reply_markup=ui.owners(tr, seats),
    )


async def pick_owner(
    query: CallbackQuery,
    callback_data: ui.OwnerCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    actor = await manager(db, person)
    await query.answer()
    data = await state.get_data()
    assert actor.commission.id is not None
    names = {s.seat_id: s.institution for s in await list_seats(db, actor.commission.id)}
    owner = callback_data.seat_id or None
    item = {"title": data["pending_title"], "decision": data["pending_decision"], "owner": owner}
    items = [*data["items"], item | {"owner_name": names.get(owner or 0)}]
    await state.update_data(items=items, pending_title=None, pending_decision=None)
    await show_card(tr, actor, state, say)


async def schedule(
    actor: Actor, db: AsyncSession, tr: Translator, state: FSMContext, say: Replies, now: datetime
) -> None:
    """«Programar»: a missing or refused field is asked for, the rest of the card kept."""
    data = await state.get_data()
    if await card.date_refused(db, tr, state, say, now):
        return
    if not (data.get("place") or data.get("link")):
        await state.set_state(ui.SessionFlow.place)
        await say.screen(tr.render(card.HINTS["place"]))
        return
    if not data["items"] and not data.get("auto"):
        await state.set_state(ui.SessionFlow.card)
        await say.screen(tr.gettext("La orden del día necesita al menos un punto. Escríbalo."))
        return
    session = await schedule_session(db, actor.person, data["commission_id"], **card.planned(data), now=now)
    assert session.id is not None
    await state.set_state(ui.SessionFlow.documents)
    await state.set_data({"session_id": session.id})
    await say.screen(
        tr.gettext(
            "Sesión programada para el {when}. Si tiene documentos, envíelos ahora como archivos y elija "
            "a qué punto corresponden. Cuando termine, toque «{button}».",
            when=session.starts_at,
            button=buttons.CONVENE,
        ),
        reply_markup=ui.manage(tr, session),
    )


async def receive_document(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    await manager(db, person)
    assert message.document is not None
    data = await state.get_data()
    await state.update_data(
        file_id=message.document.file_id, file_name=message.document.file_name or "documento"
    )
    items = await agenda(db, data["session_id"])
    await say.screen(
        tr.gettext("¿A qué punto corresponde «{name}»?", name=message.document.file_name or "documento"),
        reply_markup=ui.document_items(tr, items),
    )


async def attach_pressed(
    query: CallbackQuery,
    callback_data: ui.ItemCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    """The item the document just sent belongs to."""
    _, session, item = await access_item(db, person, callback_data.item_id, Action.MANAGE_SESSIONS)
    await query.answer()
    data = await state.get_data()
    if not data.get("file_id"):
        raise UserError(msg("Primero envíe el archivo y luego elija el punto."))
    file_id, name = data["file_id"], data["file_name"]
    await attach_document(db, person, item.id or 0, file_id=file_id, file_name=name, now=now)
    await state.update_data(file_id=None, file_name=None)
    await say.screen(
        tr.gettext(
            "Documento «{name}» agregado al punto {n}. Envíe otro archivo o toque «{button}».",
            name=name,
            n=item.position,
            button=buttons.CONVENE,
        ),
        reply_markup=ui.manage(tr, session),
    )


def router() -> Router:
    r = Router(name="sessions_schedule")
    typed = (TEXT, NOT_COMMAND, PRIVATE)
    S = ui.SessionFlow
    drafting = StateFilter(S.card, S.start, S.override, S.place, S.item_kind, S.item_owner)
    r.message.register(start, Command("nueva_sesion"), PRIVATE)
    r.callback_query.register(card_pressed, card.CardCB.filter(), drafting)
    r.message.register(type_start, StateFilter(S.start), *typed)
    r.message.register(type_override, StateFilter(S.override), *typed)
    r.message.register(type_place, StateFilter(S.place), *typed)
    r.message.register(type_on_card, StateFilter(S.card), *typed)
    r.callback_query.register(pick_item_kind, ui.ItemKindCB.filter(), StateFilter(S.item_kind))
    r.callback_query.register(pick_owner, ui.OwnerCB.filter(), StateFilter(S.item_owner))
    r.message.register(receive_document, StateFilter(S.documents), DOCUMENT, PRIVATE)
    r.callback_query.register(attach_pressed, ui.ItemCB.filter(F.do == ui.ItemDo.ATTACH))
    r.message.register(press_a_button, StateFilter(S.item_kind, S.item_owner), *typed)
    return r
