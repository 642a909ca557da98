"""Layering: bot.handlers → bot.workflows → db. Rules never depend on Telegram or the scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from aiogram import F, Router

from bot.filters import OnLoop
from bot.handlers import get_routers

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module in imported_modules(path):
            if module.split(".")[0] in forbidden or module.startswith(forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("bot/workflows", ("aiogram", "apscheduler", "bot.handlers", "bot.app", "bot.dispatcher")),
        ("db", ("aiogram", "apscheduler", "bot")),
    ],
)
def test_layers_do_not_import_upwards(package: str, forbidden: tuple[str, ...]) -> None:
    assert offenders(package, forbidden) == []


def test_the_check_itself_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from aiogram import Bot\nimport apscheduler.schedulers\n")
    assert imported_modules(bad) == {"aiogram", "apscheduler.schedulers"}


def test_no_module_level_bot_engine_or_settings() -> None:
    """One composition root: nothing builds a Bot, an engine or settings at import time."""
    for path in sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "db").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                assert name not in {
                    "Bot",
                    "make_engine",
                    "create_async_engine",
                    "Settings",
                    "load_settings",
                }, f"{path.relative_to(ROOT)} builds {name} at import time"


def threaded_callables(router: Router) -> list[str]:
    """Handlers and filters aiogram would run through asyncio.to_thread (plain callables, F…)."""
    found = []
    for name, observer in router.observers.items():
        checks = [("filter", f) for f in observer._handler.filters or []]
        for handler in observer.handlers:
            checks.append(("handler", handler))
            checks += [("filter", f) for f in handler.filters or []]
        found += [
            f"{router.name}.{name} {kind} {getattr(c, 'magic', None) or c.callback!r}"
            for kind, c in checks
            if not c.awaitable
        ]
    for sub in router.sub_routers:
        found += threaded_callables(sub)
    return found


def test_no_handler_or_filter_runs_on_a_thread() -> None:
    """Each would cost a worker-thread round trip per update it is checked on (bot/filters.py)."""
    offenders = [o for r in get_routers() for o in threaded_callables(r)]
    assert offenders == []


def test_the_thread_check_catches_a_magic_filter() -> None:
    router = Router(name="bad")
    router.message.filter(F.chat.type == "private")

    async def handler() -> None: ...

    router.message.register(handler, OnLoop(F.text), F.document)
    assert len(threaded_callables(router)) == 2
