"""/reglas, /feriados, /calendario: the secretary keeps the commission's rules and calendars.

Typed, for speed: `/reglas aviso_dias 7`, `/feriados 24/12/2026 Día no laborable (DS …)`,
`/calendario 16/03/2027` (on a non-working day the rules allow, the reason is asked, or typed
after the date). Without arguments each shows what is set and how to change it.
"""

from __future__ import annotations

import html
from datetime import date, datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import NOT_COMMAND, PRIVATE, TEXT
from bot.handlers.sessions import ui
from bot.i18n import Text, Translator
from bot.replies import Replies
from bot.workflows.access import Action
from bot.workflows.agreements.create import parse_deadline
from bot.workflows.business_days import lima_date
from bot.workflows.errors import ReasonNeeded, UserError
from bot.workflows.membership.commissions import tidy
from bot.workflows.membership.people import access_active, active_commission_id
from bot.workflows.sessions.rules import CommissionRules
from bot.workflows.sessions.settings import (
    RULE_KEYS,
    RuleKey,
    add_non_working_day,
    change_rule,
    list_non_working_days,
    list_planned,
    plan_session,
    read_rules,
    shown_value,
)
from db.models import Person


def shown(tr: Translator, rules: CommissionRules, key: RuleKey) -> str:
    value = shown_value(rules, key)
    return tr.render(value) if isinstance(value, Text) else value


async def rules(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    commission_id = await active_commission_id(db, person)
    args = (command.args or "").split(maxsplit=1)
    if len(args) == 2:
        key, changed = await change_rule(db, person, commission_id, args[0], args[1], now=now)
        await say(
            tr.gettext("Listo: {label} = {value}.", label=tr.render(key.label), value=shown(tr, changed, key))
        )
        return
    current = await read_rules(db, person, commission_id)
    lines = [tr.gettext("<b>Reglas de sesiones de la comisión</b>")]
    lines += [
        f"<code>{name}</code> — {tr.render(key.label)}: {shown(tr, current, key)}"
        for name, key in RULE_KEYS.items()
    ]
    lines.append(tr.gettext("Para cambiar una regla escriba, por ejemplo: /reglas aviso_dias 7"))
    await say("\n".join(lines))


async def holidays(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    commission_id = await active_commission_id(db, person)
    args = (command.args or "").split(maxsplit=1)
    if args:
        actor = await access_active(db, person, Action.MANAGE_SESSIONS)
        day = parse_deadline(args[0])
        label = args[1] if len(args) > 1 else ""
        await add_non_working_day(db, actor.person, actor.commission.id or 0, day, label, now=now)
        await say(tr.gettext("Listo: el {day} no será día hábil para los plazos de esta comisión.", day=day))
        return
    days = await list_non_working_days(db, person, commission_id, since=lima_date(now))
    if not days:
        await say(
            tr.gettext(
                "No hay feriados regionales ni días no laborables añadidos. Los feriados nacionales ya se "
                "cuentan. Para añadir uno: /feriados 24/12/2026 Día no laborable"
            )
        )
        return
    lines = [tr.ngettext("{n} día no laborable añadido:", "{n} días no laborables añadidos:", len(days))]
    unnamed = tr.gettext("día no laborable")
    lines += [f"• {tr.date(d.day)} — {html.escape(d.label) if d.label else unnamed}" for d in days]
    await say("\n".join(lines))


async def calendar(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    commission_id = await active_commission_id(db, person)
    if command.args and command.args.strip():
        typed, _, reason = command.args.strip().partition(" ")  # `/calendario 12/12/2027 motivo`
        await _plan(db, person, tr, state, say, now, parse_deadline(typed), reason)
        return
    year = lima_date(now).year
    planned = await list_planned(db, person, commission_id, year=year)
    lines = [
        tr.ngettext(
            "{n} sesión ordinaria prevista en {year} (la ley pide al menos 4, una por trimestre):",
            "{n} sesiones ordinarias previstas en {year} (la ley pide al menos 4, una por trimestre):",
            len(planned),
            year=str(year),
        )
    ]
    lines += [f"• {tr.date(p.planned_on)}{planned_reason(p.reason)}" for p in planned]
    lines.append(tr.gettext("Para añadir una: /calendario 16/03/2027"))
    await say("\n".join(lines))


def planned_reason(reason: str | None) -> str:
    return f" ({html.escape(reason)})" if reason else ""


async def _plan(
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
    day: date,
    reason: str | None,
) -> None:
    actor = await access_active(db, person, Action.MANAGE_SESSIONS)
    try:
        await plan_session(db, actor.person, actor.commission.id or 0, day, now=now, reason=reason)
    except ReasonNeeded as refusal:  # a non-working day the rules allow: ask why
        await state.set_state(ui.SessionFlow.calendar_reason)
        await state.set_data({"day": day.isoformat()})
        await say(tr.render(refusal.text) + "\n\n" + tr.render(refusal.prompt))
        return
    await state.clear()
    await say(tr.gettext("Listo: sesión ordinaria prevista para el {day}.", day=day))


async def calendar_reason_typed(
    message: Message,
    text: str,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    state: FSMContext,
    say: Replies,
    now: datetime,
) -> None:
    """The reason for a planned session on a non-working day, or another date instead."""
    try:
        day, reason = parse_deadline(text.strip()), None
    except UserError:
        day, reason = date.fromisoformat((await state.get_data())["day"]), text
        if not 5 <= len(tidy(reason)) <= 1000:
            await say(tr.gettext("Escriba el motivo (entre 5 y 1000 caracteres)."))
            return
    await _plan(db, person, tr, state, say, now, day, reason)


def router() -> Router:
    r = Router(name="session_settings")
    r.message.filter(PRIVATE)
    r.message.register(rules, Command("reglas"))
    r.message.register(holidays, Command("feriados"))
    r.message.register(calendar, Command("calendario"))
    r.message.register(calendar_reason_typed, StateFilter(ui.SessionFlow.calendar_reason), TEXT, NOT_COMMAND)
    return r
