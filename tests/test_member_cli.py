"""`cra-bot member list|end|role`, run as a real process against a SQLite file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from bot.workflows.membership.commissions import ensure_seat, find_commission
from db.engine import make_engine, make_sessionmaker
from db.models import Membership, MembershipEnd, OutboxMessage, Person, Role
from tests.test_config_cli import cli


async def _seat_two_people(url: str) -> None:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            now = datetime.now(UTC)
            cus = await find_commission(db, "CUS")
            seat = await ensure_seat(db, cus, "Corte Superior de Justicia del Cusco", now=now)
            for tg, name, role, lang in (
                (501, "Juana Mamani", Role.LIAISON, "ay"),
                (502, "Rosa", Role.SECRETARY, "es"),
            ):
                person = Person(name=name, telegram_id=tg, language=lang, created_at=now)
                db.add(person)
                await db.flush()
                assert person.id is not None and cus.id is not None
                seat_id = seat.id if role is Role.LIAISON else None
                db.add(
                    Membership(
                        person_id=person.id, commission_id=cus.id, role=role, seat_id=seat_id, created_at=now
                    )
                )
    finally:
        await engine.dispose()


async def _read(url: str) -> tuple[list[Membership], list[MembershipEnd], list[OutboxMessage]]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            return (
                list((await db.exec(select(Membership))).all()),
                list((await db.exec(select(MembershipEnd))).all()),
                list((await db.exec(select(OutboxMessage))).all()),
            )
    finally:
        await engine.dispose()


def test_the_administrator_lists_changes_a_role_and_ends_a_membership(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cra.db'}"
    env = {"DATABASE_URL": url}
    assert cli("commission", "create", "CUS", env=env).returncode == 0
    asyncio.run(_seat_two_people(url))

    listed = cli("member", "list", "CUS", env=env)
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(r[1], r[2], r[3], r[4]) for r in lines] == [
        ("liaison", "Juana Mamani", "Corte Superior de Justicia del Cusco", "reachable"),
        ("secretary", "Rosa", "-", "reachable"),
    ]
    liaison_id = lines[0][0]

    changed = cli("member", "role", "CUS", liaison_id, "member", env=env)
    assert changed.returncode == 0, changed.stderr
    again = cli("member", "role", "CUS", liaison_id, "member", env=env)
    assert again.returncode == 2 and "ya tiene ese rol" in again.stderr and "Traceback" not in again.stderr

    future = cli("member", "end", "CUS", liaison_id, "--reason", "resigned", "--date", "2099-01-01", env=env)
    assert future.returncode == 2 and "futura" in future.stderr
    ended = cli(
        "member", "end", "CUS", liaison_id, "--reason", "term_ended", "--note", "nuevo gobierno", env=env
    )
    assert ended.returncode == 0, ended.stderr
    missing = cli("member", "end", "CUS", "999", "--reason", "other", env=env)
    assert missing.returncode == 2 and "no existe" in missing.stderr

    memberships, ends, outbox = asyncio.run(_read(url))
    assert [m.role for m in memberships] == [Role.SECRETARY]
    assert [(e.role, e.reason.value, e.note) for e in ends] == [(Role.MEMBER, "term_ended", "nuevo gobierno")]
    # Juana was told twice (role, end), in Aymara, through the outbox.
    assert [o.chat_id for o in outbox] == [501, 501]
    assert "mayjt'ayatawa" in outbox[0].payload["text"] and "uruw tukusi" in outbox[1].payload["text"]
