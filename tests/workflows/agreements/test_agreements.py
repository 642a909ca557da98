"""The agreements register: creation, lifecycle, deadlines, permissions (real database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.agreements.change import (
    cancel_agreement,
    close_agreement,
    edit_agreement,
    reopen_agreement,
    reschedule_agreement,
)
from bot.workflows.agreements.create import Shown, create_agreement, shown_status
from bot.workflows.agreements.csv_io import ImportRefused, export_csv, import_csv
from bot.workflows.agreements.progress import Evidence, record_progress
from bot.workflows.agreements.read import (
    Filter,
    agreement_detail,
    find_draft,
    list_agreements,
    reportable_agreements,
    save_draft,
)
from bot.workflows.agreements.reminders import (
    ReminderRules,
    agreements_tick,
    due_escalations,
    due_reminders,
    flagged_for_can,
    parse_rules,
    set_rules,
)
from bot.workflows.business_days import LIMA
from bot.workflows.errors import AccessDenied, UserError
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementReminder,
    AgreementSeat,
    AgreementStatus,
    AuditEntry,
    EvidenceKind,
    OutboxMessage,
    Person,
)
from tests.conftest import NOW
from tests.workflows.world import GORE, World, make_world


async def test_create_agreement_numbers_per_commission_and_year_and_tells_liaisons(db: AsyncSession) -> None:
    w = await make_world(db)
    created = await create_agreement(
        db,
        w.secretary,
        w.cus.id or 0,
        text="  Publicar   el portal de transparencia  ",
        seat_ids=[w.gore.id or 0, w.corte.id or 0],
        deadline=date(2026, 12, 31),
        now=NOW,
        origin_session_id=42,
        origin_label="Sesión ordinaria 4",
    )
    a = created.agreement
    assert (a.code, a.text, a.original_deadline, a.deadline) == (
        "CUS-2026-001",
        "Publicar el portal de transparencia",
        date(2026, 12, 31),
        date(2026, 12, 31),
    )
    assert a.origin_session_id == 42
    assert sorted(n.person_id for n in created.notices) == sorted(
        [w.gore_liaison.id or 0, w.corte_liaison.id or 0]
    )
    second = await create_agreement(
        db,
        w.secretary,
        w.cus.id or 0,
        text="Otro",
        seat_ids=[w.gore.id or 0],
        deadline=date(2027, 1, 5),
        now=NOW,
    )
    assert second.agreement.code == "CUS-2026-002"
    seats = (await db.exec(select(AgreementSeat).where(AgreementSeat.agreement_id == a.id))).all()
    assert len(seats) == 2
    events = (await db.exec(select(AgreementEvent))).all()
    assert len(events) == 2
    audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "agreement.created"))).all()
    assert len(audit) == 2


async def test_create_agreement_refuses_bad_input_and_strangers(db: AsyncSession) -> None:
    w = await make_world(db)
    cid = w.cus.id or 0
    ok = {"text": "Texto válido", "seat_ids": [w.gore.id or 0], "deadline": date(2026, 12, 1), "now": NOW}
    with pytest.raises(UserError):
        await create_agreement(db, w.secretary, cid, **(ok | {"text": "no"}))  # type: ignore[arg-type]
    with pytest.raises(UserError):
        await create_agreement(db, w.secretary, cid, **(ok | {"seat_ids": []}))  # type: ignore[arg-type]
    with pytest.raises(UserError):
        await create_agreement(db, w.secretary, cid, **(ok | {"seat_ids": [w.pun_seat.id]}))  # type: ignore[arg-type]
    with pytest.raises(UserError):
        await create_agreement(db, w.secretary, cid, **(ok | {"deadline": date(2026, 11, 22)}))  # type: ignore[arg-type]
    with pytest.raises(AccessDenied):
        await create_agreement(db, w.gore_liaison, cid, **ok)  # type: ignore[arg-type]
    with pytest.raises(AccessDenied):
        await create_agreement(db, w.other_secretary, cid, **ok)  # type: ignore[arg-type]
    assert (await db.exec(select(Agreement))).all() == []


# --- lifecycle -------------------------------------------------------------------------------


async def _one(
    db: AsyncSession, w: World, deadline: date = date(2026, 12, 31), seats: list[int] | None = None
) -> int:
    created = await create_agreement(
        db,
        w.secretary,
        w.cus.id or 0,
        text="Implementar el canal de denuncias",
        seat_ids=seats or [w.gore.id or 0, w.corte.id or 0],
        deadline=deadline,
        now=NOW,
    )
    await db.commit()
    return created.agreement.id or 0


async def test_lifecycle_and_allowed_transitions(db: AsyncSession) -> None:
    w = await make_world(db)
    aid = await _one(db, w)
    changed = await record_progress(
        db, w.gore_liaison, aid, status=AgreementStatus.IN_PROGRESS, progress=40, note="Avanzamos", now=NOW
    )
    assert (changed.agreement.status, changed.agreement.progress) == (AgreementStatus.IN_PROGRESS, 40)
    assert [n.person_id for n in changed.notices] == [w.secretary.id]  # the secretary hears
    with pytest.raises(UserError):  # a liaison does not cancel through progress
        await record_progress(
            db, w.gore_liaison, aid, status=AgreementStatus.CANCELLED, progress=40, note=None, now=NOW
        )
    with pytest.raises(UserError):
        await record_progress(
            db, w.gore_liaison, aid, status=AgreementStatus.IN_PROGRESS, progress=140, note=None, now=NOW
        )
    closed = await close_agreement(db, w.secretary, aid, now=NOW, note="Canal operativo")
    assert (closed.agreement.status, closed.agreement.progress) == (AgreementStatus.DONE, 100)
    assert sorted(n.person_id for n in closed.notices) == sorted(
        [w.gore_liaison.id or 0, w.corte_liaison.id or 0]
    )
    with pytest.raises(UserError):  # done → done is no transition
        await close_agreement(db, w.secretary, aid, now=NOW)
    reopened = await reopen_agreement(db, w.secretary, aid, now=NOW)
    assert reopened.agreement.status == AgreementStatus.IN_PROGRESS
    with pytest.raises(UserError):  # the reason is required
        await cancel_agreement(db, w.secretary, aid, reason=" ", now=NOW)
    cancelled = await cancel_agreement(db, w.secretary, aid, reason="Duplicado del acuerdo 3", now=NOW)
    assert cancelled.agreement.cancel_reason == "Duplicado del acuerdo 3"
    for attempt in (
        close_agreement(db, w.secretary, aid, now=NOW),
        reopen_agreement(db, w.secretary, aid, now=NOW),
        edit_agreement(db, w.secretary, aid, text="Otro texto", now=NOW),
        reschedule_agreement(
            db, w.secretary, aid, new_deadline=date(2027, 2, 1), reason="x y z", agreed_by="Sesión", now=NOW
        ),
    ):
        with pytest.raises(UserError):
            await attempt
    detail = await agreement_detail(db, w.secretary, aid, now=NOW)
    assert [e.kind for e in detail.events] == [
        AgreementEventKind.CREATED,
        AgreementEventKind.PROGRESS,
        AgreementEventKind.CLOSED,
        AgreementEventKind.EDITED,
        AgreementEventKind.CANCELLED,
    ]
    assert detail.events[1].who == "Wayta Huamán" and detail.events[1].institution == GORE


async def test_overdue_is_derived_at_the_lima_day_boundary(db: AsyncSession) -> None:
    w = await make_world(db)
    aid = await _one(db, w, deadline=date(2026, 11, 30))
    agreement = await db.get(Agreement, aid)
    assert agreement is not None
    last_minute = datetime(2026, 12, 1, 4, 59, tzinfo=UTC)  # 23:59 on 30 Nov in Lima
    first_minute = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 00:00 on 1 Dec in Lima
    assert shown_status(agreement, last_minute) == Shown.PENDING
    assert shown_status(agreement, first_minute) == Shown.OVERDUE
    page = await list_agreements(db, w.observer, w.cus.id or 0, now=first_minute, wanted=Filter.OVERDUE)
    assert [r.code for r in page.rows] == ["CUS-2026-001"]
    assert agreement.status == AgreementStatus.PENDING  # never stored
    await close_agreement(db, w.secretary, aid, now=first_minute)
    assert shown_status(agreement, first_minute) == Shown.DONE


async def test_reschedule_keeps_the_original_deadline_and_records_who_agreed(db: AsyncSession) -> None:
    w = await make_world(db)
    aid = await _one(db, w, deadline=date(2026, 12, 15))
    with pytest.raises(UserError):
        await reschedule_agreement(
            db,
            w.secretary,
            aid,
            new_deadline=date(2026, 11, 1),
            reason="Falta presupuesto",
            agreed_by="Pleno",
            now=NOW,
        )
    changed = await reschedule_agreement(
        db,
        w.secretary,
        aid,
        new_deadline=date(2027, 3, 31),
        reason="Falta presupuesto",
        agreed_by="Sesión ordinaria del 5/12",
        now=NOW,
    )
    a = changed.agreement
    assert (a.original_deadline, a.deadline) == (date(2026, 12, 15), date(2027, 3, 31))
    assert sorted(n.person_id for n in changed.notices) == sorted(
        [w.gore_liaison.id or 0, w.corte_liaison.id or 0]
    )
    detail = await agreement_detail(db, w.observer, aid, now=NOW)
    event = detail.events[-1]
    assert (event.kind, event.old_deadline, event.new_deadline, event.note, event.agreed_by, event.who) == (
        AgreementEventKind.RESCHEDULED,
        date(2026, 12, 15),
        date(2027, 3, 31),
        "Falta presupuesto",
        "Sesión ordinaria del 5/12",
        "Rosa Quispe",
    )
    audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "agreement.rescheduled"))).one()
    assert audit.before is not None and audit.before["deadline"] == "2026-12-15"
    assert audit.after is not None and audit.after["deadline"] == "2027-03-31"


async def test_permissions_liaison_only_for_own_institution_observer_reads_only(db: AsyncSession) -> None:
    w = await make_world(db)
    gore_only = await _one(db, w, seats=[w.gore.id or 0])
    with pytest.raises(AccessDenied):
        await record_progress(
            db,
            w.corte_liaison,
            gore_only,
            status=AgreementStatus.IN_PROGRESS,
            progress=10,
            note=None,
            now=NOW,
        )
    with pytest.raises(AccessDenied):
        await save_draft(db, w.corte_liaison, gore_only, step="percent", now=NOW)
    for refused in (
        record_progress(
            db, w.observer, gore_only, status=AgreementStatus.IN_PROGRESS, progress=1, note=None, now=NOW
        ),
        edit_agreement(db, w.observer, gore_only, text="Cambiado", now=NOW),
        close_agreement(db, w.gore_member, gore_only, now=NOW),
        cancel_agreement(db, w.gore_liaison, gore_only, reason="No quiero", now=NOW),
        agreement_detail(db, w.other_secretary, gore_only, now=NOW),
    ):
        with pytest.raises(AccessDenied):
            await refused
    agreement = await db.get(Agreement, gore_only)
    assert agreement is not None and (agreement.status, agreement.progress) == (AgreementStatus.PENDING, 0)
    detail = await agreement_detail(db, w.observer, gore_only, now=NOW)  # but may read it
    assert not detail.may_manage and not detail.may_report
    mine = await list_agreements(db, w.corte_liaison, w.cus.id or 0, now=NOW, wanted=Filter.MINE)
    assert mine.total == 0
    assert (await reportable_agreements(db, w.corte_liaison, w.cus.id or 0, now=NOW)) == []
    assert [r.id for r in await reportable_agreements(db, w.gore_liaison, w.cus.id or 0, now=NOW)] == [
        gore_only
    ]


async def test_draft_survives_and_is_replaced_by_the_report(db: AsyncSession) -> None:
    w = await make_world(db)
    aid = await _one(db, w)
    await save_draft(db, w.corte_liaison, aid, step="percent", status=AgreementStatus.IN_PROGRESS, now=NOW)
    await db.commit()
    draft = await find_draft(db, w.corte_liaison, w.cus.id or 0)
    assert draft is not None and (draft.agreement_id, draft.step, draft.status) == (
        aid,
        "percent",
        AgreementStatus.IN_PROGRESS,
    )
    await record_progress(
        db,
        w.corte_liaison,
        aid,
        status=AgreementStatus.IN_PROGRESS,
        progress=25,
        note=None,
        now=NOW,
        evidence=Evidence(EvidenceKind.LINK, link="https://pj.gob.pe/informe.pdf"),
    )
    assert await find_draft(db, w.corte_liaison, w.cus.id or 0) is None
    event = (
        await db.exec(select(AgreementEvent).where(AgreementEvent.kind == AgreementEventKind.PROGRESS))
    ).one()
    assert (event.evidence_kind, event.evidence_link, event.seat_id) == (
        EvidenceKind.LINK,
        "https://pj.gob.pe/informe.pdf",
        w.corte.id,
    )


# --- reminders and the escalation ladder ----------------------------------------------------------


def lima(y: int, m: int, d: int, hour: int = 9) -> datetime:
    return datetime(y, m, d, hour, tzinfo=LIMA).astimezone(UTC)


async def test_reminders_before_the_deadline_once_each(db: AsyncSession) -> None:
    w = await make_world(db)
    await _one(db, w, deadline=date(2026, 12, 15))
    assert await due_reminders(db, lima(2026, 12, 7)) == []  # 8 days left
    week = await due_reminders(db, lima(2026, 12, 8))
    assert sorted(n.person_id for n in week) == sorted([w.gore_liaison.id or 0, w.corte_liaison.id or 0])
    assert week[0].text.n == 7
    assert await due_reminders(db, lima(2026, 12, 8, 15)) == []  # same day, later tick
    assert await due_reminders(db, lima(2026, 12, 10)) == []
    day = await due_reminders(db, lima(2026, 12, 14))
    assert len(day) == 2 and day[0].text.n == 1
    await db.commit()
    assert await due_reminders(db, lima(2026, 12, 14, 18)) == []  # after a "restart" too
    assert await due_reminders(db, lima(2026, 12, 16)) == []  # overdue: the ladder's job


async def test_escalation_ladder_timing(db: AsyncSession) -> None:
    w = await make_world(db)
    aid = await _one(db, w, deadline=date(2026, 12, 15), seats=[w.gore.id or 0])
    who = lambda notices: sorted(n.person_id for n in notices)  # noqa: E731
    assert await due_escalations(db, lima(2026, 12, 15, 23)) == []  # the deadline day is on time
    assert await due_escalations(db, lima(2026, 12, 16, 7)) == []  # overdue, but before 08:00
    assert who(await due_escalations(db, lima(2026, 12, 16))) == [w.gore_liaison.id]
    assert await due_escalations(db, lima(2026, 12, 17)) == []
    assert who(await due_escalations(db, lima(2026, 12, 22))) == []  # overdue since 16/12: 6 days
    assert who(await due_escalations(db, lima(2026, 12, 23))) == [w.secretary.id]  # 7 days
    await db.commit()
    assert await due_escalations(db, lima(2026, 12, 29)) == []
    assert who(await due_escalations(db, lima(2026, 12, 30))) == [w.gore_member.id]  # titular member, 14
    agreement = await db.get(Agreement, aid)
    assert agreement is not None and agreement.flagged_for_can_at is None
    assert await due_escalations(db, lima(2027, 1, 14)) == []
    flag = await due_escalations(db, lima(2027, 1, 15))  # 30 days since
    assert who(flag) == [w.secretary.id]
    assert agreement.flagged_for_can_at is not None
    assert [a.id for a in await flagged_for_can(db, w.cus.id)] == [aid]
    assert await due_escalations(db, lima(2027, 2, 1)) == []
    steps = (await db.exec(select(AgreementReminder.step).order_by(col(AgreementReminder.id)))).all()
    assert steps == ["overdue_liaison", "overdue_secretary", "overdue_member", "can_flag"]
    # A reschedule gives a new deadline and a fresh ladder.
    await reschedule_agreement(
        db,
        w.secretary,
        aid,
        new_deadline=date(2027, 2, 15),
        reason="Nuevo presupuesto",
        agreed_by="Pleno",
        now=lima(2027, 2, 1),
    )
    assert agreement.flagged_for_can_at is None
    assert who(await due_escalations(db, lima(2027, 2, 16))) == [w.gore_liaison.id]


async def test_ladder_delays_are_configurable_and_a_closed_agreement_stops_it(db: AsyncSession) -> None:
    w = await make_world(db)
    cid = w.cus.id or 0
    await set_rules(db, w.secretary, cid, parse_rules("3", "1,2,3,4"), now=NOW)
    with pytest.raises(UserError):
        parse_rules("7,1", "5,1,2,3")
    with pytest.raises(AccessDenied):
        await set_rules(db, w.gore_liaison, cid, ReminderRules(), now=NOW)
    aid = await _one(db, w, deadline=date(2026, 12, 10), seats=[w.gore.id or 0])
    assert len(await due_reminders(db, lima(2026, 12, 7))) == 1
    assert await due_escalations(db, lima(2026, 12, 11)) == []  # liaison step waits 1 day now
    assert len(await due_escalations(db, lima(2026, 12, 12))) == 1
    await close_agreement(db, w.secretary, aid, now=lima(2026, 12, 12))
    assert await due_escalations(db, lima(2026, 12, 20)) == []


async def test_ticks_queue_each_notice_in_the_recipients_language(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    w = await make_world(db)
    await _one(db, w, deadline=date(2026, 12, 15))
    for now, queued in ((lima(2026, 12, 8), 2), (lima(2026, 12, 8, 12), 0)):
        assert await enqueue_notices(db, catalogs, await agreements_tick(db, now), now=now) == queued
    rows = (await db.exec(select(OutboxMessage))).all()
    assert sorted(r.chat_id for r in rows) == [1002, 1003]


# --- CSV ---------------------------------------------------------------------------------------


async def test_csv_round_trip_gives_the_same_register(db: AsyncSession) -> None:
    w = await make_world(db)
    cid = w.cus.id or 0
    first = await _one(db, w, deadline=date(2026, 12, 15))
    second = await _one(db, w, deadline=date(2027, 1, 31), seats=[w.control.id or 0])
    await _one(db, w, deadline=date(2027, 2, 28), seats=[w.corte.id or 0])
    await record_progress(
        db, w.gore_liaison, first, status=AgreementStatus.IN_PROGRESS, progress=50, note=None, now=NOW
    )
    await reschedule_agreement(
        db,
        w.secretary,
        first,
        new_deadline=date(2027, 1, 15),
        reason="Presupuesto",
        agreed_by="Pleno",
        now=NOW,
    )
    await cancel_agreement(db, w.secretary, second, reason="Lo asumió la CAN, ver oficio 12", now=NOW)
    exported = await export_csv(db, w.secretary, cid, now=NOW)
    assert exported.file_name == "acuerdos-CUS-2026-11-23.csv" and exported.count == 3
    again = await import_csv(db, w.secretary, cid, exported.content, now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    # A fresh register (same commission and seats) rebuilt from the file is the same register.
    for table in (AgreementReminder, AgreementEvent, AgreementSeat, Agreement):
        await db.exec(delete(table))
    rebuilt = await import_csv(db, w.secretary, cid, exported.content, now=NOW)
    assert rebuilt.created == 3
    assert sorted(n.person_id for n in rebuilt.notices) == sorted(
        [w.gore_liaison.id or 0, w.corte_liaison.id or 0]
    )
    assert (await export_csv(db, w.secretary, cid, now=NOW)).content == exported.content
    a = (await db.exec(select(Agreement).where(Agreement.code == "CUS-2026-001"))).one()
    assert (a.original_deadline, a.deadline, a.progress) == (date(2026, 12, 15), date(2027, 1, 15), 50)
    # New rows without a code continue the numbering.
    more = (
        "texto,instituciones,plazo\n"
        "Capacitar a 200 servidores,Corte Superior de Justicia del Cusco,31/3/2027\n"
    )
    added = await import_csv(db, w.secretary, cid, more.encode(), now=NOW)
    assert added.created == 1
    assert (await db.exec(select(Agreement).where(Agreement.code == "CUS-2026-004"))).one().deadline == date(
        2027, 3, 31
    )


async def test_malformed_csv_is_rejected_with_every_bad_line_importing_nothing(db: AsyncSession) -> None:
    w = await make_world(db)
    cid = w.cus.id or 0
    bad = (
        "codigo,texto,instituciones,plazo,estado,avance\n"
        ",Primer acuerdo válido,Gobierno Regional del Cusco,2027-01-31,pendiente,0\n"
        ",Segundo acuerdo,Gobierno Regional del Cusco,31/02/2027,pendiente,0\n"
        ",Tercer acuerdo válido,Gobierno Regional del Cusco,2027-02-28,pendiente,0\n"
        ",Acuerdo,Municipalidad de Lima,2027-01-31,pendiente,0\n"
        ",Acuerdo,Gobierno Regional del Cusco,2027-01-31,cancelado,0\n"
    )
    with pytest.raises(ImportRefused) as refused:
        await import_csv(db, w.secretary, cid, bad.encode(), now=NOW)
    assert [e.line for e in refused.value.errors] == [3, 5, 6]
    assert "plazo" in refused.value.errors[0].reason.params["column"]  # type: ignore[operator]
    assert refused.value.text.params["line"] == 3
    with pytest.raises(AccessDenied):
        await import_csv(db, w.gore_liaison, cid, b"texto,instituciones,plazo\n", now=NOW)
    assert (await db.exec(select(Agreement))).all() == []


def test_the_bulk_import_writes_every_column_of_an_agreement() -> None:
    """csv_io builds new agreements as plain values (no ORM objects): none may be forgotten."""
    from bot.workflows.agreements.csv_io import AGREEMENT, _new_values
    from bot.workflows.agreements.csv_rows import CsvRow

    day = date(2027, 1, 1)
    row = CsvRow(2, None, None, None, "Texto", [1], day, day, AgreementStatus.PENDING, 0, None, None, None)
    person = Person(id=1, name="Rosa", telegram_id=1)
    values = _new_values(1, row, (2026, 1, "CUS-2026-001"), person, NOW)
    assert set(values) == {c.name for c in AGREEMENT.columns} - {"id"}
