"""What an operator deploys from: .env.example and the README's table name every setting with its
default; the systemd units and the nginx example are valid and match the CLI and the shutdown."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
NGINX = ROOT / "deploy" / "nginx" / "cra-bot.conf"
INSTALLED_CLI = "/opt/cra-bot/venv/bin/cra-bot"
SETTINGS = sorted(name.upper() for name in Settings.model_fields)
# `NAME=value` or `# NAME=value`: a setting's line in .env.example (prose never takes that form).
_ASSIGNMENT = re.compile(r"^(?:#\s?)?([A-Z][A-Z0-9_]*)=(.*)$")
HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes"}


def env_example() -> list[tuple[str, str]]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return [(m[1], m[2]) for line in lines if (m := _ASSIGNMENT.match(line))]


def test_env_example_lists_every_setting_once_with_its_default() -> None:
    entries = env_example()
    names = [name for name, _ in entries]
    assert sorted(names) == SETTINGS, "add the new setting to .env.example, with its default"
    for name, value in entries:
        field = name.lower()
        shown = getattr(Settings(_env_file=None, **{field: value}), field)  # type: ignore[call-arg]
        assert shown == Settings.model_fields[field].default, f"{name}={value} is not the default"


def test_env_example_loads_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert settings.bot_token is None and settings.webhook_url is None


def test_readme_configuration_table_names_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    named = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row)}
    assert set(SETTINGS) - named == set(), "add a row for each setting to README's Configuration table"


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as section -> key -> values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in (UNITS / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            current.setdefault(key, []).append(value)
    return sections


def cli_args(exec_start: str) -> list[str]:
    """The cra-bot arguments of an ExecStart line: after an `env VAR=…` prefix, or in `sh -c '…'`."""
    words = shlex.split(exec_start.replace("%%", "%"))
    if words[:2] == ["/bin/sh", "-c"]:
        words = shlex.split(words[2])
    return words[words.index(INSTALLED_CLI) + 1 :]


BOT_UNITS = ("cra-bot.service", "cra-bot-webhook@.service")


@pytest.mark.parametrize("name", BOT_UNITS)
def test_bot_units_restart_and_stop_after_the_flush(name: str) -> None:
    service = unit(name)["Service"]
    assert service["Restart"] == ["always"] and service["KillSignal"] == ["SIGTERM"]
    # Shutdown waits for handlers, then flushes the outbox, each up to SHUTDOWN_FLUSH_SECONDS.
    flush = Settings.model_fields["shutdown_flush_seconds"].default
    assert int(service["TimeoutStopSec"][0]) >= 2 * flush + 5
    assert "cra-bot-migrate.service" in unit(name)["Unit"]["Requires"][0]
    assert "cra-bot-migrate.service" in unit(name)["Unit"]["After"][0]


@pytest.mark.parametrize(
    "name", [*BOT_UNITS, "cra-bot-web.service", "cra-bot-migrate.service", "cra-bot-backup.service"]
)
def test_units_run_as_a_dedicated_user_hardened(name: str) -> None:
    service = unit(name)["Service"]
    assert service["User"] == ["cra-bot"] and service["Group"] == ["cra-bot"]
    assert service["WorkingDirectory"] == ["/var/lib/cra-bot"]
    assert service["EnvironmentFile"] == ["/etc/cra-bot/cra-bot.env"]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], f"{name}: {key}={value}"


def test_unit_commands_are_the_cli_s() -> None:
    parser = build_parser()
    migrate = parser.parse_args(cli_args(unit("cra-bot-migrate.service")["Service"]["ExecStart"][0]))
    assert (migrate.command, migrate.db_command) == ("db", "upgrade")
    assert unit("cra-bot-migrate.service")["Service"]["Type"] == ["oneshot"]
    polling = parser.parse_args(cli_args(unit("cra-bot.service")["Service"]["ExecStart"][0]))
    assert (polling.command, polling.webhook) == ("run", False)
    start = unit("cra-bot-webhook@.service")["Service"]["ExecStart"][0]
    webhook = parser.parse_args(cli_args(start))
    assert (webhook.command, webhook.webhook) == ("run", True)
    assert "WEBHOOK_PORT=%i" in shlex.split(start)  # the instance name is the port
    web = parser.parse_args(cli_args(unit("cra-bot-web.service")["Service"]["ExecStart"][0]))
    assert web.command == "web"
    backup = parser.parse_args(cli_args(unit("cra-bot-backup.service")["Service"]["ExecStart"][0]))
    assert backup.command == "backup" and str(backup.path).startswith("/var/lib/cra-bot/backups/")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # The venv's own entry point: the README's test command runs .venv/bin/pytest without the venv on PATH.
    beside = Path(sys.executable).parent / "cra-bot"
    cli = str(beside) if beside.exists() else shutil.which("cra-bot")
    assert cli is not None
    for path in UNITS.glob("*.service"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8").replace(INSTALLED_CLI, cli))
    for path in UNITS.glob("*.timer"):
        shutil.copy(path, tmp_path / path.name)
    names = [
        "cra-bot.service",
        "cra-bot-migrate.service",
        "cra-bot-webhook@8081.service",
        "cra-bot-web.service",
        "cra-bot-backup.service",
        "cra-bot-backup.timer",
    ]
    result = subprocess.run(
        ["systemd-analyze", "verify", *(f"./{n}" for n in names)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Unknown keys and unparsable values are only warned about: any output is a mistake.
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None, reason="nginx or openssl not installed"
)
def test_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=bot",
         "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    site = NGINX.read_text(encoding="utf-8")
    site = site.replace("/etc/letsencrypt/live/bot.example.gob.pe/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/bot.example.gob.pe/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temporary = " ".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in kinds)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        # Temporary files under tmp_path: the compiled-in /var/lib/nginx exists only where it is installed.
        f"http {{ access_log off; {temporary}\n  include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_nginx_passes_the_webhook_secret_to_the_bot() -> None:
    site = NGINX.read_text(encoding="utf-8")
    webhook = site.split("location = /webhook {", 1)[1].split("\n    }", 1)[0]
    assert "proxy_pass http://cra_bot_webhook;" in webhook
    assert "X-Telegram-Bot-Api-Secret-Token $http_x_telegram_bot_api_secret_token" in webhook
    assert "listen 443 ssl" in site and "ssl_certificate " in site
