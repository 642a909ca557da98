"""The session cycle's rules against a real database: notice across holidays, quorum, votes, absences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.scheduler import Leadership, Ticker
from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from bot.workflows.sessions.acta import attendance_csv, build_acta
from bot.workflows.sessions.changes import cancel_session, postpone_session
from bot.workflows.sessions.convocation import (
    Convened,
    answer_convocation,
    convene,
    is_invited,
    keep_answer,
)
from bot.workflows.sessions.forecast import forecast
from bot.workflows.sessions.meeting import cast_vote, close_session, close_vote, tally
from bot.workflows.sessions.reminders import Reminded, sessions_tick
from bot.workflows.sessions.rollcall import close_roll_call, mark_attendance, own_seat
from bot.workflows.sessions.rules import CommissionRules
from bot.workflows.sessions.schedule import MAX_ITEMS, NewItem, agenda, schedule_session
from bot.workflows.sessions.settings import add_non_working_day, link_group, plan_session, set_rules
from bot.workflows.sessions.votes import Vote
from db.models import (
    AgendaItem,
    Answer,
    AuditEntry,
    Commission,
    MeetingSession,
    OutboxMessage,
    Person,
    Role,
    SessionInvitee,
    SessionKind,
    SessionStatus,
)

WED = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 10:00 in Lima


def lima(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h + 5, 0, tzinfo=UTC)


@dataclass
class Cra:
    commission_id: int
    secretary: Person
    president: Person
    members: list[Person]  # one per voting seat
    observer: Person
    seats: dict[str, int]  # institution → seat id


async def join(
    db: AsyncSession, commission: Commission, role: Role, org: str | None, name: str, tg: int, lang: str
) -> Person:
    issued = await issue_invitation(db, commission, role, now=WED, institution=org, invitee_name=name)
    done = await redeem_invitation(
        db, issued.token, telegram_id=tg, telegram_name=name, language=lang, now=WED
    )
    return done.person


async def make_cra(db: AsyncSession, voting_members: int = 4) -> Cra:
    commission, _ = await create_commission(db, "CUS", now=WED)
    assert commission.id is not None
    secretary = await join(db, commission, Role.SECRETARY, None, "Rosa Mamani", 1, "es")
    president = await join(
        db, commission, Role.PRESIDENT, "Gobierno Regional del Cusco", "Presidente", 2, "qu"
    )
    orgs = [
        "Corte Superior de Justicia del Cusco",
        "Contraloría - Gerencia Regional de Control Cusco",
        "Municipalidad Provincial del Cusco",
        "Junta de Fiscales Superiores del Cusco",
        "Procuraduría Anticorrupción Descentralizada del Cusco",
    ][: voting_members - 1]
    members = [president]
    for n, org in enumerate(orgs):
        members.append(
            await join(db, commission, Role.MEMBER, org, f"Miembro {n}", 10 + n, ["es", "qu", "ay"][n % 3])
        )
    observer = await join(
        db, commission, Role.MEMBER, "Defensoría del Pueblo - Oficina Cusco", "Defensora", 30, "ay"
    )
    seats = {}
    for p in [*members, observer]:
        seat = await own_seat(db, p, commission.id)
        assert seat is not None
        seats[p.name] = seat
    return Cra(commission.id, secretary, president, members, observer, seats)


async def scheduled(
    db: AsyncSession, cra: Cra, when: datetime | None = None, items: list[NewItem] | None = None, **kw: object
) -> MeetingSession:
    return await schedule_session(
        db,
        cra.secretary,
        cra.commission_id,
        kind=SessionKind.ORDINARY,
        starts_at=when or lima(2026, 12, 11),
        place="Sala de sesiones del GORE",
        link=None,
        items=items
        or [
            NewItem("Plan anual 2027", True, cra.seats["Miembro 0"]),
            NewItem("Informe de la Contraloría"),
        ],
        now=WED,
        **kw,  # type: ignore[arg-type]
    )


# --- business days -------------------------------------------------------------------------------


async def test_notice_rule_skips_the_december_holidays_and_weekends(db: AsyncSession) -> None:
    cra = await make_cra(db)
    with pytest.raises(UserError) as refused:
        await scheduled(db, cra, lima(2026, 12, 10))  # Thursday: only 4 business days after the 2nd
    assert refused.value.text.params["earliest"] == date(2026, 12, 11)
    assert (await db.exec(select(MeetingSession))).all() == []
    session = await scheduled(db, cra, lima(2026, 12, 11))  # Friday 11: the earliest valid date
    assert session.status is SessionStatus.PLANNED


async def test_a_regional_non_working_day_pushes_the_earliest_date(db: AsyncSession) -> None:
    cra = await make_cra(db)
    await add_non_working_day(
        db, cra.secretary, cra.commission_id, date(2026, 12, 4), "Día no laborable", now=WED
    )
    with pytest.raises(UserError) as refused:
        await scheduled(db, cra, lima(2026, 12, 11))
    assert refused.value.text.params["earliest"] == date(2026, 12, 14)


async def test_extraordinary_session_overrides_notice_only_with_a_reason(db: AsyncSession) -> None:
    cra = await make_cra(db)
    kw = {
        "kind": SessionKind.EXTRAORDINARY,
        "starts_at": lima(2026, 12, 4),
        "place": "Sala",
        "link": None,
        "items": [NewItem("Denuncia urgente", True, cra.seats["Miembro 0"])],
        "now": WED,
    }
    with pytest.raises(UserError) as refused:
        await schedule_session(db, cra.secretary, cra.commission_id, **kw)  # type: ignore[arg-type]
    assert "extraordinaria" in refused.value.text.msgid
    session = await schedule_session(
        db,
        cra.secretary,
        cra.commission_id,
        override_reason="Caso de corrupción en obra pública",
        **kw,  # type: ignore[arg-type]
    )
    assert session.notice_override_reason == "Caso de corrupción en obra pública"
    audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "sessions.scheduled"))).one()
    assert audit.after and audit.after["notice_override_reason"] == "Caso de corrupción en obra pública"


async def test_an_agenda_longer_than_the_limit_is_refused(db: AsyncSession) -> None:
    cra = await make_cra(db)
    too_many = [NewItem(f"Punto número {n}") for n in range(1, MAX_ITEMS + 2)]
    with pytest.raises(UserError) as refused:
        await scheduled(db, cra, items=too_many)
    assert refused.value.text.n == MAX_ITEMS
    assert refused.value.text.params["button"].msgid == "✅ Programar"  # type: ignore[attr-defined]
    assert (await db.exec(select(MeetingSession))).all() == []
    session = await scheduled(db, cra, items=too_many[:MAX_ITEMS])
    assert session.id is not None and len(await agenda(db, session.id)) == MAX_ITEMS


async def test_bad_input_and_strangers_change_nothing(db: AsyncSession) -> None:
    cra = await make_cra(db)
    with pytest.raises(UserError):
        await scheduled(db, cra, WED - timedelta(days=1))  # past
    with pytest.raises(AccessDenied):
        await schedule_session(
            db,
            cra.members[1],
            cra.commission_id,
            kind=SessionKind.ORDINARY,
            starts_at=lima(2026, 12, 11),
            place="x",
            link=None,
            items=[NewItem("Punto")],
            now=WED,
        )
    assert (await db.exec(select(MeetingSession))).all() == []


async def test_custom_rules_change_the_notice(db: AsyncSession) -> None:
    cra = await make_cra(db)
    await set_rules(db, cra.secretary, cra.commission_id, CommissionRules(notice_business_days=3), now=WED)
    session = await scheduled(db, cra, lima(2026, 12, 7))  # 3 business days: 3, 4, 7
    assert session.id is not None


# --- convocation, forecast, reminders ------------------------------------------------------------


async def convene_and_queue(
    db: AsyncSession, catalogs: Catalogs, person: Person, session_id: int, *, now: datetime
) -> Convened:
    """Convene, and queue what it says as the transaction middleware does."""
    done = await convene(db, person, session_id, now=now)
    await enqueue_notices(db, catalogs, done.notices, now=now)
    return done


async def tick(db: AsyncSession, catalogs: Catalogs, now: datetime) -> Reminded:
    """The sessions tick, its notices queued as the scheduler does."""
    done = await sessions_tick(db, now)
    await enqueue_notices(db, catalogs, done.notices, now=now)
    return done


async def test_only_the_convened_are_invited(db: AsyncSession, catalogs: Catalogs) -> None:
    cra = await make_cra(db)
    session = await scheduled(db, cra)
    assert session.id is not None
    assert not await is_invited(db, session.id, cra.president.id)  # planned: nobody yet
    await convene(db, cra.secretary, session.id, now=WED)
    assert await is_invited(db, session.id, cra.president.id)
    assert await is_invited(db, session.id, cra.observer.id)
    assert not await is_invited(db, session.id, cra.secretary.id)  # runs the session, is not convened


async def test_convocation_reaches_everyone_with_ics_and_forecast_tracks_answers(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    session = await scheduled(db, cra)
    assert session.id is not None
    done = await convene_and_queue(db, catalogs, cra.secretary, session.id, now=WED)
    assert done.sent == 5  # president, 3 members, the voice-only Defensoría
    docs = (await db.exec(select(OutboxMessage).where(OutboxMessage.method == "sendDocument"))).all()
    assert len(docs) == 5 and all(b"BEGIN:VCALENDAR" in (d.attachment or b"") for d in docs)
    texts = {
        m.chat_id: m.payload["text"]
        for m in (await db.exec(select(OutboxMessage).where(OutboxMessage.method == "sendMessage"))).all()
    }
    assert "Convocatoria" in texts[10]  # Spanish reader
    assert texts[11] != texts[10] and "Convocatoria" not in texts[11]  # the Quechua reader's own
    fc = await forecast(db, session)
    assert (fc.quorum.voting_seats, fc.quorum.quorum, fc.quorum.unanswered) == (4, 3, 4)

    await answer_convocation(db, cra.members[1], session.id, Answer.ATTENDING, now=WED)
    await answer_convocation(
        db, cra.members[2], session.id, Answer.ALTERNATE, now=WED, alternate_name="Luis Quispe"
    )
    with pytest.raises(UserError):  # not attending needs a justification
        await answer_convocation(db, cra.members[3], session.id, Answer.ABSENT, now=WED)
    answered = await answer_convocation(
        db, cra.members[3], session.id, Answer.ABSENT, now=WED, justification="Audiencia programada"
    )
    assert answered.notices == []  # 1 of 4 justified: still possible
    fc = await forecast(db, session)
    assert (fc.quorum.habil, fc.quorum.quorum, fc.quorum.confirmed, fc.quorum.unanswered) == (3, 2, 2, 1)
    assert not fc.quorum.at_risk

    # Reminders: 3 days before, only the silent (president, observer), once even if ticked twice.
    three_days = session.starts_at - timedelta(days=3)
    first = await tick(db, catalogs, three_days)
    again = await tick(db, catalogs, three_days + timedelta(minutes=1))
    assert (first.rsvp, again.rsvp) == (2, 0)
    two_hours = await tick(db, catalogs, session.starts_at - timedelta(hours=2))
    assert two_hours.rsvp == 2


class AlwaysLeading(Leadership):
    """This process leads (no advisory lock: other test runs share the database)."""

    async def refresh(self) -> bool:
        return True


async def test_the_scheduler_queues_a_ticks_notices_in_the_ticks_own_transaction(
    db: AsyncSession,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
) -> None:
    cra = await make_cra(db)
    session = await scheduled(db, cra)
    assert session.id is not None
    await convene_and_queue(db, catalogs, cra.secretary, session.id, now=WED)
    await db.commit()
    three_days = session.starts_at - timedelta(days=3)
    ticker = Ticker(sessionmaker, AlwaysLeading(engine), catalogs, clock=lambda: three_days)
    ticker.jobs, ticker.staged = {"sessions": ticker.jobs["sessions"]}, {}
    assert await ticker.tick() == 1
    assert await ticker.tick() == 1  # ran again, said nothing again
    async with sessionmaker() as other:  # committed, in each reader's language, with the RSVP buttons
        rows = (await other.exec(select(OutboxMessage).where(OutboxMessage.created_at == three_days))).all()
    reminders = [r for r in rows if "reply_markup" in r.payload]  # (the rest: documents due)
    assert len(reminders) == 5  # nobody answered yet: all five convened, once
    buttons = [r.payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] for r in reminders]
    assert buttons == [f"rsvp1:{session.id}:attending"] * 5
    texts = {r.chat_id: r.payload["text"] for r in reminders}
    assert "Recordatorio" in texts[10] and "Recordatorio" not in texts[11]  # Spanish, then Quechua


async def test_justified_absences_making_quorum_impossible_alert_at_once(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    session = await scheduled(db, cra)
    assert session.id is not None
    await convene_and_queue(db, catalogs, cra.secretary, session.id, now=WED)
    await answer_convocation(
        db, cra.members[1], session.id, Answer.ABSENT, now=WED, justification="Viaje oficial"
    )
    second = await answer_convocation(
        db, cra.members[2], session.id, Answer.ABSENT, now=WED, justification="Salud, con certificado"
    )
    assert second.notices == []  # 2 of 4: half can still attend
    third = await answer_convocation(
        db, cra.members[3], session.id, Answer.ABSENT, now=WED, justification="Audiencia judicial"
    )
    assert {n.person_id for n in third.notices} == {cra.secretary.id, cra.president.id}
    assert "reprogramarla" in third.notices[0].text.msgid


async def test_postponement_keeps_answers_only_when_confirmed(db: AsyncSession, catalogs: Catalogs) -> None:
    cra = await make_cra(db)
    session = await scheduled(db, cra)
    assert session.id is not None
    await convene_and_queue(db, catalogs, cra.secretary, session.id, now=WED)
    await answer_convocation(db, cra.members[1], session.id, Answer.ATTENDING, now=WED)
    await postpone_session(db, cra.secretary, session.id, lima(2026, 12, 15), "Visita de la CAN", now=WED)
    invitee = (
        await db.exec(select(SessionInvitee).where(SessionInvitee.person_id == cra.members[1].id))
    ).one()
    assert invitee.answer is Answer.PENDING and session.status is SessionStatus.POSTPONED
    await keep_answer(db, cra.members[1], session.id, now=WED)
    assert invitee.answer is Answer.ATTENDING
    _, notices = await cancel_session(db, cra.secretary, session.id, "Paro regional", now=WED)
    assert len(notices) == 5 and session.status is SessionStatus.CANCELLED
    with pytest.raises(UserError):
        await answer_convocation(db, cra.members[2], session.id, Answer.ATTENDING, now=WED)


# --- roll call, votes, agreements, acta, absences -------------------------------------------------


async def held_session(db: AsyncSession, cra: Cra, catalogs: Catalogs, start: datetime) -> MeetingSession:
    session = await scheduled(db, cra, start)
    assert session.id is not None
    await convene_and_queue(db, catalogs, cra.secretary, session.id, now=WED)
    return session


async def test_roll_call_second_call_then_failure_names_the_missing(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    session = await held_session(db, cra, catalogs, lima(2026, 12, 11))
    assert session.id is not None
    start = session.starts_at
    await mark_attendance(db, cra.secretary, session.id, cra.seats["Presidente"], True, now=start)
    first = await close_roll_call(db, cra.secretary, session.id, now=start)
    assert not first.result.installed and first.second_call_at == start + timedelta(minutes=15)
    with pytest.raises(UserError):
        await close_roll_call(db, cra.secretary, session.id, now=start + timedelta(minutes=5))
    failed = await close_roll_call(db, cra.secretary, session.id, now=start + timedelta(minutes=15))
    assert session.status is SessionStatus.FAILED_QUORUM
    assert "Corte Superior de Justicia del Cusco" in failed.missing and len(failed.missing) == 3
    assert {n.person_id for n in failed.notices} >= {cra.president.id, cra.observer.id}


async def test_votes_with_casting_vote_create_agreements_and_acta(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    session = await held_session(db, cra, catalogs, lima(2026, 12, 11))
    assert session.id is not None
    start = session.starts_at
    for person in cra.members:
        await mark_attendance(db, cra.secretary, session.id, cra.seats[person.name], True, now=start)
    outcome = await close_roll_call(db, cra.secretary, session.id, now=start)
    assert outcome.result.installed and session.status is SessionStatus.INSTALLED
    item = (await agenda(db, session.id))[0]
    assert item.id is not None and item.needs_decision
    # The voice-only Defensoría cannot vote.
    with pytest.raises(AccessDenied):
        await cast_vote(db, cra.observer, item.id, Vote.FOR, now=start)
    # 2-2 tie, the president voted for: the casting vote adopts it.
    await cast_vote(db, cra.president, item.id, Vote.FOR, now=start)
    await cast_vote(db, cra.members[1], item.id, Vote.FOR, now=start)
    await cast_vote(db, cra.members[2], item.id, Vote.AGAINST, now=start)
    await cast_vote(db, cra.secretary, item.id, Vote.AGAINST, now=start, seat_id=cra.seats["Miembro 2"])
    result = await tally(db, session, item)
    assert (result.votes_for, result.votes_against, result.adopted, result.casting_vote_used) == (
        2,
        2,
        True,
        True,
    )
    with pytest.raises(UserError):  # an agreement needs a deadline
        await close_vote(db, cra.secretary, item.id, now=start)
    closed = await close_vote(db, cra.secretary, item.id, now=start, deadline=date(2027, 3, 31))
    assert closed.agreement is not None and closed.agreement.origin_session_id == session.id
    with pytest.raises(UserError):  # after the vote closed
        await cast_vote(db, cra.members[1], item.id, Vote.AGAINST, now=start)
    informative = (await agenda(db, session.id))[1]
    assert informative.id is not None
    with pytest.raises(UserError):
        await cast_vote(db, cra.members[1], informative.id, Vote.FOR, now=start)
    await close_session(db, cra.secretary, session.id, now=start + timedelta(hours=2))
    acta = await build_acta(db, cra.secretary, session.id, now=start + timedelta(hours=2))
    assert acta.file_name.endswith(".docx") and acta.content[:2] == b"PK"
    csv_file = await attendance_csv(db, cra.secretary, session.id)
    assert b"presente" in csv_file.content and b"Defensor" not in csv_file.content

    # The next session puts the acta up for approval first.
    nxt = await scheduled(db, cra, lima(2027, 1, 15))
    first_item = (
        await db.exec(
            select(AgendaItem).where(AgendaItem.session_id == nxt.id).order_by(col(AgendaItem.position))
        )
    ).first()
    assert first_item is not None and first_item.approves_acta_of_id == session.id


async def test_absence_escalation_after_two_unjustified_absences_in_a_row(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    notices = []
    for start in (lima(2026, 12, 11), lima(2026, 12, 18)):
        session = await held_session(db, cra, catalogs, start)
        assert session.id is not None
        for person in cra.members[:3]:  # Miembro 2's seat never comes, never justifies
            await mark_attendance(db, cra.secretary, session.id, cra.seats[person.name], True, now=start)
        outcome = await close_roll_call(db, cra.secretary, session.id, now=start)
        assert outcome.result.installed
        notices.append(outcome.notices)
        for item in await agenda(db, session.id):
            if item.needs_decision and item.id:
                await cast_vote(db, cra.president, item.id, Vote.AGAINST, now=start)
                await close_vote(db, cra.secretary, item.id, now=start)
        await close_session(db, cra.secretary, session.id, now=start + timedelta(hours=1))
    assert notices[0] == []
    assert {n.person_id for n in notices[1]} == {cra.secretary.id, cra.president.id}
    assert notices[1][0].text.n == 2 and "Municipalidad" in str(notices[1][0].text.params["institution"])


async def test_tick_documents_due_quorum_risk_and_quarter_warning_once_each(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    session = await scheduled(db, cra, lima(2026, 12, 18))
    assert session.id is not None
    await link_group(db, cra.secretary, cra.commission_id, -100123, now=WED)
    done = await convene_and_queue(db, catalogs, cra.secretary, session.id, now=WED)
    assert done.posted_to_group
    group = (await db.exec(select(OutboxMessage).where(OutboxMessage.chat_id == -100123))).one()
    assert "Plan anual 2027" in group.payload["text"] and "Rosa" not in group.payload["text"]

    # 96 h before: documents of item 1 (owner: the Corte, Miembro 0) are due in 24 h.
    early = session.starts_at - timedelta(hours=96)
    first = await tick(db, catalogs, early)
    assert (first.documents, first.alerts) == (1, 0)
    # 48 h before, nobody answered: quorum at risk → secretary and president, once.
    late = session.starts_at - timedelta(hours=47)
    second = await tick(db, catalogs, late)
    third = await tick(db, catalogs, late + timedelta(minutes=5))
    assert (second.documents, second.alerts, third.alerts) == (0, 2, 0)
    # Mid-December, no ordinary session held this quarter: one warning each to secretary and president.
    assert second.quarter_warnings == 2 and third.quarter_warnings == 0
    rows = (await db.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 1))).all()
    assert any("trimestre" in r.payload.get("text", "") for r in rows)


async def test_only_the_secretary_links_the_group(db: AsyncSession) -> None:
    cra = await make_cra(db)
    with pytest.raises(AccessDenied):
        await link_group(db, cra.members[1], cra.commission_id, -100123, now=WED)
    await link_group(db, cra.secretary, cra.commission_id, -100123, now=WED)
    audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "sessions.group_linked"))).one()
    assert audit.after == {"group_chat_id": -100123}


async def test_annual_calendar_takes_business_days_only(db: AsyncSession) -> None:
    cra = await make_cra(db)
    with pytest.raises(UserError) as refused:
        await plan_session(db, cra.secretary, cra.commission_id, date(2027, 3, 25), now=WED)  # Jueves Santo
    assert refused.value.text.params["next"] == date(2027, 3, 29)
    with pytest.raises(AccessDenied):
        await plan_session(db, cra.president, cra.commission_id, date(2027, 3, 29), now=WED)
    planned = await plan_session(db, cra.secretary, cra.commission_id, date(2027, 3, 29), now=WED)
    assert planned.planned_on == date(2027, 3, 29)
