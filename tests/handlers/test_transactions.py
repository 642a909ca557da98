"""One transaction per update: a refusal undoes the handler's changes but is itself answered once."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.filters import Command
from aiogram.types import Message, MessageEntity, Update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.errors import UserError
from bot.workflows.notices import Notice
from db.models import Person, ProcessedUpdate, Role
from tests.handlers.conftest import Invite
from tests.harness import Harness, replies


async def change_then_refuse(
    message: Message, db: AsyncSession, person: Person, outbox: list[Notice]
) -> None:
    person.language = "es"  # a change the refusal must undo
    db.add(person)
    await db.flush()
    outbox.append(Notice(person.id or 0, msg("Hola")))  # a notice the refusal must not send
    raise UserError(msg("Ese idioma no está disponible. Elija uno de la lista."))


async def test_a_refused_update_changes_nothing_and_is_answered_once_in_the_persons_language(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    harness.dp.message.register(change_then_refuse, Command("romper"))
    rosa = harness.user(300, first_name="Rosa")
    await rosa.join(await invite("PUN", Role.LIAISON, "Contraloría"))
    await rosa.click("Aymar aru")
    message = Message(
        message_id=harness.next_message_id(),
        date=datetime.now(UTC),
        chat=rosa.chat,
        from_user=rosa.user,
        text="/romper",
        entities=[MessageEntity(type="bot_command", offset=0, length=7)],
    )
    update = Update(update_id=harness.next_update_id(), message=message)

    said = replies(await harness.feed(update))
    aymara = harness.dp["catalogs"].translator("ay")
    assert said == [aymara.gettext("Ese idioma no está disponible. Elija uno de la lista.")]
    assert replies(await harness.feed(update)) == []  # Telegram sent it again: answered once
    person = (await db.exec(select(Person).where(Person.telegram_id == 300))).one()
    assert person.language == "ay"
    assert await db.get(ProcessedUpdate, update.update_id) is not None
