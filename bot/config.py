"""Settings, read from the environment or `.env`, validated once at start.

Importing this module must stay cheap: the CLI reads settings for commands that never touch aiogram.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./cra.db"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
# Connections of a bot process that updates leave free: the sender's, the scheduler's ticks and the
# scheduler leader's advisory lock, which holds one for as long as the process leads.
RESERVED_CONNECTIONS = 3
# Updates a SQLite bot handles at once. Its statements run inline on the event loop (db/sqlite_inline.py),
# so an update runs through without yielding and more at once gain nothing; each one ready to run
# is another ~1.5 ms the sender's next step waits behind (64 of them kept replies to ~7/s in a flood).
SQLITE_UPDATES_AT_ONCE = 8

# Telegram issues tokens as "<bot id>:<35 url-safe characters>"; test doubles use shorter secrets.
_TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{5,100}$")
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    redis_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    invitation_days: int = Field(default=14, ge=1, le=365)
    telegram_global_rate: float = Field(default=25.0, gt=0, le=1000)  # Telegram: ~30/s, with headroom
    telegram_timeout_seconds: int = Field(default=20, ge=1, le=300)
    delivery_give_up_minutes: float = Field(default=60.0, gt=0)
    delivery_lease_seconds: float = Field(default=30.0, gt=0)
    shutdown_flush_seconds: float = Field(default=10.0, ge=0)
    scheduler_tick_seconds: float = Field(default=60.0, gt=0)
    # Updates handled at once (polling): a backlog after downtime waits in Telegram, not in memory.
    max_concurrent_updates: int = Field(default=64, ge=1, le=10_000)
    # PostgreSQL connections per process, kept open; updates beyond them wait for one (a moment, and
    # at most DATABASE_POOL_TIMEOUT). Overflow connections (unset: none) are opened and closed per use:
    # under load that was a new server process per update and halved throughput.
    database_pool_size: int = Field(default=20, ge=1, le=1000)
    database_max_overflow: int = Field(default=0, ge=0, le=10_000)
    database_pool_timeout: float = Field(default=30.0, gt=0, le=600)
    # At start, how long to keep retrying an unreachable Telegram API before giving up (exit 2).
    startup_retry_seconds: float = Field(default=60.0, ge=0, le=3600)
    # Monitoring: /healthz, /readyz and /metrics (polling mode: this server; webhook mode: the
    # webhook's own server). HEALTH_PORT=0 turns the polling-mode server off.
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=8081, ge=0, le=65535)
    # Who is told about incidents (comma-separated Telegram ids; unset: the CAN's secretaries), and when.
    admin_telegram_ids: str = ""
    alert_outbox_age_minutes: float = Field(default=15.0, gt=0)
    alert_scheduler_late_minutes: float = Field(default=10.0, gt=0)
    # The web side (`cra-bot web`): where it listens behind the reverse proxy, and the public base
    # URL its links use (unset: http://WEB_HOST:WEB_PORT, for a developer's machine).
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8090, ge=1, le=65535)
    public_base_url: str = ""

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("redis_url", "webhook_url", "webhook_secret", "bot_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_max_overflow", mode="before")
    @classmethod
    def _blank_is_zero(cls, value: object) -> object:
        return 0 if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_telegram_ids", mode="after")
    @classmethod
    def _telegram_ids(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip() and not re.fullmatch(r"-?\d{1,20}", part.strip()):
                raise ValueError(f"{part.strip()!r} is not a Telegram id (digits, comma-separated)")
        return value

    @field_validator("public_base_url", mode="after")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("expected an http(s) URL such as https://cra.example.gob.pe")
        return value

    def web_base_url(self) -> str:
        """The web side's public address, without a trailing slash."""
        return self.public_base_url or f"http://{self.web_host}:{self.web_port}"

    def admin_ids(self) -> tuple[int, ...]:
        """ADMIN_TELEGRAM_IDS as numbers (empty: the CAN's technical secretariat is told)."""
        return tuple(int(part) for part in self.admin_telegram_ids.split(",") if part.strip())

    def database_pool(self) -> dict[str, Any]:
        """Pool arguments for `make_engine` (SQLite in the bot process ignores them: one connection)."""
        return {
            "pool_size": self.database_pool_size,
            "max_overflow": self.database_max_overflow,
            "pool_timeout": self.database_pool_timeout,
        }

    def updates_at_once(self) -> int:
        """MAX_CONCURRENT_UPDATES, but at most SQLITE_UPDATES_AT_ONCE on SQLite."""
        if self.database_url.startswith("sqlite"):
            return min(self.max_concurrent_updates, SQLITE_UPDATES_AT_ONCE)
        return self.max_concurrent_updates

    def update_transactions(self) -> int:
        """How many updates may hold a database connection at once. The rest wait their turn before
        taking one, so the outbox sender, the scheduler and the leader's lock (RESERVED_CONNECTIONS)
        never queue behind a flood of updates: SQLite has one connection, so one update at a time."""
        if self.database_url.startswith("sqlite"):
            return 1
        pool = self.database_pool_size + self.database_max_overflow
        return max(1, pool - RESERVED_CONNECTIONS)

    def require_token(self) -> str:
        """The bot token, or a ConfigError saying what is wrong with it (never echoing it)."""
        if self.bot_token is None:
            raise ConfigError(
                "BOT_TOKEN is not set: put the token @BotFather gave you in the environment or .env"
            )
        token = self.bot_token.get_secret_value().strip()
        if not _TOKEN_RE.match(token):
            raise ConfigError(
                "BOT_TOKEN is malformed: expected '<digits>:<letters, digits, - or _>' from @BotFather"
            )
        return token

    def require_webhook(self) -> tuple[str, str]:
        """Webhook URL and secret for webhook mode, validated."""
        if not self.webhook_url:
            raise ConfigError("WEBHOOK_URL is not set: webhook mode needs the public https URL")
        if not self.webhook_url.startswith("https://"):
            raise ConfigError("WEBHOOK_URL must start with https:// (Telegram only calls https)")
        if self.webhook_secret is None:
            raise ConfigError("WEBHOOK_SECRET is not set: webhook mode needs a secret token")
        secret = self.webhook_secret.get_secret_value()
        if not _WEBHOOK_SECRET_RE.match(secret):
            raise ConfigError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return self.webhook_url, secret


def load_settings() -> Settings:
    """Read settings; any validation problem becomes a one-line ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"{name}: {first['msg']}") from None
