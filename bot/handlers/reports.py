"""Reports (see the reports issue)."""

from __future__ import annotations

from aiogram import Router


def router() -> Router:
    return Router(name="reports")
