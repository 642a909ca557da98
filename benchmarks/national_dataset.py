"""A realistic national data set for the reports benchmark, written with bulk inserts.

    .venv/bin/python benchmarks/national_dataset.py --scale 1 --out /tmp/national.db

At 1×: 26 regional commissions with 20 seats each (an institution, most with a liaison officer),
a secretary and a president each, 3 years (2024-2026) of sessions (six a year, mostly held, some
without quorum) with roll calls, 5,000 agreements and 50,000 progress updates. `--scale N`
multiplies sessions, agreements and updates by N (commissions and seats stay: there are 26 regions).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncConnection  # noqa: E402

from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import (  # noqa: E402
    Agreement,
    AgreementEvent,
    AgreementSeat,
    Commission,
    Institution,
    MeetingAttendance,
    MeetingSession,
    Membership,
    Person,
    PlannedSession,
    Region,
    Seat,
)

SEATS = 20
AGREEMENTS = 5_000
UPDATES = 50_000
YEARS = (2024, 2025, 2026)
SESSIONS_PER_YEAR = 6
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
CHUNK = 5_000


async def _bulk(conn: AsyncConnection, model: Any, rows: list[dict[str, Any]]) -> None:
    table = model.__table__
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(table), rows[start : start + CHUNK])


async def _ids(conn: AsyncConnection, model: Any) -> list[int]:
    return list((await conn.execute(select(model.__table__.c.id).order_by(model.__table__.c.id))).scalars())


async def generate(url: str, scale: int = 1, seed: int = 2026) -> dict[str, int]:
    """Fill a migrated, empty database at `url`; returns the row counts written."""
    rng = random.Random(seed)
    engine = make_engine(url)
    counts: dict[str, int] = {}
    try:
        async with engine.begin() as conn:
            regions = (await conn.execute(select(Region.__table__.c.id, Region.__table__.c.code))).all()
            await _bulk(
                conn,
                Commission,
                [
                    {
                        "code": code,
                        "name": f"Comisión Regional Anticorrupción {code}",
                        "kind": "regional",
                        "region_id": region_id,
                        "timezone": "America/Lima",
                        "created_at": NOW,
                    }
                    for region_id, code in regions
                ],
            )
            commissions = await _ids(conn, Commission)
            await _bulk(
                conn,
                Institution,
                [
                    {"name": f"Institución {s} de {c}", "category": "other", "created_at": NOW}
                    for c in commissions
                    for s in range(SEATS)
                ],
            )
            institutions = await _ids(conn, Institution)
            await _bulk(
                conn,
                Seat,
                [
                    {
                        "commission_id": c,
                        "institution_id": institutions[i * SEATS + s],
                        "voting": True,
                        "created_at": NOW,
                    }
                    for i, c in enumerate(commissions)
                    for s in range(SEATS)
                ],
            )
            seats = await _ids(conn, Seat)
            seats_of = {c: seats[i * SEATS : (i + 1) * SEATS] for i, c in enumerate(commissions)}
            people = [
                (c, role, seat)
                for c in commissions
                for role, seat in (("secretary", None), ("president", None))
            ]
            people += [(c, "liaison", s) for c in commissions for s in seats_of[c] if rng.random() < 0.85]
            await _bulk(
                conn,
                Person,
                [
                    {
                        "name": f"Persona {n}",
                        "language": rng.choice(("es", "es", "qu", "ay")),
                        "language_chosen": True,
                        "created_at": NOW,
                    }
                    for n in range(len(people))
                ],
            )
            person_ids = await _ids(conn, Person)
            await _bulk(
                conn,
                Membership,
                [
                    {"person_id": p, "commission_id": c, "role": role, "seat_id": seat, "created_at": NOW}
                    for p, (c, role, seat) in zip(person_ids, people, strict=True)
                ],
            )
            sessions: list[dict[str, Any]] = []
            planned: list[dict[str, Any]] = []
            for c in commissions:
                for year in YEARS:
                    if year < 2026 or rng.random() < 0.8:
                        planned += [
                            {"commission_id": c, "planned_on": date(year, 3 * q - 1, 15)}
                            for q in (1, 2, 3, 4)
                        ]
                    for _ in range(SESSIONS_PER_YEAR * scale):
                        day = date(year, 1, 1) + timedelta(days=rng.randrange(365 if year < 2026 else 326))
                        status = rng.choices(("held", "failed_quorum", "cancelled"), (80, 12, 8))[0]
                        sessions.append(
                            {
                                "commission_id": c,
                                "kind": rng.choices(("ordinaria", "extraordinaria"), (75, 25))[0],
                                "starts_at": datetime(day.year, day.month, day.day, 15, tzinfo=UTC),
                                "status": status,
                                "ics_sequence": 0,
                                "created_at": NOW,
                            }
                        )
            await _bulk(conn, MeetingSession, sessions)
            await _bulk(conn, PlannedSession, planned)
            session_ids = await _ids(conn, MeetingSession)
            attendance = [
                {
                    "session_id": sid,
                    "seat_id": seat,
                    "present": (present := rng.random() < 0.7),
                    "justified": not present and rng.random() < 0.5,
                    "recorded_at": s["starts_at"],
                }
                for sid, s in zip(session_ids, sessions, strict=True)
                if s["status"] != "cancelled"
                for seat in seats_of[s["commission_id"]]
            ]
            await _bulk(conn, MeetingAttendance, attendance)
            agreements: list[dict[str, Any]] = []
            seq: dict[tuple[int, int], int] = {}
            for n in range(AGREEMENTS * scale):
                c = rng.choice(commissions)
                created = NOW - timedelta(days=rng.randrange(3 * 365), hours=rng.randrange(24))
                year = created.year
                seq[c, year] = seq.get((c, year), 0) + 1
                deadline = created.date() + timedelta(days=rng.randrange(30, 240))
                status = rng.choices(("pendiente", "en_curso", "cumplido", "cancelado"), (25, 30, 40, 5))[0]
                closed = None
                if status == "cumplido":
                    closed = min(NOW, created + timedelta(days=rng.randrange(10, 300)))
                agreements.append(
                    {
                        "commission_id": c,
                        "code": f"B{n:07d}",
                        "year": year,
                        "seq": seq[c, year],
                        "text": f"Acuerdo de prueba {n}",
                        "status": status,
                        "progress": 100 if status == "cumplido" else rng.randrange(0, 100),
                        "original_deadline": deadline,
                        "deadline": deadline,
                        "flagged_for_can_at": NOW
                        if status in ("pendiente", "en_curso") and rng.random() < 0.05
                        else None,
                        "created_at": created,
                        "updated_at": created,
                        "closed_at": closed,
                    }
                )
            await _bulk(conn, Agreement, agreements)
            agreement_ids = await _ids(conn, Agreement)
            await _bulk(
                conn,
                AgreementSeat,
                [
                    {"agreement_id": aid, "seat_id": rng.choice(seats_of[a["commission_id"]])}
                    for aid, a in zip(agreement_ids, agreements, strict=True)
                ],
            )
            events = []
            for _ in range(UPDATES * scale):
                i = rng.randrange(len(agreement_ids))
                created = agreements[i]["created_at"]
                events.append(
                    {
                        "agreement_id": agreement_ids[i],
                        "at": min(NOW, created + timedelta(days=rng.randrange(1, 200))),
                        "kind": "progress",
                        "progress": rng.randrange(0, 101),
                        "note": "Avance informado",
                    }
                )
            await _bulk(conn, AgreementEvent, events)
            counts = {
                "commissions": len(commissions),
                "seats": len(seats),
                "people": len(people),
                "sessions": len(sessions),
                "attendance": len(attendance),
                "agreements": len(agreements),
                "updates": len(events),
            }
    finally:
        await engine.dispose()
    return counts


def create(path: Path, scale: int) -> dict[str, int]:
    """A fresh migrated SQLite file at `path`, filled at `scale`."""
    path.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    return asyncio.run(generate(url, scale))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("national.db"))
    args = parser.parse_args()
    print(create(args.out, args.scale))


if __name__ == "__main__":
    main()
