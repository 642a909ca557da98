"""Property-based: arbitrary text, commands and callback data from arbitrary roles.

Whatever arrives, no unexpected exception reaches the error handler, every message and command
gets a reply, every button press is answered, and nobody joins or leaves a commission by accident.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from bot.commands import COMMANDS
from bot.i18n import Catalogs
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation
from db.engine import make_engine, make_sessionmaker
from db.models import Membership, Person, Role
from tests.conftest import NOW
from tests.harness import Harness, make_harness

ROLES = [Role.SECRETARY, Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE, Role.LIAISON, Role.OBSERVER]
STRANGER = 999
COMMAND_NAMES = [c.name for c in COMMANDS] + ["help", "cancelar", "borrar", "start", "x" * 40]
PREFIXES = ["lang1", "com1", "inr1", "ins1", "skip1", "cancel1", "priv1", "rev1", "hist1", "join1", "zzz"]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def world(
    sqlite_template: Path, tmp_path: Path, catalogs: Catalogs
) -> Iterator[tuple[asyncio.Runner, Harness]]:
    path = tmp_path / "fuzz.db"
    shutil.copy(sqlite_template, path)
    with asyncio.Runner() as runner:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        sessionmaker = make_sessionmaker(engine)
        harness = make_harness(sessionmaker, catalogs)

        async def populate() -> None:
            async with sessionmaker() as db, db.begin():
                cus, _ = await create_commission(db, "CUS", now=NOW)
                tokens = [
                    (
                        await issue_invitation(
                            db, cus, role, now=NOW, institution="Municipalidad Provincial del Cusco"
                        )
                    ).token
                    for role in ROLES
                ]
            for index, token in enumerate(tokens, start=1):
                await harness.user(index).join(token)

        runner.run(populate())
        harness.sessionmaker = sessionmaker  # type: ignore[attr-defined]
        yield runner, harness
        runner.run(engine.dispose())


callback_data = st.one_of(
    st.text(min_size=1, max_size=64).filter(lambda s: len(s.encode()) <= 64),
    st.builds(
        lambda prefix, parts: ":".join([prefix, *parts])[:64],
        st.sampled_from(PREFIXES),
        st.lists(st.one_of(st.integers(-(2**40), 2**40).map(str), st.text(max_size=8)), max_size=3),
    ),
)
message_text = st.one_of(
    st.text(min_size=1, max_size=400).filter(lambda s: s.strip() != ""),
    st.builds(
        lambda name, arg: f"/{name} {arg}".strip(),
        st.sampled_from(COMMAND_NAMES),
        st.text(max_size=80),
    ),
)


def test_arbitrary_input_never_breaks_the_bot(world: tuple[asyncio.Runner, Harness]) -> None:
    runner, harness = world
    errors = Collect()
    logging.getLogger("bot").addHandler(errors)
    sessionmaker = harness.sessionmaker  # type: ignore[attr-defined]

    async def census() -> tuple[int, int]:
        async with sessionmaker() as db:
            people = (await db.exec(select(func.count()).select_from(Person))).one()
            members = (await db.exec(select(func.count()).select_from(Membership))).one()
            return int(people), int(members)

    before = runner.run(census())

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        who=st.sampled_from([*range(1, len(ROLES) + 1), STRANGER]),
        press=st.booleans(),
        text=message_text,
        data=callback_data,
    )
    def one(who: int, press: bool, text: str, data: str) -> None:
        user = harness.user(who)
        requests = runner.run(user.press(data) if press else user.send(text))
        if press:
            assert any(isinstance(r, AnswerCallbackQuery) for r in requests), data
        else:
            assert any(isinstance(r, SendMessage | SendDocument) for r in requests), text
        assert errors.records == [], [r.getMessage() for r in errors.records]

    try:
        one()
    finally:
        logging.getLogger("bot").removeHandler(errors)
    assert runner.run(census()) == before
