"""Agreements in the chat: the register (`/acuerdos`, `/nuevo_acuerdo`, CSV in and out), each
agreement's changes, and liaisons reporting progress with evidence (`/avance`); the evidence
opens from the detail, and a liaison whose agreement is overdue asks the secretariat for a new
deadline, which the secretary accepts or refuses."""

from __future__ import annotations

from aiogram import Router

from bot.handlers.agreements import csv_io, deadlines, manage, progress, register


def router() -> Router:
    r = Router(name="agreements")
    r.include_routers(
        register.router(), manage.router(), csv_io.router(), progress.router(), deadlines.router()
    )
    return r
