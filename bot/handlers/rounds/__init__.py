"""Progress rounds in the chat: the secretary opens a round (`/ronda`) and reads its summary;
each liaison answers agreement by agreement and resumes where they left off."""

from __future__ import annotations

from aiogram import Router

from bot.handlers.rounds import rounds


def router() -> Router:
    return rounds.router()
