"""Personal data (Ley 29733): a person sees everything stored about them, and can have it erased.

Erasure removes what identifies the person (name, Telegram account, language, messages queued or
sent to them) while votes, attendance, agreements and actas keep their legal value: they point to
the seat and institution, and the person's row stays, renamed after it. The audit trail is a legal
record too and is not rewritten (it would break its hash chain); it keeps the name it had.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, false, func, or_, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.audit import audited, jsonable
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.people import list_memberships
from bot.workflows.notices import Notice
from bot.workflows.outbox import forget_chat
from bot.workflows.screens import forget_chat_screens
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementReminder,
    AssistanceEvent,
    AssistanceRequest,
    AuditEntry,
    ContactCheck,
    GoodPractice,
    Invitation,
    MeetingAttendance,
    MeetingSession,
    MeetingVote,
    MemberDocument,
    Membership,
    MembershipEnd,
    NoticeCopy,
    OutboxMessage,
    Person,
    ProgressDraft,
    ProgressRound,
    PublicationSetting,
    ReportDelivery,
    Role,
    RoundReminder,
    RoundTarget,
    SessionInvitee,
    Succession,
    TokenAttempt,
    TranslationChange,
    TranslationReport,
    TranslatorGrant,
    WebToken,
)

ERASED_NAME = "(datos retirados)"

# Every table that refers to a person, and by which columns: `my_data` lists each such row in full.
# tests/workflows/membership/test_my_data.py fails when a table gains a reference to `person` that is
# not listed here, so a new feature cannot forget it. Keys are the JSON file's section names.
PERSONAL_ROWS: dict[str, tuple[type[SQLModel], tuple[str, ...]]] = {
    "memberships_rows": (Membership, ("person_id",)),
    "invitations": (Invitation, ("used_by_id", "created_by_id")),
    "session_answers": (SessionInvitee, ("person_id",)),  # RSVP, justification, alternate
    "sessions_created": (MeetingSession, ("created_by_id",)),
    "attendance_recorded": (MeetingAttendance, ("recorded_by_id",)),
    "votes_recorded": (MeetingVote, ("recorded_by_id",)),
    "agreements_created": (Agreement, ("created_by_id",)),
    "agreement_history_entries": (AgreementEvent, ("actor_id",)),  # progress reports, evidence
    "progress_drafts": (ProgressDraft, ("person_id",)),
    "agreement_reminders_received": (AgreementReminder, ("person_id",)),
    "rounds_opened": (ProgressRound, ("opened_by_id",)),
    "round_assignments": (RoundTarget, ("person_id",)),  # includes a half-answered round
    "round_reminders_received": (RoundReminder, ("person_id",)),
    "assistance_requests": (AssistanceRequest, ("requester_id",)),
    "assistance_history_entries": (AssistanceEvent, ("actor_id",)),
    "good_practices_marked": (GoodPractice, ("marked_by_id",)),
    "digests_received": (ReportDelivery, ("person_id",)),
    "audit_entries_as_actor": (AuditEntry, ("actor_id",)),
    "messages_in_the_outbox": (OutboxMessage, ("person_id",)),
    "memberships_ended": (MembershipEnd, ("person_id", "recorded_by_id", "successor_id")),
    "successions": (Succession, ("predecessor_id", "successor_id")),
    "designation_documents": (MemberDocument, ("person_id", "added_by_id")),
    "directory_confirmations": (ContactCheck, ("answered_by_id",)),
    "web_logins": (WebToken, ("person_id",)),  # hashes of /panel links and browser sessions
    "publication_changes": (PublicationSetting, ("updated_by_id",)),
    "notices_kept_for_ver_en_espanol": (NoticeCopy, ("person_id",)),
    "translation_reports": (TranslationReport, ("reporter_id",)),
    "translation_changes": (TranslationChange, ("reviewer_id",)),
    "translator_roles": (TranslatorGrant, ("person_id",)),
}


async def _rows(db: AsyncSession, model: type[SQLModel], where: ColumnElement[bool]) -> list[dict[str, Any]]:
    rows = (await db.exec(select(model).where(where).order_by(model.id))).all()  # type: ignore[attr-defined]
    return [
        {name: value for name, value in row.model_dump().items() if not isinstance(value, bytes)}
        for row in rows
    ]


async def stored_rows(db: AsyncSession, person: Person) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that refers to the person (files' bytes left out: Telegram keeps
    documents, and a queued attachment is a copy of a report)."""
    found: dict[str, list[dict[str, Any]]] = {"person_row": [person.model_dump()]}
    for section, (model, columns) in PERSONAL_ROWS.items():
        where = or_(*(getattr(model, c) == person.id for c in columns))
        if model is OutboxMessage and person.telegram_id is not None:
            where = or_(where, col(OutboxMessage.chat_id) == person.telegram_id)
        found[section] = await _rows(db, model, where)
    attempts = col(TokenAttempt.telegram_id) == person.telegram_id if person.telegram_id else false()
    found["failed_invitation_attempts"] = await _rows(db, TokenAttempt, attempts)
    return found


