"""/nueva_sesion's confirmation card: the session as it will be scheduled, each field with the
button that changes it. The draft lives in the conversation state (`CardData`), so a wrong answer
to one field keeps all the others."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import button_labels as buttons
from bot.handlers.sessions import ui
from bot.i18n import Text, Translator, msg
from bot.keyboards import cancel_row
from bot.replies import Replies
from bot.workflows.errors import ReasonNeeded, UserError
from bot.workflows.sessions.convocation import KIND_LABELS
from bot.workflows.sessions.draft import Draft
from bot.workflows.sessions.schedule import NewItem, check_session_date
from db.models import SessionKind

ASK_DATE = msg(
    "Escriba la fecha y hora de la sesión (hora de Lima), por ejemplo 15/12 10:00 o 2026-12-15 10:00."
)
# What the card asks for next, under the fields.
HINTS: dict[str, Text] = {
    "agenda": msg("Para agregar un punto a la orden del día, escríbalo."),
    "place": msg(
        "Escriba el lugar de la sesión (dirección o sala) o el enlace de la reunión virtual (https://…)."
    ),
}


class CardDo(StrEnum):
    DATE = "date"
    PLACE = "place"
    AGENDA = "agenda"
    KIND = "kind"
    UNDO = "undo"
    SCHEDULE = "go"


class CardCB(CallbackData, prefix="nsc1"):
    do: CardDo


def initial(commission_id: int, kind: SessionKind, draft: Draft) -> dict[str, Any]:
    """The conversation state of a new card, from the workflow's defaults."""
    return {
        "commission_id": commission_id,
        "kind": kind.value,
        "starts_at": draft.starts_at.isoformat() if draft.starts_at else None,
        "override": draft.override_reason,
        "place": draft.place,
        "link": draft.link,
        "auto": draft.automatic_item,
        "items": [],
    }


def text(tr: Translator, data: dict[str, Any], commission: str, hint: str = "agenda") -> str:
    when = datetime.fromisoformat(data["starts_at"]) if data.get("starts_at") else None
    where = " · ".join(p for p in (data.get("place"), data.get("link")) if p)
    lines = [
        tr.gettext(
            "<b>Nueva sesión {kind} de {commission}</b>",
            kind=KIND_LABELS[SessionKind(data["kind"])],
            commission=commission,
        ),
        tr.gettext("📅 Fecha y hora: {when}", when=when)
        if when
        else tr.gettext("📅 Fecha y hora: falta, toque «Cambiar fecha»"),
    ]
    if data.get("override"):
        lines.append(tr.gettext("Motivo: {reason}", reason=data["override"]))
    lines.append(
        tr.gettext("📍 Lugar o enlace: {where}", where=where)
        if where
        else tr.gettext("📍 Lugar o enlace: falta, toque «Cambiar lugar»")
    )
    lines += ["", tr.gettext("Orden del día:")]
    agenda = (
        [tr.gettext("Aprobación del acta de la sesión anterior (se agrega sola)")] if data.get("auto") else []
    )
    agenda += [_item_line(tr, i) for i in data["items"]]
    lines += [f"{n}. {line}" for n, line in enumerate(agenda, 1)] or [tr.gettext("(sin puntos todavía)")]
    lines += [
        "",
        tr.render(HINTS[hint]),
        tr.gettext("Cuando todo esté bien, toque «{button}».", button=buttons.SCHEDULE),
    ]
    return "\n".join(lines)


def _item_line(tr: Translator, item: dict[str, Any]) -> str:
    kind = tr.gettext("se vota") if item["decision"] else tr.gettext("informativo")
    owner = f" · {item['owner_name']}" if item.get("owner_name") else ""
    return tr.gettext("{title} ({kind}{owner})", title=item["title"], kind=kind, owner=owner)


def keyboard(tr: Translator, data: dict[str, Any]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("📅 Cambiar fecha"), callback_data=CardCB(do=CardDo.DATE))
    kb.button(text=tr.gettext("📍 Cambiar lugar"), callback_data=CardCB(do=CardDo.PLACE))
    kb.button(text=tr.gettext("📝 Orden del día"), callback_data=CardCB(do=CardDo.AGENDA))
    other = SessionKind.EXTRAORDINARY if data["kind"] == SessionKind.ORDINARY.value else SessionKind.ORDINARY
    label = (
        msg("Cambiar a extraordinaria") if other is SessionKind.EXTRAORDINARY else msg("Cambiar a ordinaria")
    )
    kb.button(text=tr.render(label), callback_data=CardCB(do=CardDo.KIND))
    sizes = [2, 2]
    if data["items"]:
        kb.button(text=tr.gettext("↩️ Quitar el último punto"), callback_data=CardCB(do=CardDo.UNDO))
        sizes.append(1)
    kb.button(text=tr.render(buttons.SCHEDULE), callback_data=CardCB(do=CardDo.SCHEDULE))
    cancel_row(kb, tr)
    kb.adjust(*sizes, 1, 1)
    return kb.as_markup()


def planned(data: dict[str, Any]) -> dict[str, Any]:
    """The session the card gathered, as `schedule_session` takes it."""
    return {
        "kind": SessionKind(data["kind"]),
        "starts_at": datetime.fromisoformat(data["starts_at"]),
        "place": data.get("place"),
        "link": data.get("link"),
        "items": [NewItem(i["title"], i["decision"], i["owner"]) for i in data["items"]],
        "override_reason": data.get("override"),
    }


async def date_refused(
    db: AsyncSession, tr: Translator, state: FSMContext, say: Replies, now: datetime
) -> bool:
    """Check the card's date; a refusal asks for another date (or for the reason that allows it)."""
    data = await state.get_data()
    if not data.get("starts_at"):
        await state.set_state(ui.SessionFlow.start)
        await say.screen(tr.gettext("Falta la fecha de la sesión.") + "\n" + tr.render(ASK_DATE))
        return True
    starts_at, kind = datetime.fromisoformat(data["starts_at"]), SessionKind(data["kind"])
    try:
        await check_session_date(
            db, data["commission_id"], kind, starts_at, now=now, override_reason=data.get("override")
        )
    except ReasonNeeded as refusal:  # allowed with a written reason: ask for it
        await state.set_state(ui.SessionFlow.override)
        await say.screen(tr.render(refusal.text) + "\n\n" + tr.render(refusal.prompt))
        return True
    except UserError as refusal:  # the other fields stay; only the date is asked again
        await state.set_state(ui.SessionFlow.start)
        await say.screen(tr.render(refusal.text))
        return True
    return False
