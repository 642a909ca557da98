"""Rounds (see the rounds issue)."""

from __future__ import annotations

from aiogram import Router


def router() -> Router:
    return Router(name="rounds")
