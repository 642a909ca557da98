"""Translatable text that is not rendered yet, and notices addressed to people.

Workflows cannot know the reader's language, so they return `Text` (a Spanish message id plus
named parameters); the bot layer renders it per recipient. `msg` and `nmsg` are the extraction
keywords for these message ids (see locales/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Text:
    """A message id (Spanish) with named parameters; plural when `plural` and `n` are set."""

    msgid: str
    plural: str | None = None
    n: int | None = None
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


def msg(msgid: str, /, **params: object) -> Text:
    """Mark a message for translation and rendering later, in the reader's language."""
    return Text(msgid, params=MappingProxyType(params))


def nmsg(singular: str, plural: str, n: int, /, **params: object) -> Text:
    """Like `msg` for a count: the reader's language picks the plural form for `n`."""
    return Text(singular, plural, n, MappingProxyType(params))


@dataclass(frozen=True)
class Notice:
    """Something to tell one person (by person id), rendered in their own language."""

    person_id: int
    text: Text
    # The commission the notice is about: its secretariat hears if it cannot be delivered.
    commission_id: int | None = None
