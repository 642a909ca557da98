"""A transient database failure runs the same update again; after the last try the person is told.

The failure is injected as SQLAlchemy raises it from the driver (a DBAPI error with PostgreSQL's
SQLSTATE, or SQLite's "database is locked"), so the middleware's classification is what is tested.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Message, MessageEntity, Update
from sqlalchemy import func
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.handlers.start as start
from bot.i18n import msg
from bot.middlewares import RetryPolicy, TransactionMiddleware, UndoableState, is_transient
from bot.replies import Replies
from bot.workflows.notices import Notice
from db.models import AuditEntry, Membership, Person, ProcessedUpdate, Role
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, replies

BUSY = (
    "Muchas personas escriben a la vez y no pude guardar lo que hizo: no se guardó nada. "
    "Vuelva a intentarlo en un minuto."
)


class DriverError(Exception):
    """What the DBAPI raises; SQLAlchemy keeps it as `orig`."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.pgcode = self.sqlstate = sqlstate


def deadlock() -> OperationalError:
    return OperationalError("INSERT INTO audit_entry ...", {}, DriverError("deadlock detected", "40P01"))


def serialization_failure() -> OperationalError:
    return OperationalError("UPDATE agreement ...", {}, DriverError("could not serialize access", "40001"))


def sqlite_locked() -> OperationalError:
    return OperationalError("INSERT INTO outbox ...", {}, DriverError("database is locked"))


