"""Sessions (see the sessions issue)."""

from __future__ import annotations

from aiogram import Router


def router() -> Router:
    return Router(name="sessions")
