"""A fake Telegram Bot API server for end-to-end tests (see server.py)."""

from __future__ import annotations

from .server import BotApiDouble, Recorded

__all__ = ["BotApiDouble", "Recorded"]
