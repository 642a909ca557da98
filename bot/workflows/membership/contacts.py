"""Contact-point confirmation: each institution's titular and liaison confirm the directory entry
or name the new person, periodically (per commission, default every 3 months) and always in the
first two weeks of January, when regional authorities change (DOMAIN.md §5).

A request is one `contact_check` per seat and period ("2027-01"). It is answered within 5 business
days and chased like a progress round: reminded half-way and on the last day, then escalated to
the secretariat and the president. An unanswered one stays pending: the directory and the CAN's
digest show it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg, nmsg
from bot.workflows.access import Action, access_commission
from bot.workflows.audit import audited
from bot.workflows.business_days import BusinessCalendar, lima_date
from bot.workflows.errors import NotFound, UserError
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import ContactConfirm, Notice
from db.models import (
    Commission,
    CommissionKind,
    ContactCheck,
    ContactCheckStatus,
    DirectorySettings,
    Membership,
    Person,
    Role,
    Seat,
)

WINDOW_DAYS = 5  # business days to answer, like a progress round
ASKED_ROLES = (Role.PRESIDENT, Role.MEMBER, Role.LIAISON)  # the titular and the liaison
DEFAULT_MONTHS = 3
JANUARY_DAYS = 14  # the first two weeks of January


async def confirm_every(db: AsyncSession, commission_id: int) -> int:
    settings = await db.get(DirectorySettings, commission_id)
    return settings.confirm_every_months if settings else DEFAULT_MONTHS


async def set_confirm_every(
    db: AsyncSession, person: Person | None, commission_id: int | None, months: int, *, now: datetime
) -> int:
    """The secretary sets how often institutions confirm (1-12 months; 0: only in January)."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_MEMBERS)
    if not 0 <= months <= 12:
        raise UserError(msg("Indique cada cuántos meses (de 0 a 12; 0: solo en enero)."))
    assert actor.commission.id is not None
    settings = await db.get(DirectorySettings, actor.commission.id) or DirectorySettings(
        commission_id=actor.commission.id
    )
    before = settings.confirm_every_months
    settings.confirm_every_months = months
    db.add(settings)
    await db.flush()
    await audited(
        db, actor, actor.commission.id, "directory.settings", "directory_settings", actor.commission.id,
        now=now, before={"confirm_every_months": before}, after={"confirm_every_months": months},
    )  # fmt: skip
    return months


def due_period(today: date, months: int) -> str | None:
    """The period whose confirmation is due today, if any: January always, and every `months`
    months counted from January; only in the first two weeks of that month."""
    if today.day > JANUARY_DAYS:
        return None
    if today.month == 1 or (months > 0 and (today.month - 1) % months == 0):
        return f"{today.year}-{today.month:02d}"
    return None


async def askees(db: AsyncSession, seat_id: int) -> list[int]:
    """The titular(s) and liaison(s) of a seat: who answers for the institution."""
    rows = await db.exec(
        select(Membership.person_id)
        .where(Membership.seat_id == seat_id, col(Membership.role).in_(ASKED_ROLES))
        .order_by(col(Membership.id))
    )
    return list(dict.fromkeys(rows.all()))


async def secretariat(db: AsyncSession, commission_id: int, *, with_president: bool = False) -> list[int]:
    roles = [Role.SECRETARY, Role.PRESIDENT] if with_president else [Role.SECRETARY]
    rows = await db.exec(
        select(Membership.person_id)
        .where(Membership.commission_id == commission_id, col(Membership.role).in_(roles))
        .order_by(col(Membership.id))
    )
    return list(dict.fromkeys(rows.all()))


