"""Membership in the chat: the secretary invites people with `/invitar` and revokes pending links;
everyone sees and may erase what the bot stores about them (`/mis_datos`); `/miembros` is the
directory, from which the secretary changes roles, ends memberships and designates successors."""

from __future__ import annotations

from aiogram import Router

from bot.handlers.membership import (
    bulk,
    changes,
    contacts,
    directory,
    documents,
    election,
    invitations,
    privacy,
)


def router() -> Router:
    r = Router(name="membership")
    r.include_routers(
        invitations.router(),
        privacy.router(),
        directory.router(),
        changes.router(),
        contacts.router(),
        documents.router(),
        bulk.router(),
        election.router(),
    )
    return r
