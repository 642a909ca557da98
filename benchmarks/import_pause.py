"""A 1,000-row /importar_acuerdos: its wall time, and the longest pause it causes to other people.

    .venv/bin/python benchmarks/import_pause.py [--rows 1000] [--xlsx]

In process, as `cra-bot run` handles updates: the real dispatcher (middlewares, handlers, outbox)
on one serialized SQLite connection (`serialize_sqlite=True`), with the handler tests' recording
Bot API session. A CUS commission with a secretary, a liaison's seat and 20 observers. First 40
`/ayuda` from the observers, one every 50 ms, alone (idle); then the secretary sends a work plan
of `--rows` agreements while the observers go on sending `/ayuda` every 50 ms until the import
is done. A reply's latency is the time its update takes to be handled and committed (its reply
then waits only for the sender). Prints the import's wall time, idle p50/max and, during the
import, the max latency and the pause (max minus idle p50). Goal: pause < 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram.types import Chat, Document, Message, MessageEntity, Update  # noqa: E402

from bot.i18n import Catalogs  # noqa: E402
from bot.workflows.membership.commissions import create_commission  # noqa: E402
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Role  # noqa: E402
from tests.harness import Harness, make_harness  # noqa: E402

SECRETARY, LIAISON, FIRST_OBSERVER, OBSERVERS = 500, 501, 600, 20
GORE = "Gobierno Regional del Cusco"
EVERY = 0.05  # seconds between two observers' /ayuda


async def prepare(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    async with make_sessionmaker(engine)() as db, db.begin():
        cus, _ = await create_commission(db, "CUS", now=now)
        people = [(SECRETARY, Role.SECRETARY, None), (LIAISON, Role.LIAISON, GORE)]
        people += [(FIRST_OBSERVER + n, Role.OBSERVER, None) for n in range(OBSERVERS)]
        for telegram_id, role, institution in people:
            issued = await issue_invitation(db, cus, role, now=now, institution=institution)
            await redeem_invitation(
                db,
                issued.token,
                telegram_id=telegram_id,
                telegram_name=f"P{telegram_id}",
                language="es",
                now=now,
            )
    await engine.dispose()


def work_plan(rows: int, xlsx: bool) -> bytes:
    table = [["codigo", "texto", "instituciones", "plazo", "estado", "avance"]]
    table += [
        ["", f"Acuerdo número {n} del plan anual", GORE, "2027-03-31", "pendiente", "0"] for n in range(rows)
    ]
    if not xlsx:
        return "".join(",".join(row) + "\n" for row in table).encode()
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def update(harness: Harness, chat_id: int, text: str | None = None, document: str | None = None) -> Update:
    entities = [MessageEntity(type="bot_command", offset=0, length=len(text))] if text else None
    doc = (
        Document(file_id=document, file_unique_id=document, file_name=document, file_size=1000)
        if document
        else None
    )
    message = Message(
        message_id=harness.next_message_id(),
        date=datetime.now(UTC),
        chat=Chat(id=chat_id, type="private"),
        from_user={"id": chat_id, "is_bot": False, "first_name": f"P{chat_id}"},  # type: ignore[arg-type]
        text=text,
        entities=entities,
        document=doc,
    )
    return Update(update_id=harness.next_update_id(), message=message)


async def handled_in(harness: Harness, upd: Update, due: float | None = None) -> float:
    """Seconds from when the update was due (it arrived at the bot) to its handling committed."""
    started = time.perf_counter() if due is None else due
    await harness.dp.feed_update(harness.bot, upd)
    return time.perf_counter() - started


async def observers(harness: Harness, stop: asyncio.Event, limit: int | None = None) -> list[float]:
    """/ayuda every EVERY seconds, in turn, until `stop` is set (or `limit` sent); their latencies.

    Each counts from when it was due, not from when the loop got round to sending it: an import
    that holds the event loop delays the sending too, and that delay is the pause people feel."""
    tasks: list[asyncio.Task[float]] = []
    first = time.perf_counter()
    n = 0
    while not stop.is_set() and (limit is None or n < limit):
        due = first + n * EVERY
        if time.perf_counter() >= due:
            chat = FIRST_OBSERVER + n % OBSERVERS
            tasks.append(asyncio.create_task(handled_in(harness, update(harness, chat, "/ayuda"), due)))
            n += 1
            continue
        await asyncio.sleep(due - time.perf_counter())
    return list(await asyncio.gather(*tasks))


async def run(rows: int, xlsx: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        await prepare(url)
        engine = make_engine(url, serialize_sqlite=True)
        harness = make_harness(make_sessionmaker(engine), Catalogs())
        plan = work_plan(rows, xlsx)

        async def download(file: str, *args: Any, **kwargs: Any) -> io.BytesIO:
            return io.BytesIO(plan)

        harness.bot.download = download  # type: ignore[method-assign]
        idle = await observers(harness, asyncio.Event(), limit=40)
        await harness.dp.feed_update(harness.bot, update(harness, SECRETARY, "/importar_acuerdos"))
        stop = asyncio.Event()
        watching = asyncio.create_task(observers(harness, stop))
        await asyncio.sleep(EVERY * 3)
        name = "plan.xlsx" if xlsx else "plan.csv"
        wall = await handled_in(harness, update(harness, SECRETARY, document=name))
        stop.set()
        during = await watching
        await harness.sender.drain()
        said = [
            getattr(r, "text", "")
            for r in harness.session.requests
            if getattr(r, "chat_id", None) == SECRETARY
        ]
        await engine.dispose()
    p50 = statistics.median(idle)
    print(f"import of {rows} rows ({'XLSX' if xlsx else 'CSV'}): {wall:.2f} s  → {said[-1][:70]!r}")
    print(f"/ayuda idle: p50 {p50 * 1000:.0f} ms, max {max(idle) * 1000:.0f} ms ({len(idle)} updates)")
    print(
        f"/ayuda during the import: max {max(during) * 1000:.0f} ms ({len(during)} updates); "
        f"longest pause {(max(during) - p50) * 1000:.0f} ms (goal < 500 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--xlsx", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.rows, args.xlsx))


if __name__ == "__main__":
    main()
