"""Technical assistance in the chat: a region asks the CAN for help (`/asistencia_tecnica`); a CAN
analyst moves the request through received, in progress, answered and closed."""

from __future__ import annotations

from aiogram import Router

from bot.handlers.assistance import requests


def router() -> Router:
    return requests.router()
