"""Sessions in the chat: the secretary schedules (`/nueva_sesion`), convenes and runs a session
(roll call, votes, agreements, acta) and keeps the rules and calendar (`/reglas`, `/feriados`,
`/calendario`); members answer convocations with a tap."""

from __future__ import annotations

from aiogram import Router

from bot.handlers.sessions import answers, manage, meeting, schedule, settings


def router() -> Router:
    r = Router(name="sessions")
    r.include_routers(
        schedule.router(), manage.router(), meeting.router(), answers.router(), settings.router()
    )
    return r