async def my_data(db: AsyncSession, person: Person) -> dict[str, Any]:
    """Everything stored about `person`, as plain data (shown, and sent as a JSON file)."""
    memberships = await list_memberships(db, person)
    invitations = (await db.exec(select(Invitation).where(Invitation.used_by_id == person.id))).all()
    acted = await db.exec(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == person.id)
    )
    messages = await db.exec(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == person.telegram_id)
    )
    return jsonable(
        {
            "person": {
                "name": person.name,
                "telegram_id": person.telegram_id,
                "language": person.language,
                "registered_at": person.created_at,
                "unreachable_since": person.unreachable_at,
            },
            "memberships": [
                {
                    "commission": m.commission_code,
                    "commission_name": m.commission_name,
                    "role": m.role,
                    "institution": m.institution,
                }
                for m in memberships
            ],
            "invitations_accepted": [
                {
                    "commission_id": i.commission_id,
                    "role": i.role,
                    "name_given": i.invitee_name,
                    "used_at": i.used_at,
                }
                for i in invitations
            ],
            "changes_you_made_in_the_audit_trail": int(acted.one()),
            "messages_kept_in_the_outbox": int(messages.one()),
            "stored_rows": await stored_rows(db, person),
        }
    )


async def erase_person(db: AsyncSession, person: Person, *, now: datetime) -> list[Notice]:
    """Erase the person's personal data; their secretariats are told (to update their records)."""
    memberships = (await db.exec(select(Membership).where(Membership.person_id == person.id))).all()
    views = {(m.commission_id, m.role): m for m in await list_memberships(db, person)}
    former_name = person.name
    chat_id = person.telegram_id
    institution = next((m.institution for m in views.values() if m.institution), None)
    person.name = f"{ERASED_NAME} {institution}" if institution else ERASED_NAME
    person.telegram_id = None
    person.language = "es"
    person.language_chosen = False
    person.erased_at = now
    db.add(person)
    await db.exec(update(Invitation).where(col(Invitation.used_by_id) == person.id).values(invitee_name=None))
    # The copies of the notices sent to them (for «Ver en español») and their translator role go;
    # their reports and reviews of translations stay, without their name.
    for table, column in ((NoticeCopy, NoticeCopy.person_id), (TranslatorGrant, TranslatorGrant.person_id)):
        await db.exec(delete(table).where(col(column) == person.id))
    reports = col(TranslationReport.reporter_id) == person.id
    await db.exec(update(TranslationReport).where(reports).values(reporter_id=None))
    reviews = col(TranslationChange.reviewer_id) == person.id
    await db.exec(update(TranslationChange).where(reviews).values(reviewer_label=ERASED_NAME))
    if chat_id is not None:
        await forget_chat(db, chat_id)
        await forget_chat_screens(db, chat_id)
    await db.flush()
    notices: list[Notice] = []
    commissions = {m.commission_id: m.role for m in memberships}
    for commission_id, role in sorted(commissions.items()):  # chains in ascending order (see record)
        await audited(
            db,
            person,
            commission_id,
            "person.erased",
            "person",
            person.id,
            now=now,
            after={"role": role, "erased_at": now},
            actor_label=ERASED_NAME,
        )
        secretaries = await db.exec(
            select(Membership.person_id).where(
                Membership.commission_id == commission_id, Membership.role == Role.SECRETARY
            )
        )
        for secretary_id in secretaries.all():
            if secretary_id != person.id:
                notices.append(
                    Notice(
                        secretary_id,
                        msg(
                            "{name} ({role}) pidió retirar sus datos personales (Ley 29733) y ya no "
                            "usará el bot. Su asiento, asistencias y votos se conservan.",
                            name=former_name,
                            role=ROLE_LABELS[role],
                        ),
                        commission_id,
                    )
                )
    return notices
