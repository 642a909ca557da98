"""One router per feature, collected here in the order they must match."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    agreements,
    assistance,
    chat_member,
    errors,
    fallback,
    help,
    history,
    language,
    membership,
    portal,
    profile,
    reports,
    rounds,
    sessions,
    start,
    translations,
)


def get_routers() -> list[Router]:
    # The most frequent messages first (every message walks the list until one takes it);
    # fallback last: it answers whatever no feature router took.
    return [
        start.router(),
        help.router(),
        language.router(),
        profile.router(),
        membership.router(),  # /invitar (and /cancelar in any state), /mis_datos
        history.router(),
        sessions.router(),
        agreements.router(),
        rounds.router(),
        assistance.router(),
        reports.router(),
        portal.router(),  # /portal, /panel: links to the web side
        translations.router(),  # «Ver en español», «⚑», /traducir
        chat_member.router(),  # my_chat_member updates only
        errors.router(),  # errors only: aiogram offers them to every router in turn
        fallback.router(),
    ]
