"""The administrator's command line: `cra-bot --help`.

Kept light on purpose: aiogram takes seconds to import, so only `run` imports it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

ROLES = ("secretary", "president", "member", "alternate", "liaison", "observer", "can_analyst")
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cra-bot",
        description="CRA Secretariat Bot: Telegram assistant of Peru's anticorruption commissions.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (long polling, or --webhook); upgrades the database first")
    run.add_argument("--webhook", action="store_true", help="serve Telegram's webhook instead of polling")

    sub.add_parser(
        "web",
        help="serve the public pages and the CAN's dashboard (WEB_HOST:WEB_PORT); upgrades the database",
    )

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply all migrations")

    commission = sub.add_parser("commission", help="commissions (one CRA per region, plus the CAN)")
    c_sub = commission.add_subparsers(dest="commission_command", required=True, metavar="ACTION")
    create = c_sub.add_parser("create", help="create the CRA of REGION (e.g. CUS, PUN) or the CAN")
    create.add_argument("region", metavar="REGION", help="region code or name, or CAN")
    c_sub.add_parser("list", help="list commissions")

    audit = sub.add_parser("audit", help="the tamper-evident audit trail")
    a_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = a_sub.add_parser(
        "verify", help="check every commission's hash chain and latest checkpoint; exit 1 at a broken link"
    )
    verify.add_argument(
        "--head",
        action="append",
        default=[],
        metavar="CODE:SEQ:DIGEST",
        help="also check against a head the CAN analysts received (repeatable)",
    )

    backup = sub.add_parser("backup", help="write an online, consistent copy of the database to PATH")
    backup.add_argument("path", metavar="PATH", type=Path, help="a new file (SQLite copy, or pg_dump -Fc)")
    restore = sub.add_parser("restore", help="restore a backup from PATH into an empty database")
    restore.add_argument("path", metavar="PATH", type=Path, help="a file written by `cra-bot backup`")

    invite = sub.add_parser("invite", help="print a one-time invitation link (its last line) for COMMISSION")
    invite.add_argument("commission", metavar="COMMISSION", help="commission code, e.g. CUS or CAN")
    invite.add_argument("--role", required=True, choices=ROLES)
    invite.add_argument("--org", help="member institution the person represents")
    invite.add_argument("--name", help="the invited person's name")
    invite.add_argument("--days", type=int, help="days until the link expires (default INVITATION_DAYS, 14)")
    invite.add_argument(
        "--bot-username", help="bot username for the link (default: asked from Telegram with getMe)"
    )
    from bot.cli_members import add_member_parser

    add_member_parser(sub)

    translator = sub.add_parser("translator", help="people who review a language's translations (/traducir)")
    t_sub = translator.add_subparsers(dest="translator_command", required=True, metavar="ACTION")
    t_add = t_sub.add_parser("add", help="let TELEGRAM_ID review LANG (qu, ay): no commission data")
    t_add.add_argument(
        "telegram_id", metavar="TELEGRAM_ID", type=int, help="the person's numeric Telegram id"
    )
    t_add.add_argument("language", metavar="LANG", help="the catalog to review, e.g. qu or ay")
    t_add.add_argument("--name", help="the person's name, if the bot does not know them yet")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        if settings.log_level != "DEBUG":
            for noisy in ("alembic", "apscheduler"):  # their INFO lines say nothing an operator needs
                logging.getLogger(noisy).setLevel(logging.WARNING)
        handler = _COMMANDS[args.command]
        return handler(args, settings)
    except ConfigError as exc:
        print(f"cra-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, settings: Settings) -> int:
    settings.require_token()
    if args.webhook:
        settings.require_webhook()
    head = _upgrade(settings, apart=True)
    from bot.lazy_types import import_aiogram_lazily

    import_aiogram_lazily()  # before bot.app imports aiogram: ~90 MB less (bot/lazy_types.py)
    from bot.app import run

    asyncio.run(run(settings, webhook=args.webhook, head=head))
    return 0


def _web(args: argparse.Namespace, settings: Settings) -> int:
    _upgrade(settings, apart=True)
    from bot.web.app import serve

    asyncio.run(serve(settings))
    return 0


def _upgrade(settings: Settings, *, apart: bool = False) -> str | None:
    """Bring the database to this version's schema, or say in one line why it cannot be reached.
    `apart`: in a child process, for the processes that keep running (db/migrate.py); it returns
    the head revision, which /readyz compares with the database's."""
    from db.migrate import DatabaseProblem, upgrade, upgrade_apart

    try:
        if apart:
            return upgrade_apart(settings.database_url)
        upgrade(settings.database_url)
        return None
    except DatabaseProblem as exc:
        raise ConfigError(str(exc)) from None


def _db(args: argparse.Namespace, settings: Settings) -> int:
    _upgrade(settings)
    print("database is up to date")
    return 0


def _with_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[int]]) -> int:
    """Upgrade, then run `work` in one transaction; refusals print in Spanish and exit 2."""
    from bot.i18n import Catalogs
    from bot.workflows.errors import UserError
    from db.engine import make_engine, make_sessionmaker

    _upgrade(settings)

    async def go() -> int:
        engine = make_engine(settings.database_url)
        try:
            async with make_sessionmaker(engine)() as db, db.begin():
                return await work(db)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except UserError as exc:
        print("cra-bot: " + Catalogs().translator("es").render(exc.text), file=sys.stderr)
        return EXIT_USAGE


