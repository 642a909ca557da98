"""The whole session cycle through the real dispatcher, with people reading es, qu and ay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendDocument, SendMessage
from aiogram.types import Chat, Document, InlineKeyboardMarkup, Message, MessageEntity, Update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import LanguageCB
from bot.handlers.sessions.ui import Do, PresentCB, RsvpCB, SessionCB, VoteCB
from bot.i18n import Catalogs
from bot.notify import enqueue_notices, keyboard
from bot.workflows.notices import Ballot
from bot.workflows.sessions.changes import postpone_session
from bot.workflows.sessions.convocation import convene
from bot.workflows.sessions.reminders import sessions_tick
from bot.workflows.sessions.rollcall import own_seat
from bot.workflows.sessions.schedule import NewItem, schedule_session
from bot.workflows.sessions.votes import Vote
from db.models import (
    AgendaDocument,
    Answer,
    CommissionSessionSettings,
    MeetingSession,
    Membership,
    Person,
    Role,
    SessionInvitee,
    SessionKind,
    SessionStatus,
)
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, plain, replies

WED = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 10:00 in Lima
START = datetime(2026, 12, 11, 15, 0, tzinfo=UTC)  # Friday 11 December, 10:00 in Lima


async def join(
    harness: Harness, invite: Invite, tg: int, role: Role, org: str | None, name: str, lang: str
) -> ChatUser:
    user = harness.user(tg, first_name=name.split()[0])
    await user.join(await invite("CUS", role, org, name))
    await user.press(LanguageCB(code=lang).pack())
    return user


def documents_to(harness: Harness, chat_id: int) -> list[SendDocument]:
    return [r for r in harness.session.requests if isinstance(r, SendDocument) and int(r.chat_id) == chat_id]


async def send_file(harness: Harness, user: ChatUser, name: str) -> None:
    message = Message(
        message_id=harness.next_message_id(),
        date=datetime.now(UTC),
        chat=user.chat,
        from_user=user.user,
        document=Document(file_id=f"FILE-{name}", file_unique_id=f"U-{name}", file_name=name),
    )
    await harness.feed(Update(update_id=harness.next_update_id(), message=message))


async def test_the_whole_cycle_in_three_languages(
    harness: Harness,
    invite: Invite,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
) -> None:
    qu, ay = catalogs.translator("qu"), catalogs.translator("ay")
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        pres = await join(
            harness, invite, 2, Role.PRESIDENT, "Gobierno Regional del Cusco", "Wilfredo Quispe", "qu"
        )
        corte = await join(
            harness, invite, 3, Role.MEMBER, "Corte Superior de Justicia del Cusco", "Aurelia Condori", "ay"
        )
        contra = await join(
            harness,
            invite,
            4,
            Role.MEMBER,
            "Contraloría - Gerencia Regional de Control Cusco",
            "Luis Torres",
            "es",
        )
        muni = await join(
            harness, invite, 5, Role.MEMBER, "Municipalidad Provincial del Cusco", "Nilda Huamán", "qu"
        )
        defen = await join(
            harness, invite, 6, Role.MEMBER, "Defensoría del Pueblo - Oficina Cusco", "Juana Ccori", "ay"
        )

        # A member cannot schedule; the secretary's bad dates are refused and nothing is lost.
        assert "no permite" in replies(await contra.send("/nueva_sesion"))[0]
        # One card with the defaults: the earliest legal date at 10:00; no place yet, so it is asked.
        card = plain(replies(await sec.send("/nueva_sesion"))[0])
        assert "ordinaria" in card and "11 de diciembre" in card and "2026" in card and "10:00" in card
        assert "Escriba el lugar" in card
        await sec.send("Sala de sesiones del Gobierno Regional")
        await sec.click("Cambiar fecha")
        assert "No entendí la fecha" in replies(await sec.send("el viernes"))[0]
        assert "ya pasó" in replies(await sec.send("01/12/2026 10:00"))[0]
        refused = plain(replies(await sec.send("10/12 10:00"))[0])
        assert "5 días hábiles" in refused and "11 de diciembre de 2026" in refused
        card = plain(replies(await sec.send("11/12 10:00"))[0])  # the place typed before is kept
        assert "Sala de sesiones del Gobierno Regional" in card and "11 de diciembre" in card
        await sec.send("Plan anual de trabajo 2027")
        await sec.click("Requiere votación")
        card = plain(replies(await sec.click("Corte Superior"))[0])
        assert "1. Plan anual de trabajo 2027 (se vota · Corte Superior de Justicia del Cusco)" in card
        await sec.send("Informe de la Contraloría")
        await sec.click("Informativo")
        await sec.click("Sin institución")
        said = replies(await sec.click("Programar"))
        assert "Sesión programada" in said[0]
        await send_file(harness, sec, "plan-2027.pdf")
        await sec.click("1. Plan anual")
        assert (await db.exec(select(AgendaDocument))).one().file_name == "plan-2027.pdf"

        await sec.click("Convocar")
        assert "5 personas" in sec.last
        session = (await db.exec(select(MeetingSession))).one()
        assert session.status is SessionStatus.CONVENED and session.id is not None
        sid = session.id
        # Each reads the convocation in their own language, with RSVP buttons and the .ics file.
        assert "Convocatoria a sesión ordinaria" in plain(contra.last)
        for user, tr in ((pres, qu), (corte, ay), (muni, qu), (defen, ay)):
            assert "Convocatoria" not in user.last and "Sala de sesiones del Gobierno Regional" in user.last
            keyboard = harness.messages_to(user.user.id)[-1].reply_markup
            labels = [b.text for row in keyboard.inline_keyboard for b in row]  # type: ignore[union-attr]
            assert labels[0] == tr.gettext("✅ Asistiré") != "✅ Asistiré"
        assert "plan-2027.pdf" in corte.last
        for user in (pres, corte, contra, muni, defen):
            docs = documents_to(harness, user.user.id)
            assert docs[0].document.filename.endswith(".ics")  # type: ignore[union-attr]
            assert docs[1].document == "FILE-plan-2027.pdf"  # the attached document itself, by file id
        assert documents_to(harness, 1) == []

        # The secretary keeps the session open on her phone while the answers come in.
        await sec.send("/sesiones")
        await sec.click("11/12")
        assert "Confirmados: 0" in plain(sec.last)

        # RSVPs: attending, justified absence, accredited alternate; two stay silent.
        await pres.press(RsvpCB(session_id=sid, answer=Answer.ATTENDING).pack())
        assert (
            qu.gettext("Gracias. Registramos que asistirá a la sesión del {when}.", when=START) == pres.last
        )
        await corte.press(RsvpCB(session_id=sid, answer=Answer.ABSENT).pack())
        said = replies(await corte.send("no"))  # too short: asked again, in Aymara, still in the step
        assert said == [
            ay.gettext("Escriba la justificación de su inasistencia (entre 5 y 1000 caracteres).")
        ]
        await corte.send("Audiencia programada en la Sala Penal")
        await contra.press(RsvpCB(session_id=sid, answer=Answer.ALTERNATE).pack())
        said = replies(await contra.send("Carmen Rojas"))
        assert "Carmen Rojas" in said[0]
        answers = {i.person_id: i.answer for i in (await db.exec(select(SessionInvitee))).all()}
        assert sorted(a.value for a in answers.values()) == [
            "absent",
            "alternate",
            "attending",
            "pending",
            "pending",
        ]

        # The forecast she is looking at followed the answers by itself, in place.
        detail = plain(sec.last)
        assert "Quórum: 2 de 3" in detail and "Confirmados: 2" in detail
        assert isinstance(harness.messages_to(1)[-1], EditMessageText)

    # Three days before: a reminder only to the silent, once.
    before = len(harness.session.requests)
    for tick in (START - timedelta(days=3), START - timedelta(days=3) + timedelta(minutes=1)):
        with time_machine.travel(tick, tick=False):
            async with sessionmaker() as tick_db, tick_db.begin():
                await enqueue_notices(
                    tick_db, catalogs, (await sessions_tick(tick_db, tick)).notices, now=tick
                )
            await harness.sender.drain()
    reminded = {int(r.chat_id) for r in harness.session.requests[before:] if isinstance(r, SendMessage)}
    assert reminded == {5, 6}
    assert (
        qu.gettext("Todavía no nos dijo si asistirá.") in " ".join(muni.texts)
        or "Recordatorio" not in muni.last
    )

    with time_machine.travel(START, tick=False):
        async with sessionmaker() as s:
            seats = {}
            for tg in (2, 3, 4, 5, 6):
                person = (await s.exec(select(Person).where(Person.telegram_id == tg))).one()
                seats[tg] = await own_seat(s, person, session.commission_id)
        # Roll call: the secretary taps three voting seats present, the Corte justified its absence.
        # It is one message, edited at each tap, each tap confirmed by a toast.
        sends_before = len(harness.sends_to(1))
        await sec.send("/sesiones")
        await sec.click("11/12")
        await sec.click("Pasar lista")
        for tg in (2, 4):
            said = await sec.press(PresentCB(session_id=sid, seat_id=seats[tg], present=True).pack())
            toasts = [r.text for r in said if isinstance(r, AnswerCallbackQuery)]
            assert toasts == ["✓ Asistencia registrada"]
        assert len(harness.sends_to(1)) == sends_before + 1  # the /sesiones list; the rest are edits
        # The roll call opened again on an older message (the detail from Wednesday): the newer
        # one is stale now, and its taps answer with a toast and change nothing.
        older = [m for m in harness.session.latest(1) if m.text and "Sesión ordinaria" in m.text][-1]
        await sec.press(SessionCB(session_id=sid, do=Do.ROLL).pack(), message_id=older.message_id)
        stale = [m for m in harness.session.latest(1) if m.text and "Lista de asistencia" in m.text][-1]
        said = await sec.press(
            PresentCB(session_id=sid, seat_id=seats[5], present=True).pack(), message_id=stale.message_id
        )
        assert [r.text for r in said if isinstance(r, AnswerCallbackQuery)] == [
            "Esta pantalla ya cambió: use el mensaje más reciente."
        ]
        assert [r for r in said if not isinstance(r, AnswerCallbackQuery)] == []
        await sec.press(PresentCB(session_id=sid, seat_id=seats[5], present=True).pack())
        await sec.click("Cerrar lista")
        assert "Sesión instalada con 3 presentes (quórum: 2)" in plain(sec.last)

        # Votes: members vote from their phones; the voice-only Defensoría is refused.
        await sec.click("Votaciones")
        await sec.click("1. Plan anual")
        ballot = harness.messages_to(2)[-1].reply_markup
        assert isinstance(ballot, InlineKeyboardMarkup)
        vote_buttons = [b.callback_data or "" for b in ballot.inline_keyboard[0]]
        assert vote_buttons and all(d.startswith("vote1:") for d in vote_buttons)
        # A Quechua reader's ballot also offers the Spanish text and «⚑» (issue 18), on a row of its own.
        assert [(b.callback_data or "").split(":")[0] for b in ballot.inline_keyboard[-1]] == ["es1", "flag1"]
        item_id = int(vote_buttons[0].split(":")[1])
        await pres.press(VoteCB(item_id=item_id, vote=Vote.FOR).pack())
        await contra.press(VoteCB(item_id=item_id, vote=Vote.AGAINST).pack())
        await muni.press(VoteCB(item_id=item_id, vote=Vote.ABSTAIN).pack())
        # The secretary's tally followed the votes by itself, in place.
        assert "A favor: 1; en contra: 1; abstenciones: 1; sin votar: 0" in plain(sec.last)
        assert isinstance(harness.messages_to(1)[-1], EditMessageText)
        said = replies(await defen.press(VoteCB(item_id=item_id, vote=Vote.FOR).pack()))
        assert (
            ay.gettext("Su institución tiene voz pero no voto en esta comisión: su voto no se registra.")
            == said[0]
        )

        said = replies(await sec.click("Cerrar votación"))
        assert "plazo" in said[0]
        await sec.send("31/01/2020")
        assert "posterior" in sec.last or "ya pasó" in sec.last
        await sec.send("31/03/2027")
        text = plain(sec.last)
        assert "APROBADO" in text and "dirimente" in text and "Acuerdo CUS-2026-" in text

        # A vote after the vote closed is refused, in the voter's language.
        said = replies(await pres.press(VoteCB(item_id=item_id, vote=Vote.AGAINST).pack()))
        assert said[0] == qu.gettext("La votación de este punto ya se cerró; no se registran más votos.")

        # Closing produces the acta as a DOCX for the secretary.
        await sec.send("/sesiones")
        await sec.click("11/12")
        await sec.click("Cerrar sesión")
        actas = documents_to(harness, 1)
        assert actas and actas[-1].document.filename.endswith(".docx")  # type: ignore[union-attr]
        db.expire_all()
        assert (await db.exec(select(MeetingSession))).one().status is SessionStatus.HELD

    # Screens that change are edited in place: before issue 15 this cycle sent the secretary 40
    # messages (39 texts and the acta), and no edit; now at most half of that.
    assert len(harness.sends_to(1)) <= 20
    assert len(harness.edits_to(1)) >= 20


async def group_command(harness: Harness, user: ChatUser, text: str) -> list[str]:
    message = Message(
        message_id=harness.next_message_id(),
        date=datetime.now(UTC),
        chat=Chat(id=-100777, type="group", title="CRA Cusco"),
        from_user=user.user,
        text=text,
        entities=[MessageEntity(type="bot_command", offset=0, length=len(text))],
    )
    return replies(await harness.feed(Update(update_id=harness.next_update_id(), message=message)))


async def test_group_is_linked_by_the_secretary_only(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
    member = await join(
        harness, invite, 2, Role.MEMBER, "Corte Superior de Justicia del Cusco", "Ana Puma", "qu"
    )
    said = await group_command(harness, member, "/vincular_grupo")
    assert said == [
        harness.dp["catalogs"].translator("qu").gettext("Su función en esta comisión no permite esta acción.")
    ]
    assert (await db.exec(select(CommissionSessionSettings))).all() == []
    said = await group_command(harness, sec, "/vincular_grupo")
    assert "recibirá las convocatorias" in said[0]
    assert (await db.exec(select(CommissionSessionSettings))).one().group_chat_id == -100777
    # A member's menu lists /sesiones but not /nueva_sesion.
    help_text = replies(await member.send("/ayuda"))[0]
    assert "/sesiones" in help_text and "/nueva_sesion" not in help_text


async def test_buttons_rendered_by_notify_are_the_ones_the_handlers_accept(
    harness: Harness,
    invite: Invite,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
) -> None:
    """Workflows only name the buttons (`Rsvp`, `Ballot`); notify packs them with the handlers' own
    callback data, so a reader taps them by their label, in their language, and is understood."""
    qu = catalogs.translator("qu")
    with time_machine.travel(WED, tick=False):
        await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        pres = await join(
            harness, invite, 2, Role.PRESIDENT, "Gobierno Regional del Cusco", "Wilfredo Quispe", "qu"
        )
        async with sessionmaker() as s, s.begin():
            secretary = (await s.exec(select(Person).where(Person.telegram_id == 1))).one()
            [commission_id] = (
                await s.exec(select(Membership.commission_id).where(Membership.person_id == secretary.id))
            ).all()
            planned = await schedule_session(
                s,
                secretary,
                commission_id,
                kind=SessionKind.ORDINARY,
                starts_at=START,
                place="Sala de sesiones",
                link=None,
                items=[NewItem("Plan anual 2027")],
                now=WED,
            )
            assert planned.id is not None
            sid = planned.id
            convened = await convene(s, secretary, sid, now=WED)
            assert await enqueue_notices(s, catalogs, convened.notices, now=WED) == 1  # the president
        await harness.sender.drain()
        await pres.click(qu.gettext("✅ Asistiré"))
        assert pres.last == qu.gettext(
            "Gracias. Registramos que asistirá a la sesión del {when}.", when=START
        )

        later = START + timedelta(days=7)
        async with sessionmaker() as s, s.begin():
            secretary = (await s.exec(select(Person).where(Person.telegram_id == 1))).one()
            _, notices = await postpone_session(s, secretary, sid, later, "Visita de la CAN", now=WED)
            assert await enqueue_notices(s, catalogs, notices, now=WED) == 1
        await harness.sender.drain()
        await pres.click(qu.gettext("🔁 Mantener mi respuesta anterior"))
        invitee = (await db.exec(select(SessionInvitee).where(SessionInvitee.session_id == sid))).one()
        await db.refresh(invitee)
        assert invitee.answer is Answer.ATTENDING

    # The vote buttons unpack into the handler's own filter, in the order they are shown.
    ballot = keyboard(Ballot(9), qu)["inline_keyboard"][0]
    assert [b["text"] for b in ballot] == [
        qu.gettext("A favor"),
        qu.gettext("En contra"),
        qu.gettext("Abstención"),
    ]
    assert [VoteCB.unpack(b["callback_data"]) for b in ballot] == [
        VoteCB(item_id=9, vote=vote) for vote in (Vote.FOR, Vote.AGAINST, Vote.ABSTAIN)
    ]
