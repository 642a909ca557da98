"""/nueva_sesion: the secretary schedules a session step by step; each answer is kept in the
conversation state, so a typo only repeats that step. Other session handlers live in
manage.py (the secretary's /sesiones) and answers.py (what members tap)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import DOCUMENT, NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.fallback import press_a_button
from bot.handlers.sessions import ui
from bot.i18n import Translator, msg
from bot.replies import Replies
from bot.workflows.access import Action, Actor
from bot.workflows.errors import ReasonNeeded, UserError
from bot.workflows.membership.commissions import list_seats, tidy
from bot.workflows.membership.people import access_active
from bot.workflows.sessions.dates import SessionDateError, parse_session_datetime
from bot.workflows.sessions.schedule import (
    NewItem,
    access_item,
    agenda,
    attach_document,
    check_agenda_room,
    check_session_date,
    schedule_session,
)
from db.models import Person, SessionKind


async def manager(db: AsyncSession, person: Person | None) -> Actor:
    return await access_active(db, person, Action.MANAGE_SESSIONS)


async def start(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, state: FSMContext, say: Replies
) -> None:
    actor = await manager(db, person)
    await state.set_state(ui.SessionFlow.kind)
    await state.set_data({"commission_id": actor.commission.id, "items": []})
    await say.screen(
        tr.gettext("Nueva sesión de {commission}. ¿De qué tipo es?", commission=actor.commission.code),
        reply_markup=ui.kinds(tr),
    )


async def pick_kind(
    query: CallbackQuery,
    callback_data: ui.KindCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await manager(db, person)
    await query.answer()
    await state.update_data(kind=callback_data.kind.value)
    await state.set_state(ui.SessionFlow.start)
    await say.screen(
        tr.gettext(
            "Escriba la fecha y hora de la sesión (hora de Lima), por ejemplo 15/12 10:00 o 2026-12-15 10:00."
        )
    )


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
    data = await state.get_data()
    kind = SessionKind(data["kind"])
    try:
        await check_session_date(db, data["commission_id"], kind, starts_at, now=now)
    except ReasonNeeded as refusal:  # allowed with a written reason: ask for it
        await state.update_data(starts_at=starts_at.isoformat())
        await state.set_state(ui.SessionFlow.override)
        await say.screen(tr.render(refusal.text) + "\n\n" + tr.render(refusal.prompt))
        return
    assert actor.commission.id is not None
    await state.update_data(starts_at=starts_at.isoformat(), override=None)
    await _ask_mode(tr, state, say)


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
    await manager(db, person)
    try:  # another date instead of a reason
        parse_session_datetime(text, now=now)
    except SessionDateError:
        reason = tidy(text)
        if not 5 <= len(reason) <= 1000:
            await say.screen(tr.gettext("Escriba el motivo (entre 5 y 1000 caracteres)."))
            return
        await state.update_data(override=reason)
        await _ask_mode(tr, state, say)
        return
    await state.set_state(ui.SessionFlow.start)
    await type_start(message, text, db, person, tr, state, say, now)


async def _ask_mode(tr: Translator, state: FSMContext, say: Replies) -> None:
    await state.set_state(ui.SessionFlow.mode)
    await say.screen(tr.gettext("¿La sesión es presencial o virtual?"), reply_markup=ui.modes(tr))


async def pick_mode(
    query: CallbackQuery,
    callback_data: ui.ModeCB,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await manager(db, person)
    await query.answer()
    await state.update_data(virtual=callback_data.virtual)
    await state.set_state(ui.SessionFlow.place)
    if callback_data.virtual:
        await say.screen(tr.gettext("Escriba el enlace de la reunión virtual (https://…)."))
    else:
        await say.screen(tr.gettext("Escriba el lugar de la sesión (dirección o sala)."))


async def type_place(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
) -> None:
    await manager(db, person)
    data = await state.get_data()
    value = text.strip()
    if data.get("virtual"):
        if not value.startswith(("https://", "http://")) or len(value) > 500 or " " in value:
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
    await state.set_state(ui.SessionFlow.item)
    await say.screen(tr.gettext("Escriba el primer punto de la orden del día."))


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
        await say.screen(tr.render(full.text), reply_markup=ui.agenda_done(tr))
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
    await manager(db, person)
    await query.answer()
    data = await state.get_data()
    items = [
        *data["items"],
        {
            "title": data["pending_title"],
            "decision": data["pending_decision"],
            "owner": callback_data.seat_id or None,
        },
    ]
    await state.update_data(items=items)
    await state.set_state(ui.SessionFlow.item)
    lines = "\n".join(f"{n}. {i['title']}" for n, i in enumerate(items, 1))
    await say.screen(
        tr.gettext(
            "Orden del día hasta ahora:\n{items}\n\nEscriba el siguiente punto o toque «Terminar "
            "orden del día».",
            items=lines,
        ),
        reply_markup=ui.agenda_done(tr),
    )


def planned(data: dict[str, Any]) -> dict[str, Any]:
    """The session the conversation gathered, as `schedule_session` takes it."""
    return {
        "kind": SessionKind(data["kind"]),
        "starts_at": datetime.fromisoformat(data["starts_at"]),
        "place": data.get("place"),
        "link": data.get("link"),
        "items": [NewItem(i["title"], i["decision"], i["owner"]) for i in data["items"]],
        "override_reason": data.get("override"),
    }


async def finish_agenda(
    query: CallbackQuery,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    actor = await manager(db, person)
    await query.answer()
    data = await state.get_data()
    if not data.get("items"):
        await say.screen(tr.gettext("La orden del día necesita al menos un punto. Escríbalo."))
        return
    session = await schedule_session(db, actor.person, data["commission_id"], **planned(data), now=now)
    assert session.id is not None
    await state.set_state(ui.SessionFlow.documents)
    await state.set_data({"session_id": session.id})
    await say.screen(
        tr.gettext(
            "Sesión programada para el {when}. Si tiene documentos, envíelos ahora como archivos y elija "
            "a qué punto corresponden. Cuando termine, toque «Convocar».",
            when=session.starts_at,
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
        reply_markup=ui.document_items(items),
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
            "Documento «{name}» agregado al punto {n}. Envíe otro archivo o toque «Convocar».",
            name=name,
            n=item.position,
        ),
        reply_markup=ui.manage(tr, session),
    )


def router() -> Router:
    r = Router(name="sessions_schedule")
    typed = (TEXT, NOT_COMMAND, PRIVATE)
    S = ui.SessionFlow
    r.message.register(start, Command("nueva_sesion"), PRIVATE)
    r.callback_query.register(pick_kind, ui.KindCB.filter(), StateFilter(S.kind))
    r.message.register(type_start, StateFilter(S.start), *typed)
    r.message.register(type_override, StateFilter(S.override), *typed)
    r.callback_query.register(pick_mode, ui.ModeCB.filter(), StateFilter(S.mode))
    r.message.register(type_place, StateFilter(S.place), *typed)
    r.message.register(type_item, StateFilter(S.item), *typed)
    r.callback_query.register(pick_item_kind, ui.ItemKindCB.filter(), StateFilter(S.item_kind))
    r.callback_query.register(pick_owner, ui.OwnerCB.filter(), StateFilter(S.item_owner))
    r.callback_query.register(finish_agenda, ui.AgendaDoneCB.filter(), StateFilter(S.item))
    r.message.register(receive_document, StateFilter(S.documents), DOCUMENT, PRIVATE)
    r.callback_query.register(attach_pressed, ui.ItemCB.filter(F.do == ui.ItemDo.ATTACH))
    r.message.register(press_a_button, StateFilter(S.kind, S.mode, S.item_kind, S.item_owner), *typed)
    return r