def _commission(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import select

    from bot.workflows.membership.commissions import create_commission
    from db.models import Commission

    async def create(db: AsyncSession) -> int:
        commission, created = await create_commission(db, args.region, now=datetime.now(UTC))
        state = "created" if created else "already exists"
        print(f"{commission.code}: {commission.name} ({state})")
        return 0

    async def list_all(db: AsyncSession) -> int:
        for c in (await db.exec(select(Commission).order_by(Commission.code))).all():
            print(f"{c.code}\t{c.name}")
        return 0

    return _with_db(settings, create if args.commission_command == "create" else list_all)


def _invite(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import LIMA
    from bot.workflows.membership.commissions import find_commission
    from bot.workflows.membership.invitations import deep_link, issue_invitation
    from db.models import Role

    username = args.bot_username or _bot_username(settings)

    async def work(db: AsyncSession) -> int:
        commission = await find_commission(db, args.commission)
        issued = await issue_invitation(
            db,
            commission,
            Role(args.role),
            now=datetime.now(UTC),
            institution=args.org,
            invitee_name=args.name,
            valid_days=args.days or settings.invitation_days,
        )
        expires = issued.invitation.expires_at.astimezone(LIMA)
        who = issued.invitation.invitee_name or "(no name)"
        where = f" for {issued.institution}" if issued.institution else ""
        print(f"Invitation: {who}, {args.role}{where}, {commission.code} · {commission.name}")
        print(f"Single use; expires {expires:%Y-%m-%d %H:%M} (America/Lima). Send this link to the person:")
        print(deep_link(username, issued.token))
        return 0

    return _with_db(settings, work)


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import select

    from bot.workflows.audit import Head, verify_chain
    from db.models import Commission

    async def verify(db: AsyncSession) -> int:
        codes = dict((await db.exec(select(Commission.id, Commission.code))).all())
        ids = {code: commission_id for commission_id, code in codes.items() if commission_id is not None}
        heads = []
        for given in args.head:
            code, _, rest = given.partition(":")
            seq, _, digest = rest.partition(":")
            if code.upper() not in ids or not seq.isdigit() or len(digest) != 64:
                print(f"--head {given}: expected CODE:SEQ:DIGEST of a known commission")
                return 2
            heads.append(Head(ids[code.upper()], int(seq), digest.lower()))
        checked, broken = await verify_chain(db, heads)
        for link in broken:
            print(f"{codes.get(link.commission_id, link.commission_id)}: entry {link.seq} {link.reason}")
        if broken:
            print(f"{checked} entries checked; {len(broken)} chain(s) broken")
            return 1
        print(f"{checked} entries checked; every chain is intact")
        return 0

    return _with_db(settings, verify)


def _translator(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import Catalogs
    from bot.workflows.translations.reviewers import grant_translator

    async def add(db: AsyncSession) -> int:
        person, new = await grant_translator(
            db,
            args.telegram_id,
            args.language,
            languages=set(Catalogs().languages),
            now=datetime.now(UTC),
            name=args.name,
        )
        state = "granted" if new else "already granted"
        print(f"{person.name} (Telegram {args.telegram_id}) reviews {args.language}: {state}; use /traducir")
        return 0

    return _with_db(settings, add)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from db.backup import BackupError, backup

    try:
        print(backup(settings.database_url, args.path))
    except BackupError as exc:
        print(f"cra-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from db.backup import BackupError, restore

    try:
        print(restore(settings.database_url, args.path))
    except BackupError as exc:
        print(f"cra-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print("next: `cra-bot audit verify`, then start the bot (it applies any newer migrations)")
    return 0


def _bot_username(settings: Settings) -> str:
    """Ask Telegram (or TELEGRAM_API_URL) who we are, without importing aiogram."""
    token = settings.require_token()
    url = f"{settings.telegram_api_url.rstrip('/')}/bot{token}/getMe"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            payload = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise ConfigError(
                "Telegram refused BOT_TOKEN (401 Unauthorized): the token was revoked or mistyped; "
                "get the current one from @BotFather"
            ) from None
        raise ConfigError(
            f"the Telegram Bot API at {settings.telegram_api_url} answered {exc.code} {exc.reason} "
            "when asked for the bot's username: try again later, or pass --bot-username NAME"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConfigError(
            f"cannot reach the Telegram Bot API at {settings.telegram_api_url} ({reason}) to read the "
            "bot's username: check the network or TELEGRAM_API_URL, or pass --bot-username NAME"
        ) from None
    username = payload.get("result", {}).get("username") if payload.get("ok") else None
    if not username:
        raise ConfigError("Telegram did not return the bot's username; pass --bot-username")
    return str(username)


def _member(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_members import run_member

    return _with_db(settings, lambda db: run_member(db, args))


_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "member": _member,
    "run": _run,
    "web": _web,
    "db": _db,
    "commission": _commission,
    "invite": _invite,
    "audit": _audit,
    "translator": _translator,
    "backup": _backup,
    "restore": _restore,
}
