"""Technical assistance: callback data (ids only), conversation states, keyboards, text."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import button_labels as buttons
from bot.i18n import Translator
from bot.keyboards import cancel_row
from bot.workflows.assistance.requests import NEXT, STATUS_TEXT, TOPIC_TEXT
from bot.workflows.labels import FILE_LABELS
from db.models import AssistanceRequest, AssistanceStatus, AssistanceTopic

# --- callback data -------------------------------------------------------------------------------


class AtTopicCB(CallbackData, prefix="att1"):
    topic: AssistanceTopic


class AtNoFileCB(CallbackData, prefix="atn1"):
    pass


class AtOpenCB(CallbackData, prefix="ato1"):
    request_id: int


class AtFileCB(CallbackData, prefix="atf1"):
    """Open the file sent with a request."""

    request_id: int


class AtStatusCB(CallbackData, prefix="ats1"):
    request_id: int
    status: AssistanceStatus


# --- states -------------------------------------------------------------------------------------


class AssistFlow(StatesGroup):
    text = State()  # data: topic
    attachment = State()  # data: topic, text
    answer = State()  # data: request_id (an analyst writing the answer)


def topics(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for topic in AssistanceTopic:
        kb.button(text=tr.render(TOPIC_TEXT[topic]), callback_data=AtTopicCB(topic=topic))
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


def no_file(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.render(buttons.NO_ATTACHMENT), callback_data=AtNoFileCB())
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


def request_line(tr: Translator, r: AssistanceRequest) -> str:
    return tr.gettext(
        "<b>{code}</b> · {topic} · {status}\n{text}",
        code=r.code,
        topic=TOPIC_TEXT[r.topic],
        status=STATUS_TEXT[r.status],
        text=r.text[:300],
    )


def requests_keyboard(
    tr: Translator, requests: Iterable[AssistanceRequest], regions: dict[int, str]
) -> InlineKeyboardMarkup:
    """One button a request, saying whose and about what: «AT-CUS-2026-003 · Cusco · Capacitación»."""
    kb = InlineKeyboardBuilder()
    for r in requests:
        label = f"{r.code} · {regions.get(r.commission_id, '')} · {tr.render(TOPIC_TEXT[r.topic])}"
        kb.button(text=label[:64], callback_data=AtOpenCB(request_id=r.id or 0))
    kb.adjust(1)
    return kb.as_markup()


def request_keyboard(tr: Translator, r: AssistanceRequest, *, analyst: bool) -> InlineKeyboardMarkup | None:
    """Under an opened request: its file, if any, and (for an analyst) the next statuses."""
    kb = InlineKeyboardBuilder()
    if r.attachment_file_id:
        name = r.attachment_name or tr.render(FILE_LABELS[r.attachment_kind])
        kb.row(
            InlineKeyboardButton(text=f"📎 {name}"[:64], callback_data=AtFileCB(request_id=r.id or 0).pack())
        )
    if analyst:
        for status in NEXT[r.status]:
            kb.row(_status_button(tr, r, status))
    return kb.as_markup() if kb.buttons else None


def _status_button(tr: Translator, r: AssistanceRequest, status: AssistanceStatus) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=tr.gettext("Marcar «{status}»", status=STATUS_TEXT[status]),
        callback_data=AtStatusCB(request_id=r.id or 0, status=status).pack(),
    )


def status_keyboard(tr: Translator, r: AssistanceRequest) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    for status in NEXT[r.status]:
        kb.button(
            text=tr.gettext("Marcar «{status}»", status=STATUS_TEXT[status]),
            callback_data=AtStatusCB(request_id=r.id or 0, status=status),
        )
    kb.adjust(1)
    return kb.as_markup() if kb.buttons else None
