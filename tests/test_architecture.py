"""Layering: bot.handlers → bot.workflows → db. Rules never depend on Telegram or the scheduler.

The layout of issue 13 is kept by checks here and by lint-imports' contracts (pyproject.toml): no SQL in
handlers, no `catalogs` in workflows, small modules and small handlers. Each check is a function run on
the repository and, in a test of its own, on a bad file it must catch. What the code breaks today is
listed in TO_FIX_* (being fixed in issue 13); an entry that no longer breaks the rule fails the tests
too, so the lists only shrink.
"""

from __future__ import annotations

import ast
import json
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


# --- The layout of issue 13 ------------------------------------------------------------------------

MAX_MODULE_LINES = 400
MAX_HANDLER_LINES = 25  # the body's statements, without the docstring: one handler per action

# Allowed for good, each with the reason ("path" or "path::function" -> why).
SQL_IN_HANDLERS: dict[str, str] = {}
CATALOGS_PARAMETERS: dict[str, str] = {}  # e.g. a report document rendered in the reader's language
LONG_MODULES: dict[str, str] = {}
LONG_HANDLERS: dict[str, str] = {}

# Today's violations: being fixed in issue 13.
TO_FIX_SQL_IN_HANDLERS = {}
TO_FIX_CATALOGS_PARAMETERS: set[str] = set()
TO_FIX_LONG_MODULES = {}
TO_FIX_LONG_HANDLERS = {
    "bot/handlers/membership/privacy.py::show_my_data",  # being fixed in issue 13
}

# The query builders and the session's own methods: a handler passes `db` on to a workflow, nothing else.
SQL_BUILDERS = {"select", "insert", "update", "delete", "text", "col", "func", "and_", "or_", "exists"}
SQL_METHODS = {"exec", "execute", "scalar", "scalars", "stream", "stream_scalars"}
SESSION_TYPES = {"AsyncSession", "Session"}
# Imports a handler may use for the session's type, never for a query.
SESSION_IMPORTS = ("sqlmodel.ext.asyncio.session", "sqlalchemy.ext.asyncio")
EVENT_TYPES = {
    "Message",
    "CallbackQuery",
    "ChatMemberUpdated",
    "ErrorEvent",
    "InlineQuery",
    "ChatJoinRequest",
    "PollAnswer",
    "PreCheckoutQuery",
    "Update",
}


def python_files(root: Path, *packages: str) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            yield path.relative_to(root).as_posix(), ast.parse(path.read_text(), str(path))


def functions(
    tree: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function with its qualified name (Class.method, outer.inner)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + node.name, node
            yield from functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, f"{prefix}{node.name}.")
        else:
            yield from functions(node, prefix)


def names_in(annotation: ast.expr | None) -> set[str]:
    if annotation is None:
        return set()
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return names_in(ast.parse(annotation.value, mode="eval").body)
    return {n.id for n in ast.walk(annotation) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(annotation) if isinstance(n, ast.Attribute)
    }


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    a = function.args
    return [
        *a.posonlyargs,
        *a.args,
        *a.kwonlyargs,
        *([a.vararg] if a.vararg else []),
        *([a.kwarg] if a.kwarg else []),
    ]


