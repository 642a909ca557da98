"""Refusals a person can understand: each carries a localisable `Text` saying what to do."""

from __future__ import annotations

from bot.i18n import Text


class UserError(Exception):
    """Bad input or a refused action; the handler shows `text` and nothing is changed."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


class AccessDenied(UserError):
    """The person's role in that commission does not allow the action."""


class NotFound(UserError):
    """The thing asked for does not exist (or is not visible to this person)."""


class ReasonNeeded(UserError):
    """Refused as it stands, but allowed with a written reason: `prompt` asks for it."""

    def __init__(self, text: Text, prompt: Text) -> None:
        super().__init__(text)
        self.prompt = prompt
