"""The directory's texts, callback data and keyboards (`/miembros` and the secretary's changes)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ContactCB as ContactCB  # re-exported: notices carry it
from bot.i18n import Translator
from bot.keyboards import cancel_row
from bot.workflows.business_days import lima_date
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.directory import Directory, Entry, Flag, InstitutionEntry, SeatKind
from bot.workflows.membership.ending import END_REASON_LABELS
from bot.workflows.membership.national import RegionEntry
from db.models import EndReason, Role

# --- callback data -------------------------------------------------------------------------------


class DirPageCB(CallbackData, prefix="dir1"):
    page: int


class DirSeatCB(CallbackData, prefix="dirs1"):
    """An institution's people, to manage (seat_id 0: people with no institution)."""

    seat_id: int


class MemberCB(CallbackData, prefix="mem1"):
    membership_id: int


class MemberActCB(CallbackData, prefix="mema1"):
    membership_id: int
    act: str  # role | end | successor


class MemberRoleCB(CallbackData, prefix="memr1"):
    membership_id: int
    role: Role


class EndReasonCB(CallbackData, prefix="memx1"):
    membership_id: int
    reason: EndReason


class EndTodayCB(CallbackData, prefix="memd1"):
    pass


class EndConfirmCB(CallbackData, prefix="memc1"):
    pass


class ContactRoleCB(CallbackData, prefix="dirr1"):
    """Which of the institution's people changed: its titular or its liaison."""

    role: Role


class ContactFlow(StatesGroup):
    role = State()
    name = State()
    oficio = State()


class MemberDocCB(CallbackData, prefix="memf1"):
    membership_id: int
    act: str  # designation | integrity | show


class DocFlow(StatesGroup):
    file = State()
    date = State()


class BulkFlow(StatesGroup):
    file = State()


class EndFlow(StatesGroup):
    date = State()
    confirm = State()


class SuccessorFlow(StatesGroup):
    name = State()


# --- texts ---------------------------------------------------------------------------------------


def seat_kind_label(tr: Translator, kind: SeatKind) -> str:
    if kind is SeatKind.VOTING:
        return tr.gettext("con voz y voto")
    if kind is SeatKind.VOICE:
        return tr.gettext("con voz, sin voto")
    return tr.gettext("observador(a)")


def flag_label(tr: Translator, flag: Flag) -> str:
    if flag is Flag.NO_TITULAR:
        return tr.gettext("sin titular")
    if flag is Flag.NO_LIAISON:
        return tr.gettext("sin coordinador(a) de enlace")
    return tr.gettext("el bot no puede escribir a alguien")


def entry_line(tr: Translator, e: Entry, languages: Mapping[str, str]) -> str:
    parts = [
        f"{tr.render(ROLE_LABELS[e.role])}: <b>{_esc(e.name)}</b>",
        languages.get(e.language, e.language),
        "✅" if e.reachable else "📵 " + tr.gettext("sin contacto"),
    ]
    if e.last_activity is not None:
        parts.append(tr.gettext("actividad {date}", date=tr.date(lima_date(e.last_activity), "short")))
    parts.append(tr.gettext("designación {date}", date=tr.date(lima_date(e.designated_at), "short")))
    if e.has_designation:
        parts.append("📄 " + tr.gettext("oficio"))
    if e.integrity_signed_on is not None:
        parts.append("🤝 " + tr.gettext("compromiso {date}", date=tr.date(e.integrity_signed_on, "short")))
    if e.contact is not None:
        parts.append(f"Telegram {e.contact}")
    return "  • " + " · ".join(parts)


def institution_block(tr: Translator, i: InstitutionEntry, languages: Mapping[str, str]) -> str:
    head = f"🏛 <b>{_esc(i.institution)}</b> — {seat_kind_label(tr, i.kind)}"
    if i.flags:
        head += " ⚠️"
    lines = [head] + [entry_line(tr, e, languages) for e in i.people]
    if i.pending_due is not None:
        lines.append(
            "  ⏳ " + tr.gettext("confirmación pendiente, plazo {date}", date=tr.date(i.pending_due, "short"))
        )
    elif i.confirmed_at is not None:
        confirmed = tr.date(lima_date(i.confirmed_at), "short")
        lines.append("  📇 " + tr.gettext("directorio confirmado el {date}", date=confirmed))
    if not i.people:
        lines.append("  • " + tr.gettext("nadie registrado"))
    return "\n".join(lines)


def directory_text(tr: Translator, d: Directory, languages: Mapping[str, str]) -> str:
    out = [
        tr.gettext(
            "<b>Directorio de {commission}</b> · página {page} de {pages}",
            commission=d.commission_code,
            page=d.page + 1,
            pages=d.pages,
        )
    ]
    if d.flagged:
        out.append(
            tr.ngettext(
                "⚠️ {n} institución requiere atención:",
                "⚠️ {n} instituciones requieren atención:",
                len(d.flagged),
            )
            + "\n"
            + "\n".join(
                f"• {_esc(i.institution)}: " + "; ".join(flag_label(tr, f) for f in i.flags)
                for i in d.flagged
            )
        )
    if d.page == 0:
        people = d.secretariat + d.others
        if people:
            out.append("\n".join(entry_line(tr, e, languages) for e in people))
    out.extend(institution_block(tr, i, languages) for i in d.institutions)
    if not d.institutions:
        out.append(tr.gettext("Todavía no hay instituciones con asiento en la comisión."))
    return "\n\n".join(out)


