"""Configuration and the administrator CLI, run as real processes where it matters."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings

ROOT = Path(__file__).resolve().parent.parent


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "WEBHOOK_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**base, **(env or {})},
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_does_not_import_aiogram() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "print(sorted(m for m in ('aiogram', 'sqlalchemy', 'alembic') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("token", "why"), [(None, "BOT_TOKEN is not set"), ("12345", "BOT_TOKEN is malformed")]
)
def test_run_without_a_valid_token_exits_2_with_one_line(tmp_path: Path, token: str | None, why: str) -> None:
    env = {"BOT_TOKEN": token} if token else {}
    result = cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and why in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "cra.db").exists()  # nothing was created


def test_token_never_appears_in_errors() -> None:
    settings = Settings(bot_token="not a token at all")  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as error:
        settings.require_token()
    assert "not a token" not in str(error.value)
    assert "not a token" not in repr(settings)


def test_webhook_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="https"):
        Settings(webhook_url="http://example.org/hook", webhook_secret="abc").require_webhook()  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        Settings(webhook_url="https://example.org/hook", webhook_secret="bad secret!").require_webhook()  # type: ignore[arg-type]


def test_bad_log_level_is_one_clear_line(tmp_path: Path) -> None:
    result = cli("db", "upgrade", env={"LOG_LEVEL": "LOUD"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "LOG_LEVEL" in result.stderr


def test_admin_creates_commissions_and_invites_with_the_link_last(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cra.db'}"}
    created = cli("commission", "create", "CUS", env=env)
    assert created.returncode == 0, created.stderr
    assert "Comisión Regional Anticorrupción de Cusco" in created.stdout
    assert "already exists" in cli("commission", "create", "cusco", env=env).stdout
    assert cli("commission", "create", "CAN", env=env).returncode == 0
    typo = cli("commission", "create", "Cuzko", env=env)
    assert typo.returncode == 2 and "CUS" in typo.stderr and "Traceback" not in typo.stderr

    invited = cli(
        "invite",
        "CUS",
        "--role",
        "secretary",
        "--org",
        "Gobierno Regional del Cusco",
        "--name",
        "Rosa Mamani",
        "--bot-username",
        "cra_bot",
        env=env,
    )
    assert invited.returncode == 0, invited.stderr
    last = invited.stdout.strip().splitlines()[-1]
    assert last.startswith("https://t.me/cra_bot?start=") and len(last.split("=")[1]) >= 22
    analyst = cli(
        "invite",
        "CAN",
        "--role",
        "can_analyst",
        "--name",
        "Luis",
        "--bot-username",
        "cra_bot",
        env=env,
    )
    assert analyst.stdout.strip().splitlines()[-1].startswith("https://t.me/cra_bot?start=")

    no_org = cli("invite", "CUS", "--role", "liaison", "--bot-username", "cra_bot", env=env)
    assert no_org.returncode == 2 and "institución" in no_org.stderr
    unknown = cli("invite", "PUN", "--role", "member", "--org", "X Y Z", "--bot-username", "b", env=env)
    assert unknown.returncode == 2 and "PUN" in unknown.stderr
    listed = cli("commission", "list", env=env).stdout
    assert listed.splitlines() == [
        "CAN\tComisión de Alto Nivel Anticorrupción",
        "CUS\tComisión Regional Anticorrupción de Cusco",
    ]


def test_invite_without_username_or_token_says_what_to_pass(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cra.db'}"}
    cli("commission", "create", "PUN", env=env)
    result = cli("invite", "PUN", "--role", "observer", env=env)
    assert result.returncode == 2 and "BOT_TOKEN" in result.stderr


def test_admin_grants_the_translator_role_for_a_shipped_language(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cra.db'}"}
    added = cli("translator", "add", "700", "ay", "--name", "Justina Quispe", env=env)
    assert added.returncode == 0, added.stderr
    assert "Justina Quispe (Telegram 700) reviews ay: granted" in added.stdout and "/traducir" in added.stdout
    assert "already granted" in cli("translator", "add", "700", "ay", env=env).stdout
    spanish = cli("translator", "add", "700", "es", env=env)
    assert spanish.returncode == 2 and "catálogo" in spanish.stderr and "Traceback" not in spanish.stderr
