"""Agreements: callback data (ids only), conversation states, keyboards and the /avance questions
(the register's texts are in texts.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import button_labels as buttons
from bot.callbacks import AskDeadlineCB as AskDeadlineCB  # re-exported: notices carry them
from bot.callbacks import DecideDeadlineCB as DecideDeadlineCB
from bot.i18n import Translator
from bot.keyboards import cancel_row
from bot.workflows.agreements.change import PERCENT_CHOICES
from bot.workflows.agreements.create import Shown
from bot.workflows.agreements.evidence import openable
from bot.workflows.agreements.read import AgreementRow, Detail, Filter, Page
from bot.workflows.business_days import lima_date
from bot.workflows.labels import EVIDENCE_LABELS
from db.models import AgreementStatus, EvidenceKind

# --- callback data -------------------------------------------------------------------------------


class AgSeatCB(CallbackData, prefix="ags1"):
    """Toggle a responsible seat while creating; seat_id SEATS_DONE = done."""

    seat_id: int


SEATS_DONE = 0


class AgDateCB(CallbackData, prefix="agd1"):
    day: str  # YYYYMMDD


class AgSkipCB(CallbackData, prefix="agk1"):
    pass


class AgListCB(CallbackData, prefix="agl1"):
    show: str
    page: int


class AgOpenCB(CallbackData, prefix="ago1"):
    agreement_id: int


class Act(StrEnum):
    """What a button under an agreement's detail does (the values are the packed form)."""

    REPORT = "report"
    EDIT = "edit"
    RESCHEDULE = "resched"
    CLOSE = "close"
    CANCEL = "cancel"


class AgActCB(CallbackData, prefix="aga1"):
    """Packs as before the Enum (aga1:<id>:<value>), so buttons already in chats keep working."""

    agreement_id: int
    do: Act


class EvidenceCB(CallbackData, prefix="age1"):
    """Open a piece of evidence: the history entry (event) that holds it."""

    event_id: int


class AvPickCB(CallbackData, prefix="avp1"):
    agreement_id: int


class AvResumeCB(CallbackData, prefix="avr1"):
    resume: bool


class AvStatusCB(CallbackData, prefix="avs1"):
    status: AgreementStatus


class AvPercentCB(CallbackData, prefix="avc1"):
    value: int


class AvSkipCB(CallbackData, prefix="avk1"):
    pass


# --- states -------------------------------------------------------------------------------------


class NewAgreementFlow(StatesGroup):
    text = State()
    seats = State()
    deadline = State()
    indicator = State()


class ManageFlow(StatesGroup):
    text = State()
    resched_date = State()
    resched_reason = State()
    resched_who = State()
    cancel_reason = State()
    import_file = State()


class DeadlineAskFlow(StatesGroup):
    deadline = State()  # data: agreement_id
    reason = State()  # data: agreement_id, deadline


class ProgressFlow(StatesGroup):
    status = State()
    percent = State()
    note = State()
    evidence = State()


# --- labels --------------------------------------------------------------------------------------


def shown_label(tr: Translator, shown: Shown) -> str:
    return {
        Shown.PENDING: tr.gettext("pendiente"),
        Shown.IN_PROGRESS: tr.gettext("en curso"),
        Shown.DONE: tr.gettext("cumplido"),
        Shown.CANCELLED: tr.pgettext("status", "cancelado"),
        Shown.OVERDUE: tr.gettext("vencido"),
    }[shown]


def filter_label(tr: Translator, f: Filter) -> str:
    return {
        Filter.ALL: tr.gettext("Todos"),
        Filter.PENDING: tr.gettext("Pendientes"),
        Filter.IN_PROGRESS: tr.gettext("En curso"),
        Filter.DONE: tr.gettext("Cumplidos"),
        Filter.CANCELLED: tr.gettext("Cancelados"),
        Filter.OVERDUE: tr.gettext("Vencidos"),
        Filter.THIS_MONTH: tr.gettext("Vencen este mes"),
        Filter.MINE: tr.gettext("Mi institución"),
    }[f]


# --- keyboards -----------------------------------------------------------------------------------