def _esc(text: str) -> str:
    return html.escape(text)


# --- keyboards -----------------------------------------------------------------------------------


def directory_keyboard(tr: Translator, d: Directory, *, manage: bool) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    sizes: list[int] = []
    if manage:
        if d.page == 0 and (d.secretariat or d.others):
            kb.button(text="✏️ " + tr.gettext("Sin institución"), callback_data=DirSeatCB(seat_id=0))
            sizes.append(1)
        for i in d.institutions:
            kb.button(text="✏️ " + i.institution[:50], callback_data=DirSeatCB(seat_id=i.seat_id))
            sizes.append(1)
    nav = 0
    if d.page > 0:
        kb.button(text="◀️", callback_data=DirPageCB(page=d.page - 1))
        nav += 1
    if d.page + 1 < d.pages:
        kb.button(text="▶️", callback_data=DirPageCB(page=d.page + 1))
        nav += 1
    if nav:
        sizes.append(nav)
    if not sizes:
        return None
    kb.adjust(*sizes)
    return kb.as_markup()


def people_keyboard(tr: Translator, people: Iterable[Entry]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for e in people:
        label = f"{e.name} · {tr.render(ROLE_LABELS[e.role])}"
        kb.button(text=label[:60], callback_data=MemberCB(membership_id=e.membership_id))
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


def member_actions(tr: Translator, membership_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr.gettext("Cambiar rol"), callback_data=MemberActCB(membership_id=membership_id, act="role")
    )
    kb.button(
        text=tr.gettext("Terminar membresía"),
        callback_data=MemberActCB(membership_id=membership_id, act="end"),
    )
    kb.button(
        text=tr.gettext("Designar sucesor"),
        callback_data=MemberActCB(membership_id=membership_id, act="successor"),
    )
    for act, label in (
        ("designation", "📄 " + tr.gettext("Oficio de designación")),
        ("integrity", "🤝 " + tr.gettext("Compromiso de integridad")),
        ("show", "📎 " + tr.gettext("Ver documentos")),
    ):
        kb.button(text=label, callback_data=MemberDocCB(membership_id=membership_id, act=act))
    cancel_row(kb, tr)
    kb.adjust(1)
    return kb.as_markup()


def role_choices(tr: Translator, membership_id: int, roles: Iterable[Role]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for role in roles:
        kb.button(
            text=tr.render(ROLE_LABELS[role]),
            callback_data=MemberRoleCB(membership_id=membership_id, role=role),
        )
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def end_reasons(tr: Translator, membership_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for reason in EndReason:
        kb.button(
            text=tr.render(END_REASON_LABELS[reason]).capitalize(),
            callback_data=EndReasonCB(membership_id=membership_id, reason=reason),
        )
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def end_today(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("Hoy"), callback_data=EndTodayCB())
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def end_confirm(tr: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr.gettext("Sí, terminar"), callback_data=EndConfirmCB())
    cancel_row(kb, tr)
    kb.adjust(2)
    return kb.as_markup()


def national_text(tr: Translator, rows: Sequence[RegionEntry]) -> str:
    """The CAN's view: every jurisdiction, those without a commission in the bot listed first."""
    missing = [r for r in rows if not r.in_bot]
    present = [r for r in rows if r.in_bot]
    out = [
        tr.ngettext(
            "<b>Directorio nacional</b>: {n} de {total} región en el bot.",
            "<b>Directorio nacional</b>: {n} de {total} regiones en el bot.",
            len(rows),
            n=len(present),
            total=len(rows),
        )
    ]
    if missing:
        names = ", ".join(html.escape(r.name) for r in missing)
        out.append(
            tr.ngettext(
                "⚠️ {n} región sin secretaría en el bot:",
                "⚠️ {n} regiones sin secretaría en el bot:",
                len(missing),
            )
            + " "
            + names
        )
    for r in present:
        parts = [
            f"<b>{r.code}</b> {html.escape(r.name)}",
            tr.gettext("secretaría {mark}", mark="✅" if r.secretariat else "❌"),
            tr.gettext("presidencia {mark}", mark="✅" if r.president else "❌")
            + (
                " " + tr.gettext("hasta {date}", date=tr.date(r.presidency_ends_on, "short"))
                if r.presidency_ends_on
                else ""
            ),
            tr.gettext("enlaces {done}/{total}", done=r.with_liaison, total=r.institutions),
            tr.gettext("confirmadas en el trimestre {done}/{total}", done=r.confirmed, total=r.institutions),
        ]
        if r.unconfirmed:
            parts.append("⏰ " + tr.ngettext("{n} sin confirmar", "{n} sin confirmar", r.unconfirmed))
        out.append(" · ".join(parts))
    return "\n".join(out)
