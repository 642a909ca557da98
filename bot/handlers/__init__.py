"""One router per feature, collected here in the order they must match."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    agreements,
    chat_member,
    errors,
    fallback,
    help,
    history,
    invitations,
    language,
    privacy,
    profile,
    reports,
    rounds,
    session_settings,
    sessions,
    start,
)


def get_routers() -> list[Router]:
    # fallback last: it answers whatever no feature router took.
    return [
        errors.router(),
        chat_member.router(),
        start.router(),
        language.router(),
        help.router(),
        profile.router(),
        invitations.router(),
        history.router(),
        privacy.router(),
        sessions.router(),
        session_settings.router(),
        agreements.router(),
        rounds.router(),
        reports.router(),
        fallback.router(),
    ]
