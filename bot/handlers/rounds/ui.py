"""Progress rounds: callback data (ids only), conversation states, keyboards, text."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Translator
from bot.keyboards import cancel_row
from bot.workflows.agreements.change import PERCENT_CHOICES, STATUS_TEXT
from bot.workflows.rounds.answers import Choice, Pending, Question
from bot.workflows.rounds.opening import Summary

# --- callback data -------------------------------------------------------------------------------


class RdStartCB(CallbackData, prefix="rds1"):
    days: int


class RdAnswerCB(CallbackData, prefix="rda1"):
    target_id: int


class RdStatusCB(CallbackData, prefix="rdc1"):
    target_id: int
    choice: str


class RdPercentCB(CallbackData, prefix="rdp1"):
    target_id: int
    value: int


class Skip(StrEnum):
    """The round's steps a liaison may skip (the values are the packed form, as before the Enum)."""

    NOTE = "note"
    BLOCKER = "blocker"
    EVIDENCE = "evidence"


class RdSkipCB(CallbackData, prefix="rdk1"):
    target_id: int
    step: Skip


class RdGoodCB(CallbackData, prefix="rdg1"):
    event_id: int


# --- states -------------------------------------------------------------------------------------


class RoundFlow(StatesGroup):
    answering = State()  # data: target_id


# --- rounds --------------------------------------------------------------------------------------


def window_choices(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for days in (3, 5, 10):
        kb.button(
            text=tr.ngettext("{n} día hábil", "{n} días hábiles", days), callback_data=RdStartCB(days=days)
        )
    cancel_row(kb, tr)
    kb.adjust(3, 1)
    return kb.as_markup()


def pending_choices(pending: Iterable[Pending], tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for p in pending:
        kb.button(
            text=tr.gettext(
                "Responder: {commission} · {institution}",
                commission=p.commission.code,
                institution=p.institution,
            )[:60],
            callback_data=RdAnswerCB(target_id=p.target.id or 0),
        )
    kb.adjust(1)
    return kb.as_markup()


def question_text(tr: Translator, q: Question) -> str:
    a = q.agreement
    if q.step == "status":
        return tr.gettext(
            "Acuerdo {index} de {total}: <b>{code}</b>\n{text}\nAvance registrado: {progress} % ({status}). "
            "¿Cómo va?",
            index=q.index,
            total=q.total,
            code=a.code,
            text=a.text,
            progress=a.progress,
            status=STATUS_TEXT[a.status],
        )
    if q.step == "percent":
        return tr.gettext(
            "¿Qué porcentaje de avance tiene <b>{code}</b>? Elija o escriba un número de 0 a 100.",
            code=a.code,
        )
    if q.step == "note":
        return tr.gettext("Escriba un texto breve sobre el avance, o toque «Omitir».")
    if q.step == "blocker":
        return tr.gettext("¿Hay alguna dificultad que impida avanzar? Escríbala, o toque «Ninguna».")
    return tr.gettext(
        "Envíe una evidencia: foto, documento, nota de voz o un enlace (https://…), o toque «Omitir»."
    )


def question_keyboard(tr: Translator, q: Question) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    tid = q.target.id or 0
    if q.step == "status":
        kb.button(
            text=tr.gettext("En curso"), callback_data=RdStatusCB(target_id=tid, choice=Choice.IN_PROGRESS)
        )
        kb.button(text=tr.gettext("Cumplido"), callback_data=RdStatusCB(target_id=tid, choice=Choice.DONE))
        kb.button(
            text=tr.gettext("Sin cambios"), callback_data=RdStatusCB(target_id=tid, choice=Choice.NO_CHANGE)
        )
        kb.button(text=tr.gettext("Omitir"), callback_data=RdStatusCB(target_id=tid, choice=Choice.SKIP))
        kb.adjust(2, 2)
    elif q.step == "percent":
        for value in PERCENT_CHOICES:
            kb.button(text=f"{value} %", callback_data=RdPercentCB(target_id=tid, value=value))
        kb.adjust(5)
    elif q.step == "blocker":
        kb.button(text=tr.gettext("Ninguna"), callback_data=RdSkipCB(target_id=tid, step=Skip.BLOCKER))
    else:
        kb.button(text=tr.gettext("Omitir"), callback_data=RdSkipCB(target_id=tid, step=Skip(q.step)))
    return kb.as_markup()


def summary_keyboard(tr: Translator, summary: Summary) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    for change in summary.changes:
        if change.event_id is not None:
            kb.button(
                text=tr.gettext("⭐ Buena práctica: {code}", code=change.code)[:60],
                callback_data=RdGoodCB(event_id=change.event_id),
            )
    kb.adjust(1)
    return kb.as_markup() if kb.buttons else None