async def open_checks(db: AsyncSession, commission: Commission, period: str, now: datetime) -> list[Notice]:
    """Ask every institution with someone to ask (once per seat and period)."""
    assert commission.id is not None
    due_on = BusinessCalendar().add_business_days(lima_date(now), WINDOW_DAYS)
    seats = (await db.exec(select(Seat.id).where(Seat.commission_id == commission.id))).all()
    names = await seat_names(db, [s for s in seats if s is not None])
    notices: list[Notice] = []
    asked = 0
    for seat_id in seats:
        assert seat_id is not None
        people = await askees(db, seat_id)
        exists = (
            await db.exec(
                select(ContactCheck.id).where(ContactCheck.seat_id == seat_id, ContactCheck.period == period)
            )
        ).first()
        if not people or exists is not None:
            continue
        check = ContactCheck(
            commission_id=commission.id, seat_id=seat_id, period=period, asked_at=now, due_on=due_on
        )
        db.add(check)
        await db.flush()
        assert check.id is not None
        asked += 1
        text = msg(
            "📇 {commission} actualiza su directorio. ¿Siguen siendo estas las personas de {institution}?\n"
            "{people}\nConfirme, o indique quién es la persona nueva, hasta el {date}.",
            commission=commission.name,
            institution=names.get(seat_id, ""),
            people=await _people_text(db, seat_id),
            date=due_on,
        )
        notices += [Notice(p, text, commission.id, buttons=ContactConfirm(check.id)) for p in people]
    if asked:
        summary = nmsg(
            "Se pidió a {n} institución confirmar su entrada del directorio, hasta el {date}. "
            "/miembros muestra quién confirmó.",
            "Se pidió a {n} instituciones confirmar su entrada del directorio, hasta el {date}. "
            "/miembros muestra quién confirmó.",
            asked,
            date=due_on,
        )
        notices += [Notice(p, summary, commission.id) for p in await secretariat(db, commission.id)]
        after = {"period": period, "institutions": asked, "due_on": due_on.isoformat()}
        await audited(
            db, None, commission.id, "directory.requested", "commission", commission.id, now=now,
            after=after, actor_label="system",
        )  # fmt: skip
    return notices


async def _people_text(db: AsyncSession, seat_id: int) -> Text:
    """One line per person, their role in the reader's language (lines joined without a msgid)."""
    rows = await db.exec(
        select(Membership.role, Person.name)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(Membership.seat_id == seat_id, col(Membership.role).in_(ASKED_ROLES))
        .order_by(col(Membership.id))
    )
    lines = [msg("• {name} ({role})", name=name, role=ROLE_LABELS[Role(role)]) for role, name in rows.all()]
    params = {f"l{n}": line for n, line in enumerate(lines)}
    return Text("\n".join("{" + key + "}" for key in params), params=MappingProxyType(params))


