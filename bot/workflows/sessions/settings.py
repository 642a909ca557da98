"""A commission's session rules, non-working days, annual calendar and group, as stored and as the
secretary edits them.

Keys are short Spanish words a secretary can type (`/reglas aviso_dias 7`); every value is checked
by CommissionRules itself, so the law's bounds live in one place (bot/workflows/sessions/rules.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg
from bot.workflows.access import Action, access_commission
from bot.workflows.audit import audited, snapshot
from bot.workflows.business_days import BusinessCalendar, lima_date
from bot.workflows.errors import ReasonNeeded, UserError
from bot.workflows.labels import NO, YES, yes_or_no
from bot.workflows.membership.commissions import normalise, tidy
from bot.workflows.sessions.rules import CommissionRules, InvalidRule
from db.models import CommissionSessionSettings, NonWorkingDay, Person, PlannedSession

# --- rules, non-working days, calendar, group ---------------------------------------------------


async def settings_row(db: AsyncSession, commission_id: int) -> CommissionSessionSettings | None:
    query = select(CommissionSessionSettings).where(CommissionSessionSettings.commission_id == commission_id)
    return (await db.exec(query)).first()


async def commission_rules(db: AsyncSession, commission_id: int) -> CommissionRules:
    row = await settings_row(db, commission_id)
    return CommissionRules.from_dict(row.rules) if row else CommissionRules()


async def business_calendar(db: AsyncSession, commission_id: int) -> BusinessCalendar:
    days = await db.exec(select(col(NonWorkingDay.day)).where(NonWorkingDay.commission_id == commission_id))
    return BusinessCalendar(days.all())


async def set_rules(
    db: AsyncSession, person: Person, commission_id: int, rules: CommissionRules, *, now: datetime
) -> CommissionRules:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    row = await settings_row(db, commission_id) or CommissionSessionSettings(commission_id=commission_id)
    before = dict(row.rules or {})
    row.rules, row.updated_at = rules.to_dict(), now
    db.add(row)
    await db.flush()
    await audited(
        db,
        actor,
        commission_id,
        "sessions.rules_changed",
        "session_settings",
        row.id,
        now=now,
        before=before,
        after=row.rules,
    )
    return rules


async def add_non_working_day(
    db: AsyncSession, person: Person, commission_id: int, day: date, label: str, *, now: datetime
) -> NonWorkingDay:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    label = tidy(label)[:120]  # empty: shown as «día no laborable» in the reader's language
    exists = await db.exec(
        select(NonWorkingDay).where(NonWorkingDay.commission_id == commission_id, NonWorkingDay.day == day)
    )
    if exists.first():
        raise UserError(msg("Esa fecha ya figura como día no laborable."))
    row = NonWorkingDay(commission_id=commission_id, day=day, label=label)
    db.add(row)
    await db.flush()
    await audited(
        db,
        actor,
        commission_id,
        "sessions.non_working_day_added",
        "non_working_day",
        row.id,
        now=now,
        after=snapshot(row, "day", "label"),
    )
    return row


async def plan_session(
    db: AsyncSession,
    person: Person,
    commission_id: int,
    planned_on: date,
    *,
    now: datetime,
    reason: str | None = None,
) -> PlannedSession:
    """Add an ordinary session to the annual calendar (art. 45.3.a): on a business day, or on
    another day with a reason when the commission's rules allow it (`ordinaria_dia_inhabil`)."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    if planned_on < lima_date(now):
        raise UserError(msg("Esa fecha ya pasó. Indique una fecha futura."))
    calendar = await business_calendar(db, commission_id)
    reason = tidy(reason)[:1000] if reason and len(tidy(reason)) >= 5 else None
    if calendar.is_business_day(planned_on):
        reason = None  # nothing to justify
    elif not (await commission_rules(db, commission_id)).ordinary_on_non_business_days:
        raise UserError(
            msg(
                "El {day} no es día hábil. El siguiente día hábil es el {next}.",
                day=planned_on,
                next=calendar.next_business_day(planned_on),
            )
        )
    elif reason is None:
        raise ReasonNeeded(
            msg(
                "El {day} no es día hábil (el siguiente es el {next}). Las reglas de su comisión "
                "permiten sesionar ese día indicando el motivo.",
                day=planned_on,
                next=calendar.next_business_day(planned_on),
            ),
            msg("Escriba el motivo para sesionar en día no hábil, o escriba otra fecha."),
        )
    row = PlannedSession(commission_id=commission_id, planned_on=planned_on, reason=reason)
    db.add(row)
    await db.flush()
    await audited(
        db,
        actor,
        commission_id,
        "sessions.planned",
        "planned_session",
        row.id,
        now=now,
        after=snapshot(row, "planned_on", "reason"),
    )
    return row


async def link_group(
    db: AsyncSession, person: Person, commission_id: int, chat_id: int, *, now: datetime
) -> CommissionSessionSettings:
    """The commission's Telegram group gets convocations (never personal data)."""
    actor = await access_commission(db, person, commission_id, Action.LINK_GROUP)
    row = await settings_row(db, commission_id) or CommissionSessionSettings(commission_id=commission_id)
    before = row.group_chat_id
    row.group_chat_id, row.updated_at = chat_id, now
    db.add(row)
    await db.flush()
    await audited(
        db,
        actor,
        commission_id,
        "sessions.group_linked",
        "session_settings",
        row.id,
        now=now,
        before={"group_chat_id": before},
        after={"group_chat_id": chat_id},
    )
    return row


# --- as the secretary types them ------------------------------------------------------------------


