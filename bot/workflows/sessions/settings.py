"""A commission's session rules, non-working days and annual calendar, as the secretary edits them.

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
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import normalise
from bot.workflows.sessions.rules import CommissionRules, InvalidRule
from bot.workflows.sessions.schedule import commission_rules, set_rules
from db.models import NonWorkingDay, Person, PlannedSession


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

YES = {"si", "sí", "s", "yes", "ari", "jisa", "1"}
NO = {"no", "n", "manan", "janiw", "0"}


def shown_value(rules: CommissionRules, key: RuleKey) -> str:
    value = getattr(rules, key.field)
    if key.kind == "hours":
        return f"{value.total_seconds() / 3600:g}"
    if key.kind == "minutes":
        return f"{value.total_seconds() / 60:g}"
    if key.kind == "hours_list":
        return ",".join(f"{v.total_seconds() / 3600:g}" for v in value)
    if key.kind == "yes_no":
        return "sí" if value else "no"
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
        if normalise(raw) in YES:
            return True
        if normalise(raw) in NO:
            return False
        raise ValueError(raw)
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
