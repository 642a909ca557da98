"""Notices: what workflows say to whom. The text is a `bot.i18n.Text`, rendered later in each
recipient's own language by the one exit for messages (bot/notify.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Text


@dataclass(frozen=True)
class Notice:
    """Something to tell one person (by person id), rendered in their own language."""

    person_id: int
    text: Text
    # The commission the notice is about: its secretariat hears if it cannot be delivered.
    commission_id: int | None = None
