"""Run Alembic migrations programmatically (the bot needs no alembic.ini; developers' alembic.ini
at the repository root points at the same migrations)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:  # Alembic loads only where a migration runs: see upgrade_apart
    from alembic.config import Config
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# How autogenerate compares models with a database: env.py and the drift test use the same options.
COMPARE_OPTIONS: dict[str, Any] = {"compare_type": True}


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class DatabaseProblem(Exception):
    """The database cannot be upgraded; the message is one line for the operator."""


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url`; synchronous, and safe to call under a running event loop
    (the async migration environment then runs in a worker thread with a loop of its own).
    An unreachable database, or one a newer version upgraded, raises DatabaseProblem."""
    from alembic import command
    from alembic.util.exc import CommandError

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            command.upgrade(alembic_config(url), revision)
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(command.upgrade, alembic_config(url), revision).result()
    except CommandError as exc:
        if "Can't locate revision" not in str(exc):
            raise
        raise DatabaseProblem(
            f"the database at {_shown(url)} was upgraded by a newer cra-bot ({exc}): "
            "run that version, or restore a backup made for this one"
        ) from None
    except (DBAPIError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseProblem(
            f"cannot reach the database at {_shown(url)} ({reason}): "
            "check DATABASE_URL and that the server is running"
        ) from None


# The child of upgrade_apart reads the URL here, not from its command line, which `ps` shows.
URL_VARIABLE = "CRA_MIGRATE_URL"
PROBLEM_EXIT = 3


def upgrade_apart(url: str) -> str:
    """`upgrade` in a child process, which answers with the head revision: Alembic, Mako, Pygments
    and the migration scripts then never load into the long-running bot or web process (~10 MB of
    its resident memory for good)."""
    child = subprocess.run(
        [sys.executable, "-m", "db.migrate"],
        env={**os.environ, URL_VARIABLE: url},
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode == PROBLEM_EXIT:
        raise DatabaseProblem(child.stderr.strip().splitlines()[-1])
    if child.returncode != 0:
        raise RuntimeError(f"the migration process failed:\n{child.stderr.strip()}")
    return child.stdout.strip()


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade through an existing async engine (for code already inside an event loop)."""
    from alembic import command

    def _run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection=connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(_run)


def head() -> str:
    """The one head revision; Alembic raises if a new migration forked the history again
    (give it the current head as down_revision, or add a merge revision)."""
    from alembic.script import ScriptDirectory

    current = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS}")
    return current


def heads() -> set[str]:
    """Every head revision: exactly one, `head()`, while the history is linear."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def url_from_environment() -> str:
    """DATABASE_URL from the environment or ./.env, as the bot reads it (for the alembic command)."""
    from dotenv import dotenv_values

    url = os.environ.get("DATABASE_URL") or dotenv_values(".env").get("DATABASE_URL")
    if not url:
        raise SystemExit("alembic: set DATABASE_URL (e.g. sqlite+aiosqlite:///./cra.db)")
    return url


if __name__ == "__main__":  # upgrade_apart's child
    try:
        upgrade(os.environ[URL_VARIABLE])
        print(head())
    except DatabaseProblem as problem:
        print(problem, file=sys.stderr)
        sys.exit(PROBLEM_EXIT)