def owners(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node's innermost enclosing function by qualified name ("" at module level)."""
    owner_of: dict[ast.AST, str] = {}

    def visit(node: ast.AST, owner: str, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                owner_of[child] = owner
                visit(child, prefix + child.name, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                owner_of[child] = owner
                visit(child, owner, f"{prefix}{child.name}.")
            else:
                owner_of[child] = owner
                visit(child, owner, prefix)

    visit(tree, "", "")
    return owner_of


def sql_call(call: ast.Call, sessions: set[str]) -> str | None:
    """What a call does with SQL: a query builder, a statement run, or the session used directly."""
    callee = call.func
    if isinstance(callee, ast.Name) and callee.id in SQL_BUILDERS:
        return f"{callee.id}()"
    if isinstance(callee, ast.Attribute) and (
        callee.attr in SQL_METHODS
        or (isinstance(callee.value, ast.Name) and callee.value.id in sessions | {"func"})
    ):
        return f"{ast.unparse(callee)}()"
    return None


def sql_in_handlers(root: Path) -> dict[str, list[str]]:
    """Handler code (the chat's handlers and the web's routes) that builds or runs queries: "path"
    for imports and module-level code, "path::function" inside a function."""
    found: dict[str, list[str]] = {}
    for path, tree in python_files(root, "bot/handlers", "bot/web"):
        sessions = {
            name: {"db"} | {p.arg for p in parameters(f) if names_in(p.annotation) & SESSION_TYPES}
            for name, f in functions(tree)
        }
        for node, owner in owners(tree).items():
            key = f"{path}::{owner}" if owner else path
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                )
                for module in modules:
                    if module.split(".")[0] in {"sqlalchemy", "sqlmodel"} and not module.startswith(
                        SESSION_IMPORTS
                    ):
                        found.setdefault(key, []).append(f"line {node.lineno} imports {module}")
            elif isinstance(node, ast.Call) and (what := sql_call(node, sessions.get(owner, {"db"}))):
                found.setdefault(key, []).append(f"line {node.lineno} calls {what}")
    return found


def catalogs_parameters(root: Path) -> dict[str, list[str]]:
    """Workflow functions taking the catalogs: they would render text themselves instead of returning
    Notices for bot/notify.py."""
    found: dict[str, list[str]] = {}
    for path, tree in python_files(root, "bot/workflows"):
        for name, function in functions(tree):
            for p in parameters(function):
                if p.arg == "catalogs" or "Catalogs" in names_in(p.annotation):
                    found.setdefault(f"{path}::{name}", []).append(f"line {p.lineno} takes {p.arg}")
    return found


def long_modules(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for package in ("bot", "db"):
        for path in sorted((root / package).rglob("*.py")):
            lines = len(path.read_text().splitlines())
            if lines > MAX_MODULE_LINES:
                found[path.relative_to(root).as_posix()] = [f"{lines} lines"]
    return found


def long_handlers(root: Path) -> dict[str, list[str]]:
    """Functions taking a Telegram event (a message, a button press…) whose body is over the limit."""
    found: dict[str, list[str]] = {}
    for path, tree in python_files(root, "bot/handlers"):
        for name, function in functions(tree):
            if not any(names_in(p.annotation) & EVENT_TYPES for p in parameters(function)):
                continue
            body = function.body
            if ast.get_docstring(function) is not None and len(body) > 1:
                body = body[1:]
            lines = (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1
            if lines > MAX_HANDLER_LINES:
                found[f"{path}::{name}"] = [f"{lines} lines"]
    return found


def unexplained(found: dict[str, list[str]], *allowed: set[str] | dict[str, str]) -> list[str]:
    """Violations neither allowed for good nor listed to fix, with what each does."""
    permitted = set().union(*allowed)
    return [f"{key}: {'; '.join(details)}" for key, details in found.items() if key not in permitted]


ARCHITECTURE_CHECKS = {
    "sql in handlers": (sql_in_handlers, TO_FIX_SQL_IN_HANDLERS, SQL_IN_HANDLERS),
    "catalogs parameters": (catalogs_parameters, TO_FIX_CATALOGS_PARAMETERS, CATALOGS_PARAMETERS),
    "long modules": (long_modules, TO_FIX_LONG_MODULES, LONG_MODULES),
    "long handlers": (long_handlers, TO_FIX_LONG_HANDLERS, LONG_HANDLERS),
}


@pytest.mark.parametrize("check", ARCHITECTURE_CHECKS)
def test_the_code_keeps_the_layout(check: str) -> None:
    find, to_fix, allowed = ARCHITECTURE_CHECKS[check]
    assert unexplained(find(ROOT), to_fix, allowed) == []


@pytest.mark.parametrize("check", ARCHITECTURE_CHECKS)
def test_allowlists_name_only_current_violations(check: str) -> None:
    """Once a violation is fixed its entry goes (a TO_FIX list ends empty); a lasting one says why."""
    find, to_fix, allowed = ARCHITECTURE_CHECKS[check]
    assert sorted((set(to_fix) | set(allowed)) - set(find(ROOT))) == []
    assert [key for key, reason in allowed.items() if not reason.strip()] == []


def write(root: Path, path: str, source: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(source)


def test_the_sql_check_catches_queries_in_a_handler(tmp_path: Path) -> None:
    write(
        tmp_path,
        "bot/handlers/bad.py",
        "from sqlmodel import select\n"
        "from sqlmodel.ext.asyncio.session import AsyncSession\n"
        "from db.models import Person\n\n"
        "EVERYONE = select(Person)\n\n"
        "async def on_start(message, db: AsyncSession, session: AsyncSession) -> None:\n"
        "    await db.exec(select(Person))\n"
        "    await db.get(Person, 1)\n"
        "    session.add(Person())\n"
        "    await message.answer('hola')\n",
    )
    write(tmp_path, "bot/handlers/good.py", "async def on_help(message, db) -> None:\n    await reply(db)\n")
    write(
        tmp_path,
        "bot/web/route.py",
        "async def page(request) -> None:\n    async with maker() as db:\n        await db.execute(query)\n",
    )
    assert sql_in_handlers(tmp_path) == {
        "bot/web/route.py::page": ["line 3 calls db.execute()"],
        "bot/handlers/bad.py": ["line 1 imports sqlmodel", "line 5 calls select()"],
        "bot/handlers/bad.py::on_start": [
            "line 8 calls db.exec()",
            "line 8 calls select()",
            "line 9 calls db.get()",
            "line 10 calls session.add()",
        ],
    }


def test_the_catalogs_check_catches_a_workflow_taking_catalogs(tmp_path: Path) -> None:
    write(
        tmp_path,
        "bot/workflows/sessions/bad.py",
        "class Reminder:\n"
        "    async def send(self, db, *, catalogs) -> None: ...\n\n"
        "def render(db, texts: 'Catalogs | None' = None) -> None: ...\n\n"
        "def notices(db, now) -> list: ...\n",
    )
    assert catalogs_parameters(tmp_path) == {
        "bot/workflows/sessions/bad.py::Reminder.send": ["line 2 takes catalogs"],
        "bot/workflows/sessions/bad.py::render": ["line 4 takes texts"],
    }


def test_the_module_length_check_catches_a_long_module(tmp_path: Path) -> None:
    write(tmp_path, "db/long.py", "x = 1\n" * (MAX_MODULE_LINES + 1))
    write(tmp_path, "bot/short.py", "x = 1\n" * MAX_MODULE_LINES)
    assert long_modules(tmp_path) == {"db/long.py": [f"{MAX_MODULE_LINES + 1} lines"]}


def test_the_handler_length_check_catches_a_long_handler(tmp_path: Path) -> None:
    too_long = "".join(f"    await say({i})\n" for i in range(MAX_HANDLER_LINES + 1))
    at_limit = "".join(f"    await say({i})\n" for i in range(MAX_HANDLER_LINES))
    write(
        tmp_path,
        "bot/handlers/sessions/bad.py",
        "from aiogram.types import CallbackQuery, Message\n\n"
        f"async def on_session(query: CallbackQuery, say) -> None:\n{too_long}\n"
        f'async def on_text(message: Message, say) -> None:\n    """Why."""\n{at_limit}\n'
        f"def keyboard(tr) -> None:\n{too_long}",
    )
    assert long_handlers(tmp_path) == {
        "bot/handlers/sessions/bad.py::on_session": [f"{MAX_HANDLER_LINES + 1} lines"],
    }


# --- The import contracts (pyproject.toml, run by lint-imports in CI) ----------------------------------

WORKFLOW_LAYERS = ("housekeeping", "reports", "rounds", "sessions", "assistance", "agreements", "membership")
KERNEL = ("access", "audit", "business_days", "errors", "labels", "notices", "outbox", "standing")
HANDLER_FEATURES = tuple(
    f"bot.handlers.{f}" for f in ("membership", "sessions", "agreements", "rounds", "assistance")
)


def missing_contracts(pyproject: Path) -> list[str]:
    """The import-linter contracts issue 13 relies on, that pyproject.toml does not configure."""
    contracts = (
        tomllib.loads(pyproject.read_text()).get("tool", {}).get("importlinter", {}).get("contracts", [])
    )
    missing = []

    def layer_of(layers: list[str], module: str) -> int | None:
        return next(
            (
                i
                for i, layer in enumerate(layers)
                if module in {m.strip() for m in layer.replace("|", ":").split(":")}
            ),
            None,
        )

    def orders_the_workflows(c: dict[str, Any]) -> bool:
        layers = c.get("layers", [])
        found = [layer_of(layers, m) for m in (*WORKFLOW_LAYERS, *KERNEL)]
        if c.get("type") != "layers" or c.get("containers") != ["bot.workflows"] or None in found:
            return False
        ranks = [r for r in found if r is not None]
        features, kernel = ranks[: len(WORKFLOW_LAYERS)], ranks[len(WORKFLOW_LAYERS) :]
        return features == sorted(features) and min(kernel) > max(features)

    expected: dict[str, Callable[[dict[str, Any]], bool]] = {
        "layers over bot.workflows (features above the kernel)": orders_the_workflows,
        "independence of the handler features": lambda c: (
            c.get("type") == "independence" and set(HANDLER_FEATURES) <= set(c.get("modules", []))
        ),
        "independence of the web side and the chat handlers": lambda c: (
            c.get("type") == "independence" and {"bot.web", "bot.handlers"} <= set(c.get("modules", []))
        ),
        "bot.i18n forbidden from importing bot.workflows": lambda c: (
            c.get("type") == "forbidden"
            and "bot.i18n" in c.get("source_modules", [])
            and "bot.workflows" in c.get("forbidden_modules", [])
        ),
        "bot.workflows and db forbidden from importing aiogram, apscheduler, bot.handlers": lambda c: (
            c.get("type") == "forbidden"
            and {"bot.workflows", "db"} <= set(c.get("source_modules", []))
            and {"aiogram", "apscheduler", "bot.handlers"} <= set(c.get("forbidden_modules", []))
        ),
        "db forbidden from importing bot": lambda c: (
            c.get("type") == "forbidden"
            and c.get("source_modules") == ["db"]
            and "bot" in c.get("forbidden_modules", [])
        ),
    }
    for name, matches in expected.items():
        if not any(matches(c) for c in contracts):
            missing.append(name)
    return missing


def test_the_import_contracts_are_configured() -> None:
    assert missing_contracts(ROOT / "pyproject.toml") == []


def test_the_contract_check_catches_a_missing_or_reordered_contract(tmp_path: Path) -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    copy = tmp_path / "pyproject.toml"
    copy.write_text(toml_of(contracts))
    assert missing_contracts(copy) == []

    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    layers[0], layers[1] = layers[1], layers[0]  # reports above housekeeping
    copy.write_text(toml_of([c for c in contracts if c["type"] != "independence"]))
    assert missing_contracts(copy) == [
        "layers over bot.workflows (features above the kernel)",
        "independence of the handler features",
        "independence of the web side and the chat handlers",
    ]


def toml_of(contracts: list[dict[str, Any]]) -> str:
    """Just enough TOML for the contracts' strings and lists of strings."""

    def value(v: object) -> str:
        return "[" + ", ".join(value(x) for x in v) + "]" if isinstance(v, list) else json.dumps(v)

    return "".join(
        "[[tool.importlinter.contracts]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in c.items()) + "\n"
        for c in contracts
    )
