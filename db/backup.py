"""Backups an operator can trust: online, consistent copies, and restores that never overwrite data.

SQLite: the backup API copies a consistent snapshot page by page while the bot keeps writing (WAL
readers never block the writer). PostgreSQL: the server's own `pg_dump -Fc` and `pg_restore`, which
must be at least the server's major version (an older pg_dump refuses a newer server).
A restore goes only into an empty database: it never mixes two histories or overwrites one.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import make_url

# Tables whose rows mean "this database is in use": a restore over them would lose data.
IN_USE_TABLES = ("commission", "person", "audit_entry", "outbox")
# All pages in one step: one read transaction, so one consistent snapshot. In WAL mode it never
# blocks the bot's writes; in smaller steps, every write by the bot would restart the copy.
PAGES_PER_STEP = -1


class BackupError(Exception):
    """One line for the operator saying what to fix."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another database."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("DATABASE_URL is an in-memory SQLite database: there is nothing to back up")
    return Path(parsed.database)


def backup(url: str, destination: Path) -> str:
    """Copy the database at `url` to `destination` (a new file); returns a one-line summary."""
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose a new file name")
    source = sqlite_path(url)
    if source is None:
        return _pg_dump(url, destination)
    if not source.exists():
        raise BackupError(f"no database at {source}: check DATABASE_URL")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with _connect(source) as src, _connect(destination) as dst:
        src.backup(dst, pages=PAGES_PER_STEP)
        (check,) = dst.execute("PRAGMA integrity_check").fetchone()
    if check != "ok":
        destination.unlink(missing_ok=True)
        raise BackupError(f"the copy failed SQLite's integrity check ({check}); nothing was kept")
    return f"backup written to {destination} ({destination.stat().st_size} bytes)"


def restore(url: str, source: Path) -> str:
    """Restore a backup into the (empty) database at `url`; returns a one-line summary."""
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    target = sqlite_path(url)
    if target is None:
        return _pg_restore(url, source)
    with _connect(source) as src:
        try:
            (check,) = src.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not a SQLite backup ({exc})") from None
        if check != "ok":
            raise BackupError(f"{source} failed SQLite's integrity check ({check})")
        if target.exists():
            with _connect(target) as dst:
                if busy := _rows_in_use(dst):
                    raise BackupError(
                        f"the database at {target} is not empty ({busy}); restore into a new DATABASE_URL"
                    )
        target.parent.mkdir(parents=True, exist_ok=True)
        with _connect(target) as dst:
            src.backup(dst, pages=PAGES_PER_STEP)
    return f"restored {source} into {target}"


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _rows_in_use(connection: sqlite3.Connection) -> str:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    counts = []
    for table in IN_USE_TABLES:
        if table in tables:
            (n,) = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            if n:
                counts.append(f"{n} rows in {table}")
    return ", ".join(counts)


# --- PostgreSQL: the server's own tools -----------------------------------------------------------


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (it goes in PGPASSWORD, never on a command line)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client of the server's version "
            f"(Debian: apt-get install postgresql-client)"
        )
    return path


def _major(text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    if match is None:
        raise BackupError(f"cannot read a PostgreSQL version from {text!r}")
    return int(match.group(1))


def _check_versions(tool: str, dsn: str, env: dict[str, str]) -> None:
    client = _major(_run([tool, "--version"], env))
    psql = _tool("psql")
    server = int(_run([psql, dsn, "-XAtc", "SHOW server_version_num"], env).strip()) // 10000
    if client < server:
        raise BackupError(
            f"{Path(tool).name} {client} is older than the PostgreSQL {server} server: "
            f"install postgresql-client-{server}"
        )


def _pg_dump(url: str, destination: Path) -> str:
    dsn, env = _libpq(url)
    pg_dump = _tool("pg_dump")
    _check_versions(pg_dump, dsn, env)
    _run([pg_dump, "-Fc", "--no-owner", "--no-privileges", "-f", str(destination), dsn], env)
    return f"backup written to {destination} ({destination.stat().st_size} bytes, pg_dump -Fc)"


def _pg_restore(url: str, source: Path) -> str:
    dsn, env = _libpq(url)
    pg_restore = _tool("pg_restore")
    _check_versions(pg_restore, dsn, env)
    psql = _tool("psql")
    tables = _run(
        [psql, dsn, "-XAtc", "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"], env
    )
    if int(tables.strip() or 0):
        raise BackupError("the target database is not empty: restore into a new, empty database")
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "-d", dsn, str(source)], env)
    return f"restored {source} (pg_restore)"


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=3600)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {lines[-1] if lines else result.returncode}")
    return result.stdout