def seat_toggles(seats: Iterable[tuple[int, str]], chosen: set[int], tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for seat_id, name in seats:
        mark = "✅ " if seat_id in chosen else "▫️ "
        kb.button(text=(mark + name)[:60], callback_data=AgSeatCB(seat_id=seat_id))
    kb.button(text=tr.render(buttons.DONE), callback_data=AgSeatCB(seat_id=SEATS_DONE))
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


def deadline_choices(options: Iterable[date], tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for d in options:
        kb.button(text=tr.date(d, "medium"), callback_data=AgDateCB(day=d.strftime("%Y%m%d")))
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def skip(tr: Translator, cb: CallbackData) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.render(buttons.SKIP), callback_data=cb)
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def register_page(page: Page, wanted: Filter, tr: Translator, *, with_mine: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for row in page.rows:
        kb.button(text=f"{row.code} · {row.text}"[:60], callback_data=AgOpenCB(agreement_id=row.id))
    nav = 0
    if page.page > 0:
        kb.button(text="◀️", callback_data=AgListCB(show=wanted.value, page=page.page - 1))
        nav += 1
    if page.page + 1 < page.pages:
        kb.button(text="▶️", callback_data=AgListCB(show=wanted.value, page=page.page + 1))
        nav += 1
    filters = [Filter.ALL, Filter.PENDING, Filter.IN_PROGRESS, Filter.OVERDUE, Filter.THIS_MONTH, Filter.DONE]
    filters += [Filter.CANCELLED] + ([Filter.MINE] if with_mine else [])
    for f in filters:
        mark = "• " if f == wanted else ""
        kb.button(text=mark + filter_label(tr, f), callback_data=AgListCB(show=f.value, page=0))
    sizes = [1] * len(page.rows) + ([nav] if nav else []) + [2] * ((len(filters) + 1) // 2)
    kb.adjust(*sizes)
    return kb.as_markup()


def detail_actions(detail: Detail, tr: Translator) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    aid = detail.row.id
    if detail.may_report:
        kb.button(text=tr.gettext("Registrar avance"), callback_data=AgActCB(agreement_id=aid, do=Act.REPORT))
    if detail.may_manage and detail.agreement.status != AgreementStatus.CANCELLED:
        kb.button(text=tr.gettext("Editar texto"), callback_data=AgActCB(agreement_id=aid, do=Act.EDIT))
        if detail.agreement.status in (AgreementStatus.PENDING, AgreementStatus.IN_PROGRESS):
            kb.button(
                text=tr.gettext("Reprogramar"), callback_data=AgActCB(agreement_id=aid, do=Act.RESCHEDULE)
            )
            kb.button(
                text=tr.gettext("Dar por cumplido"), callback_data=AgActCB(agreement_id=aid, do=Act.CLOSE)
            )
        kb.button(text=tr.gettext("Cancelar acuerdo"), callback_data=AgActCB(agreement_id=aid, do=Act.CANCEL))
    kb.adjust(2)
    files = [e for e in detail.events if openable(e.evidence_kind, e.evidence_file_id)][
        -MAX_EVIDENCE_BUTTONS:
    ]
    for e in files:
        what = EVIDENCE_LABELS[e.evidence_kind or EvidenceKind.DOCUMENT]  # «foto del 7/12/26»
        name = e.evidence_name or tr.gettext(
            "{what} del {date}", what=what, date=tr.date(lima_date(e.at), "short")
        )
        kb.row(
            InlineKeyboardButton(text=f"📎 {name}"[:60], callback_data=EvidenceCB(event_id=e.event_id).pack())
        )
    return kb.as_markup() if kb.buttons else None


MAX_EVIDENCE_BUTTONS = 8  # the newest files; older ones stay in the history text


def agreements_to_report(rows: Iterable[AgreementRow], tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for row in rows:
        kb.button(text=f"{row.code} · {row.text}"[:60], callback_data=AvPickCB(agreement_id=row.id))
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


def resume_choice(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("Continuar donde lo dejé"), callback_data=AvResumeCB(resume=True))
    kb.button(text=tr.gettext("Empezar de nuevo"), callback_data=AvResumeCB(resume=False))
    kb.adjust(1)
    return kb.as_markup()


def progress_statuses(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr.render(buttons.IN_PROGRESS), callback_data=AvStatusCB(status=AgreementStatus.IN_PROGRESS)
    )
    kb.button(text=tr.render(buttons.FULFILLED), callback_data=AvStatusCB(status=AgreementStatus.DONE))
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def percents(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for value in PERCENT_CHOICES:
        kb.button(text=f"{value} %", callback_data=AvPercentCB(value=value))
    cancel_row(kb, tr)
    kb.adjust(5)
    return kb.as_markup()


# --- rendering -----------------------------------------------------------------------------------


def progress_question(tr: Translator, step: str, row: AgreementRow) -> str:
    """What /avance asks at a draft's step."""
    if step == "status":
        return tr.gettext(
            "Acuerdo <b>{code}</b>: {text}\nAvance registrado: {progress} %. ¿Cuál es su estado?",
            code=row.code,
            text=row.text,
            progress=row.progress,
        )
    if step == "percent":
        return tr.gettext(
            "¿Qué porcentaje de avance tiene <b>{code}</b>? Elija o escriba un número de 0 a 100.",
            code=row.code,
        )
    if step == "note":
        return tr.gettext("Escriba un texto breve sobre el avance, o toque «{button}».", button=buttons.SKIP)
    return tr.gettext(
        "Envíe una evidencia: foto, documento, nota de voz o un enlace (https://…), o toque «{button}».",
        button=buttons.SKIP,
    )


def progress_buttons(tr: Translator, step: str) -> InlineKeyboardMarkup:
    if step == "status":
        return progress_statuses(tr)
    if step == "percent":
        return percents(tr)
    return skip(tr, AvSkipCB())
