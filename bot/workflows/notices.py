"""Notices: what workflows say to whom. The text is a `bot.i18n.Text`, rendered later in each
recipient's own language by the one exit for messages (bot/notify.py), which also turns a button
spec (`Rsvp`, `Ballot`, …) into the keyboard the handlers accept: workflows never pack callback data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.i18n import Text, Translator
from db.models import FileKind, Person


@dataclass(frozen=True)
class Rsvp:
    """The answer buttons of a convocation; after a postponement, also «keep my previous answer»."""

    session_id: int
    keep_previous: bool = False


@dataclass(frozen=True)
class Ballot:
    """The vote buttons (for, against, abstain) of an agenda item."""

    item_id: int


@dataclass(frozen=True)
class AskNewDeadline:
    """Under an overdue notice to a liaison: «ask the secretariat for a new deadline»."""

    agreement_id: int


@dataclass(frozen=True)
class DeadlineDecision:
    """Under a liaison's request for a new deadline: accept or refuse (event id of the request)."""

    request_id: int


@dataclass(frozen=True)
class ContactConfirm:
    """Under a directory confirmation request: «still right» or «there is a new person»."""

    check_id: int


Buttons = Rsvp | Ballot | AskNewDeadline | DeadlineDecision | ContactConfirm


@dataclass(frozen=True)
class Attachment:
    """A file sent after the text: our own bytes (an .ics), or one Telegram already holds
    (`file_id`, e.g. a document a secretary attached), forwarded without downloading it. `kind`
    says how Telegram takes it back: a photo's or a voice note's file id only goes with sendPhoto
    or sendVoice."""

    file_name: str
    content: bytes | None = None
    file_id: str | None = None
    caption: Text | None = None
    kind: FileKind = FileKind.DOCUMENT
    # Bytes made in each reader's language (an .ics whose title is translated); overrides `content`.
    per_reader: Callable[[Translator], bytes] | None = None


@dataclass(frozen=True)
class Notice:
    """Something to tell one person (by person id), rendered in their own language; or, with
    `group_chat_id` and no person, a post to a commission's group chat (in Spanish)."""

    person_id: int | None
    text: Text
    # The commission the notice is about: its secretariat hears if it cannot be delivered.
    commission_id: int | None = None
    buttons: Buttons | None = None
    attachments: tuple[Attachment, ...] = ()
    group_chat_id: int | None = None


def reachable(person: Person) -> bool:
    """Whether Telegram can deliver to the person: they have a chat with us and did not block it."""
    return person.telegram_id is not None and person.unreachable_at is None