async def start_checks(
    db: AsyncSession, person: Person | None, commission_id: int | None, *, now: datetime
) -> list[Notice]:
    """The secretary asks now, outside the calendar (period: this month)."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_MEMBERS)
    today = lima_date(now)
    notices = await open_checks(db, actor.commission, f"{today.year}-{today.month:02d}", now)
    if not notices:
        raise UserError(
            msg("Este mes ya se pidió la confirmación a todas las instituciones con personas registradas.")
        )
    return notices


@dataclass(frozen=True)
class CheckAccess:
    check: ContactCheck
    institution: str
    commission: Commission
    role: Role  # the answerer's role for that seat


async def access_check(db: AsyncSession, person: Person | None, check_id: int) -> CheckAccess:
    """The titular or liaison of the request's institution, while they hold that seat; anyone
    else (an ended member's old button included) is told the request does not exist."""
    check = await db.get(ContactCheck, check_id)
    unknown = msg("Esa solicitud de confirmación no existe o ya no le corresponde.")
    if check is None or person is None or person.id is None:
        raise NotFound(unknown)
    role = (
        await db.exec(
            select(Membership.role).where(
                Membership.person_id == person.id,
                Membership.seat_id == check.seat_id,
                col(Membership.role).in_(ASKED_ROLES),
            )
        )
    ).first()
    commission = await db.get(Commission, check.commission_id)
    if role is None or commission is None:
        raise NotFound(unknown)
    names = await seat_names(db, [check.seat_id])
    return CheckAccess(check, names.get(check.seat_id, ""), commission, Role(role))


@dataclass(frozen=True)
class Answered:
    institution: str
    notices: list[Notice] = field(default_factory=list)


async def confirm_entry(db: AsyncSession, person: Person | None, check_id: int, *, now: datetime) -> Answered:
    found = await access_check(db, person, check_id)
    assert person is not None
    text = msg(
        "{name} confirmó el directorio de {institution}.", name=person.name, institution=found.institution
    )
    return await _answer(db, found, person, ContactCheckStatus.CONFIRMED, text, now=now)


async def record_change(
    db: AsyncSession, person: Person | None, check_id: int, role: Role, name: str, *, now: datetime
) -> Answered:
    """The institution names a new titular or liaison; the secretariat is told (the invitation
    itself is issued by the caller: `changes.py` for a successor, or a plain one)."""
    found = await access_check(db, person, check_id)
    assert person is not None
    text = msg(
        "{name} informó que en {institution} hay una persona nueva: {new_name} ({role}).",
        name=person.name,
        institution=found.institution,
        new_name=name,
        role=ROLE_LABELS[role],
    )
    return await _answer(
        db, found, person, ContactCheckStatus.CHANGED, text, now=now, note=f"{role.value}: {name}"
    )


async def _answer(
    db: AsyncSession,
    found: CheckAccess,
    person: Person,
    status: ContactCheckStatus,
    text: Text,
    *,
    now: datetime,
    note: str | None = None,
) -> Answered:
    check = found.check
    if check.status is not ContactCheckStatus.PENDING and status is ContactCheckStatus.CONFIRMED:
        return Answered(found.institution)  # a second tap changes nothing
    check.status, check.answered_at, check.answered_by_id, check.note = status, now, person.id, note
    db.add(check)
    await db.flush()
    await audited(
        db, person, check.commission_id, "directory.answered", "contact_check", check.id, now=now,
        before={"status": ContactCheckStatus.PENDING}, after={"status": status, "note": note},
    )  # fmt: skip
    told = [Notice(p, text, check.commission_id) for p in await secretariat(db, check.commission_id)]
    return Answered(found.institution, told)


# --- the tick ------------------------------------------------------------------------------------


async def due_openings(db: AsyncSession, now: datetime) -> list[Notice]:
    today = lima_date(now)
    notices: list[Notice] = []
    regional = (await db.exec(select(Commission).where(Commission.kind == CommissionKind.REGIONAL))).all()
    for commission in regional:
        assert commission.id is not None
        period = due_period(today, await confirm_every(db, commission.id))
        if period is not None:
            notices += await open_checks(db, commission, period, now)
    return notices


async def due_chasing(db: AsyncSession, now: datetime) -> list[Notice]:
    """Reminders half-way and on the last day; escalation once the window has passed."""
    today = lima_date(now)
    pending = (
        await db.exec(select(ContactCheck).where(ContactCheck.status == ContactCheckStatus.PENDING))
    ).all()
    names = await seat_names(db, list({c.seat_id for c in pending}))
    cal = BusinessCalendar()
    notices: list[Notice] = []
    by_commission: dict[int, list[ContactCheck]] = defaultdict(list)
    for check in pending:
        done = set(filter(None, check.reminded.split(",")))
        half = cal.add_business_days(lima_date(check.asked_at), max(1, WINDOW_DAYS // 2))
        step = (
            "escalation" if today > check.due_on
            else "last_day" if today == check.due_on
            else "half" if today >= half
            else None
        )  # fmt: skip
        if step is None or step in done:
            continue
        check.reminded = ",".join(sorted(done | {step}))
        db.add(check)
        institution = names.get(check.seat_id, "")
        if step == "escalation":
            by_commission[check.commission_id].append(check)
            continue
        text = msg(
            "Recordatorio: confirme hasta el {date} el directorio de {institution}, o indique quién es "
            "la persona nueva (botones del mensaje anterior).",
            date=check.due_on,
            institution=institution,
        )
        notices += [
            Notice(p, text, check.commission_id, buttons=ContactConfirm(check.id or 0))
            for p in await askees(db, check.seat_id)
        ]
    for commission_id, checks in by_commission.items():
        text = msg(
            "Sin confirmar su entrada del directorio (venció el plazo): {institutions}. "
            "Pida a cada institución sus datos actualizados.",
            institutions=", ".join(names.get(c.seat_id, "") for c in checks),
        )
        notices += [
            Notice(p, text, commission_id) for p in await secretariat(db, commission_id, with_president=True)
        ]
    await db.flush()
    return notices


async def contacts_tick(db: AsyncSession, now: datetime) -> list[Notice]:
    return await due_openings(db, now) + await due_chasing(db, now)


async def unconfirmed_by_commission(db: AsyncSession, now: datetime) -> dict[int, int]:
    """How many institutions of each commission let their last request pass unanswered."""
    today = lima_date(now)
    rows = await db.exec(
        select(ContactCheck.commission_id, ContactCheck.seat_id).where(
            ContactCheck.status == ContactCheckStatus.PENDING, col(ContactCheck.due_on) < today
        )
    )
    out: dict[int, set[int]] = defaultdict(set)
    for commission_id, seat_id in rows.all():
        out[commission_id].add(seat_id)
    return {c: len(s) for c, s in out.items()}