class Sleeps:
    """The retry policy's sleep, recorded instead of slept."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def retry_without_sleeping(harness: Harness, attempts: int = 4) -> Sleeps:
    sleeps = Sleeps()
    middleware = next(m for m in harness.dp.update.outer_middleware if isinstance(m, TransactionMiddleware))
    middleware.retry = RetryPolicy(attempts=attempts, first_delay=0.1, sleep=sleeps)
    return sleeps


def command(user: ChatUser, text: str) -> Update:
    message = Message(
        message_id=user.harness.next_message_id(),
        date=datetime.now(UTC),
        chat=user.chat,
        from_user=user.user,
        text=text,
        entities=[MessageEntity(type="bot_command", offset=0, length=len(text))],
    )
    return Update(update_id=user.harness.next_update_id(), message=message)


def test_deadlocks_serialization_failures_and_sqlite_locks_are_transient_others_are_not() -> None:
    assert (
        is_transient(deadlock()) and is_transient(serialization_failure()) and is_transient(sqlite_locked())
    )
    duplicate = IntegrityError("INSERT ...", {}, DriverError("duplicate key", "23505"))
    assert not is_transient(duplicate)
    # A lost connection: the pool reconnects, and the update id makes a committed try found.
    dropped = DBAPIError("SELECT 1", {}, DriverError("connection lost", None), connection_invalidated=True)
    killed = DBAPIError("SELECT 1", {}, DriverError("terminating connection due to administrator", "57P01"))
    assert is_transient(dropped) and is_transient(killed)


async def test_a_retried_update_finds_the_conversation_as_it_was() -> None:
    storage = MemoryStorage()
    key = StorageKey(bot_id=42, chat_id=7, user_id=7)
    found = FSMContext(storage, key)
    await found.set_state("Invitar:nombre")
    await found.set_data({"role": "member"})
    state = UndoableState(found, raw_state="Invitar:nombre")
    assert await state.update_data({"name": "Ana"}, role="observer") == {"role": "observer", "name": "Ana"}
    await state.set_state("Invitar:institucion")
    await state.set_data({"done": True})
    await state.clear()
    await state.undo()
    assert (await found.get_state(), await found.get_data()) == ("Invitar:nombre", {"role": "member"})
    await state.undo()  # nothing written since: nothing to undo
    assert await found.get_data() == {"role": "member"}


async def test_an_acceptance_that_met_a_deadlock_runs_again_and_welcomes_once(
    harness: Harness,
    invite: Invite,
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sleeps = retry_without_sleeping(harness)
    real_redeem = start.redeem_invitation
    tries = 0

    async def deadlocks_at_the_first_try(*args: object, **kwargs: object) -> start.Redemption:
        nonlocal tries
        tries += 1
        redemption = await real_redeem(*args, **kwargs)  # type: ignore[arg-type]
        if tries == 1:  # all of it written, then PostgreSQL aborts the transaction
            raise deadlock()
        return redemption

    monkeypatch.setattr(start, "redeem_invitation", deadlocks_at_the_first_try)
    ana = harness.user(400, first_name="Ana")
    with caplog.at_level(logging.INFO, logger="bot.middlewares"):
        requests = await ana.join(await invite("CUS", Role.OBSERVER, name="Ana Quispe"))

    assert tries == 2 and len(sleeps.delays) == 1 and 0.05 <= sleeps.delays[0] <= 0.15
    said = replies(requests)
    assert len([t for t in said if t.startswith("Bienvenido(a), Ana Quispe")]) == 1  # not twice
    assert BUSY not in said
    # The first try read and cleared the token in the conversation state; the second found it again.
    assert len([r for r in requests if isinstance(r, AnswerCallbackQuery)]) == 1  # Telegram refuses two
    person = (await db.exec(select(Person).where(Person.telegram_id == 400))).one()
    assert len((await db.exec(select(Membership).where(Membership.person_id == person.id))).all()) == 1
    redeemed = await db.exec(select(AuditEntry).where(AuditEntry.action == "invitation.redeemed"))
    assert len(redeemed.all()) == 1
    pressed = (await db.exec(select(func.max(ProcessedUpdate.update_id)))).one()
    warnings = [
        r.getMessage() for r in caplog.records if r.name == "bot.middlewares" and r.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1 and f"update {pressed}:" in warnings[0] and "deadlock" in warnings[0]


@pytest.mark.parametrize("failure", [deadlock, serialization_failure, sqlite_locked])
async def test_an_update_that_keeps_failing_is_answered_clearly_saves_nothing_and_can_come_again(
    harness: Harness,
    invite: Invite,
    db: AsyncSession,
    caplog: pytest.LogCaptureFixture,
    failure: object,
) -> None:
    sleeps = retry_without_sleeping(harness, attempts=3)
    failing = True
    tries = 0

    async def change_then_fail(
        message: Message,
        db: AsyncSession,
        person: Person,
        outbox: list[Notice],
        say: Replies,
        state: FSMContext,
    ) -> None:
        nonlocal tries
        tries += 1
        person.name = "Otro nombre"  # a change no failed try may leave behind
        db.add(person)
        await db.flush()
        outbox.append(Notice(person.id or 0, msg("Hola")))  # nor a notice
        await state.update_data(step=tries)
        await say("Guardado")  # nor a reply
        if failing:
            raise failure()  # type: ignore[operator]

    harness.dp.message.register(change_then_fail, Command("guardar"))
    rosa = harness.user(301, first_name="Rosa")
    await rosa.join(await invite("PUN", Role.LIAISON, "Contraloría", name="Rosa Condori"))
    await rosa.click("Aymar aru")
    update = command(rosa, "/guardar")

    with caplog.at_level(logging.WARNING, logger="bot.middlewares"):
        said = replies(await harness.feed(update))

    aymara = harness.dp["catalogs"].translator("ay")
    assert said == [aymara.gettext(BUSY)]
    assert tries == 3 and len(sleeps.delays) == 2
    assert 0.05 <= sleeps.delays[0] <= 0.15 and 0.1 <= sleeps.delays[1] <= 0.3  # doubling, jittered
    person = (await db.exec(select(Person).where(Person.telegram_id == 301))).one()
    assert person.name == "Rosa Condori"
    assert await db.get(ProcessedUpdate, update.update_id) is None  # not marked handled
    logged = [
        (r.levelname, f"update {update.update_id}" in r.getMessage())
        for r in caplog.records
        if r.name == "bot.middlewares"
    ]
    assert logged == [("WARNING", True), ("ERROR", True)]
    key = StorageKey(bot_id=harness.bot.id, chat_id=301, user_id=301)
    assert "step" not in await harness.dp.fsm.storage.get_data(key)  # the conversation as before

    failing = False  # the database is free again: the same update now goes through, once
    assert replies(await harness.feed(update)) == ["Guardado", "Hola"]
    assert tries == 4
    assert replies(await harness.feed(update)) == []  # and a redelivery is ignored
    await db.refresh(person)
    assert person.name == "Otro nombre"


async def test_other_database_errors_are_not_run_again(harness: Harness, invite: Invite) -> None:
    sleeps = retry_without_sleeping(harness)
    tries = 0

    async def violate(message: Message) -> None:
        nonlocal tries
        tries += 1
        raise IntegrityError("INSERT ...", {}, DriverError("duplicate key value", "23505"))

    harness.dp.message.register(violate, Command("romper"))
    luz = harness.user(302, first_name="Luz")
    await luz.join(await invite("CUS", Role.OBSERVER, name="Luz"))
    said = replies(await harness.feed(command(luz, "/romper")))
    assert tries == 1 and sleeps.delays == []
    assert len(said) == 1 and said[0].startswith("Lo siento, algo falló")  # the usual apology


async def test_no_free_connection_is_not_waited_for_again_and_the_person_is_told_directly(
    harness: Harness, invite: Invite
) -> None:
    sleeps = retry_without_sleeping(harness)
    tries = 0

    async def pool_exhausted(message: Message) -> None:
        nonlocal tries
        tries += 1
        raise PoolTimeout("QueuePool limit of size 10 overflow 32 reached, connection timed out")

    harness.dp.message.register(pool_exhausted, Command("esperar"))
    eva = harness.user(303, first_name="Eva")
    await eva.join(await invite("CUS", Role.OBSERVER, name="Eva"))
    before = len(harness.session.requests)
    await harness.dp.feed_update(harness.bot, command(eva, "/esperar"))  # nothing drained: sent directly
    assert tries == 1 and sleeps.delays == []
    assert replies(harness.session.requests[before:]) == [BUSY]