@dataclass(frozen=True)
class RuleKey:
    field: str  # CommissionRules field
    kind: str  # count | hours | minutes | hours_list | yes_no | fraction
    label: Text


RULE_KEYS: dict[str, RuleKey] = {
    "sesiones_trimestre": RuleKey(
        "min_sessions_per_quarter", "count", msg("Sesiones ordinarias mínimas por trimestre")
    ),
    "sesiones_anio": RuleKey("min_sessions_per_year", "count", msg("Sesiones ordinarias mínimas por año")),
    "aviso_dias": RuleKey(
        "notice_business_days", "count", msg("Días hábiles de anticipación de la convocatoria")
    ),
    "documentos_horas": RuleKey(
        "documents_before", "hours", msg("Horas antes de la sesión para enviar documentos")
    ),
    "segundo_llamado_min": RuleKey(
        "second_roll_call_after", "minutes", msg("Minutos hasta el segundo llamado de lista")
    ),
    "voto_dirimente": RuleKey(
        "president_casting_vote", "yes_no", msg("Voto dirimente de la presidencia (sí/no)")
    ),
    "ordinaria_dia_inhabil": RuleKey(
        "ordinary_on_non_business_days",
        "yes_no",
        msg("Sesiones ordinarias en sábado, domingo o feriado, indicando el motivo (sí/no)"),
    ),
    "recusacion": RuleKey(
        "recusal_fraction", "fraction", msg("Mayoría para la recusación (por ejemplo 2/3)")
    ),
    "ausencias": RuleKey(
        "absences_before_escalation", "count", msg("Inasistencias injustificadas seguidas antes de avisar")
    ),
    "recordatorios_horas": RuleKey(
        "reminder_offsets", "hours_list", msg("Recordatorios, en horas antes de la sesión (por ejemplo 72,2)")
    ),
    "alerta_quorum_horas": RuleKey(
        "quorum_alert_before", "hours", msg("Horas antes de la sesión para alertar si peligra el quórum")
    ),
}


def shown_value(rules: CommissionRules, key: RuleKey) -> Text | str:
    """The value as the secretary would type it; yes/no in the reader's language."""
    value = getattr(rules, key.field)
    if key.kind == "hours":
        return f"{value.total_seconds() / 3600:g}"
    if key.kind == "minutes":
        return f"{value.total_seconds() / 60:g}"
    if key.kind == "hours_list":
        return ",".join(f"{v.total_seconds() / 3600:g}" for v in value)
    if key.kind == "yes_no":
        return YES if value else NO
    return str(value)


def _parse(key: RuleKey, raw: str) -> Any:
    raw = raw.strip().lower()
    if key.kind == "count":
        return int(raw)
    if key.kind == "hours":
        return timedelta(hours=float(raw.replace(",", ".")))
    if key.kind == "minutes":
        return timedelta(minutes=float(raw.replace(",", ".")))
    if key.kind == "hours_list":
        return tuple(
            sorted((timedelta(hours=float(p)) for p in raw.replace(";", ",").split(",")), reverse=True)
        )
    if key.kind == "yes_no":
        answer = yes_or_no(raw)
        if answer is None:
            raise UserError(msg("Para «{label}» escriba {yes} o {no}.", label=key.label, yes=YES, no=NO))
        return answer
    return Fraction(raw)


async def read_rules(db: AsyncSession, person: Person | None, commission_id: int | None) -> CommissionRules:
    actor = await access_commission(db, person, commission_id, Action.VIEW_SESSIONS)
    assert actor.commission.id is not None
    return await commission_rules(db, actor.commission.id)


async def change_rule(
    db: AsyncSession,
    person: Person | None,
    commission_id: int | None,
    key_text: str,
    raw: str,
    *,
    now: datetime,
) -> tuple[RuleKey, CommissionRules]:
    """Set one rule from what the secretary typed; a bad key or value says what is accepted."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    assert actor.commission.id is not None
    key = RULE_KEYS.get(normalise(key_text).replace(" ", "_"))
    if key is None:
        raise UserError(
            msg("No conozco la regla «{key}». Reglas: {keys}.", key=key_text[:40], keys=", ".join(RULE_KEYS))
        )
    current = await commission_rules(db, actor.commission.id)
    try:
        rules = dataclasses.replace(current, **{key.field: _parse(key, raw)})
    except (ValueError, ZeroDivisionError, InvalidRule):
        raise UserError(
            msg("El valor «{value}» no sirve para «{label}».", value=raw.strip()[:40], label=key.label)
        ) from None
    await set_rules(db, actor.person, actor.commission.id, rules, now=now)
    return key, rules


async def list_non_working_days(
    db: AsyncSession, person: Person | None, commission_id: int | None, *, since: date
) -> list[NonWorkingDay]:
    actor = await access_commission(db, person, commission_id, Action.VIEW_SESSIONS)
    rows = await db.exec(
        select(NonWorkingDay)
        .where(NonWorkingDay.commission_id == actor.commission.id, col(NonWorkingDay.day) >= since)
        .order_by(col(NonWorkingDay.day))
    )
    return list(rows.all())


async def list_planned(
    db: AsyncSession, person: Person | None, commission_id: int | None, *, year: int
) -> list[PlannedSession]:
    actor = await access_commission(db, person, commission_id, Action.VIEW_SESSIONS)
    rows = await db.exec(
        select(PlannedSession)
        .where(
            PlannedSession.commission_id == actor.commission.id,
            col(PlannedSession.planned_on) >= date(year, 1, 1),
            col(PlannedSession.planned_on) <= date(year, 12, 31),
        )
        .order_by(col(PlannedSession.planned_on))
    )
    return list(rows.all())
