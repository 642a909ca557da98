"""Technical assistance requests: a region asks the CAN for help, and hears of every step.

Any role of the requester's commission may ask; the request gets a code (`AT-CUS-2026-003`) and
reaches the CAN analysts (role `can_analyst` in the commission with code "CAN") in their language.
Only those analysts change its status (received → in progress → answered → closed); the requester
is told of each change. Who is an analyst is asked of the gate (`is_can_analyst`, in membership).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action, access_commission
from bot.workflows.audit import audited, lock_chain, snapshot
from bot.workflows.business_days import lima_date
from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.labels import ASSISTANCE_STATUS_LABELS, ASSISTANCE_TOPIC_LABELS, FILE_LABELS
from bot.workflows.membership.commissions import can_analysts, is_can_analyst
from bot.workflows.notices import Attachment, Notice
from db.models import (
    AssistanceEvent,
    AssistanceRequest,
    AssistanceStatus,
    AssistanceTopic,
    Commission,
    FileKind,
    Person,
    Region,
)

TEXT_MIN, TEXT_MAX = 10, 2000
AUDITED = ("code", "topic", "status", "answer")
NEXT: dict[AssistanceStatus, tuple[AssistanceStatus, ...]] = {
    AssistanceStatus.RECEIVED: (
        AssistanceStatus.IN_PROGRESS,
        AssistanceStatus.ANSWERED,
        AssistanceStatus.CLOSED,
    ),
    AssistanceStatus.IN_PROGRESS: (AssistanceStatus.ANSWERED, AssistanceStatus.CLOSED),
    AssistanceStatus.ANSWERED: (AssistanceStatus.IN_PROGRESS, AssistanceStatus.CLOSED),
    AssistanceStatus.CLOSED: (),
}
STATUS_TEXT = ASSISTANCE_STATUS_LABELS
TOPIC_TEXT = ASSISTANCE_TOPIC_LABELS


@dataclass(frozen=True)
class Filed:
    request: AssistanceRequest
    notices: list[Notice] = field(default_factory=list)


async def request_assistance(
    db: AsyncSession,
    person: Person | None,
    commission_id: int,
    *,
    topic: AssistanceTopic,
    text: str,
    now: datetime,
    attachment_file_id: str | None = None,
    attachment_name: str | None = None,
    attachment_kind: FileKind = FileKind.DOCUMENT,
) -> Filed:
    """File a request from one's commission; every CAN analyst hears, in their language."""
    actor = await access_commission(db, person, commission_id, Action.REQUEST_ASSISTANCE)
    cleaned = " ".join(text.split())
    if not TEXT_MIN <= len(cleaned) <= TEXT_MAX:
        raise UserError(
            msg(
                "Describa la ayuda que necesita en {min} a {max} caracteres; tiene {n}. Escríbalo de nuevo.",
                min=TEXT_MIN,
                max=TEXT_MAX,
                n=len(cleaned),
            )
        )
    year = lima_date(now).year
    await lock_chain(db, commission_id)  # two requests filed at once must not draw one number
    last = (
        await db.exec(
            select(func.max(AssistanceRequest.seq)).where(
                AssistanceRequest.commission_id == commission_id, AssistanceRequest.year == year
            )
        )
    ).one()
    seq = int(last or 0) + 1
    assert actor.person.id is not None
    request = AssistanceRequest(
        code=f"AT-{actor.commission.code}-{year}-{seq:03d}",
        commission_id=commission_id,
        year=year,
        seq=seq,
        requester_id=actor.person.id,
        topic=topic,
        text=cleaned,
        attachment_file_id=attachment_file_id,
        attachment_name=(attachment_name or "")[:200] or None,
        attachment_kind=attachment_kind,
        created_at=now,
        updated_at=now,
    )
    db.add(request)
    await db.flush()
    assert request.id is not None
    db.add(AssistanceEvent(request_id=request.id, at=now, actor_id=actor.person.id, status=request.status))
    await audited(
        db,
        actor,
        commission_id,
        "rounds.assistance_requested",
        "assistance_request",
        request.id,
        now=now,
        after=snapshot(request, *AUDITED),
    )
    notices = [
        Notice(
            analyst,
            msg(
                "Solicitud de asistencia técnica <b>{code}</b> de {commission} ({who}).\n"
                "Tema: {topic}\n{text}\nAtiéndala con /asistencia_tecnica.",
                code=request.code,
                commission=actor.commission.name,
                who=actor.person.name,
                topic=TOPIC_TEXT[topic],
                text=cleaned,
            ),
            commission_id,
        )
        for analyst in await can_analysts(db)
    ]
    return Filed(request, notices)


async def require_analyst(db: AsyncSession, person: Person | None) -> None:
    """Only the CAN's analysts handle requests: anybody else is refused here."""
    if not await is_can_analyst(db, person):
        raise AccessDenied(
            msg("Solo los analistas de la CAN atienden las solicitudes de asistencia técnica.")
        )


async def access_request(db: AsyncSession, person: Person | None, request_id: int) -> AssistanceRequest:
    """The only way to fetch a request by id: for its requester or a CAN analyst. Anybody else is
    told it does not exist, as for a missing one."""
    request = await db.get(AssistanceRequest, request_id)
    if request is None or person is None:
        raise AccessDenied(msg("Esa solicitud no existe."))
    if person.id != request.requester_id and not await is_can_analyst(db, person):
        raise AccessDenied(msg("Esa solicitud no existe."))
    return request


async def open_requests(db: AsyncSession, person: Person | None) -> list[AssistanceRequest]:
    """For a CAN analyst: every request not closed, oldest first."""
    await require_analyst(db, person)
    rows = await db.exec(
        select(AssistanceRequest)
        .where(AssistanceRequest.status != AssistanceStatus.CLOSED)
        .order_by(col(AssistanceRequest.id))
    )
    return list(rows.all())


async def my_requests(db: AsyncSession, person: Person | None) -> list[AssistanceRequest]:
    if person is None or person.id is None:
        return []
    rows = await db.exec(
        select(AssistanceRequest)
        .where(AssistanceRequest.requester_id == person.id)
        .order_by(col(AssistanceRequest.id).desc())
        .limit(10)
    )
    return list(rows.all())


async def change_status(
    db: AsyncSession,
    person: Person | None,
    request_id: int,
    status: AssistanceStatus,
    *,
    now: datetime,
    answer: str | None = None,
    answer_file: Attachment | None = None,
) -> Filed:
    """A CAN analyst moves the request on; "answered" needs the answer text, or a file (a document
    or a photo: its caption, else its name, is the text). The requester hears, with the file."""
    await require_analyst(db, person)
    assert person is not None
    request = await access_request(db, person, request_id)
    if status not in NEXT[request.status]:
        raise UserError(
            msg(
                "Una solicitud «{current}» no puede pasar a «{new}».",
                current=STATUS_TEXT[request.status],
                new=STATUS_TEXT[status],
            )
        )
    cleaned = " ".join((answer or "").split()) or None
    if answer_file is not None and cleaned is None:
        cleaned = answer_file.file_name
    if status == AssistanceStatus.ANSWERED and (cleaned is None or len(cleaned) < 3):
        raise UserError(msg("Escriba la respuesta para la región (al menos 3 caracteres)."))
    if cleaned is not None and len(cleaned) > TEXT_MAX:
        raise UserError(msg("La respuesta es demasiado larga: como máximo {max} caracteres.", max=TEXT_MAX))
    before = snapshot(request, *AUDITED)
    request.status, request.updated_at = status, now
    if status == AssistanceStatus.ANSWERED:
        request.answer = cleaned
    db.add(request)
    db.add(AssistanceEvent(request_id=request_id, at=now, actor_id=person.id, status=status, note=cleaned))
    await audited(
        db,
        person,
        request.commission_id,
        "rounds.assistance_status",
        "assistance_request",
        request_id,
        now=now,
        before=before,
        after=snapshot(request, *AUDITED),
    )
    if status == AssistanceStatus.ANSWERED:
        text = msg(
            "Su solicitud <b>{code}</b> fue respondida por la CAN ({who}):\n{answer}",
            code=request.code,
            who=person.name,
            answer=cleaned or "",
        )
    else:
        text = msg(
            "Su solicitud <b>{code}</b> ahora está «{status}» ({who}, CAN).",
            code=request.code,
            status=STATUS_TEXT[status],
            who=person.name,
        )
    files = (answer_file,) if answer_file is not None and status == AssistanceStatus.ANSWERED else ()
    return Filed(request, [Notice(request.requester_id, text, request.commission_id, attachments=files)])


async def open_attachment(db: AsyncSession, person: Person | None, request_id: int) -> Notice:
    """The file sent with a request, back to whoever may see the request (requester, CAN analyst)."""
    request = await access_request(db, person, request_id)
    if not request.attachment_file_id or person is None or person.id is None:
        raise UserError(msg("Esa solicitud no tiene adjunto."))
    kind = request.attachment_kind  # a photo goes back with sendPhoto: Telegram refuses it as a document
    name = request.attachment_name or FILE_LABELS[kind]
    file = Attachment(request.attachment_name or kind.value, file_id=request.attachment_file_id, kind=kind)
    return Notice(
        person.id,
        msg("Adjunto de la solicitud <b>{code}</b>: {name}", code=request.code, name=name),
        request.commission_id,
        attachments=(file,),
    )


async def request_regions(db: AsyncSession, requests: list[AssistanceRequest]) -> dict[int, str]:
    """The region (else the commission's name) of each request's commission, by commission id."""
    ids = {r.commission_id for r in requests}
    if not ids:
        return {}
    rows = await db.exec(
        select(Commission.id, Commission.name, Region.name)
        .join(Region, col(Region.id) == col(Commission.region_id), isouter=True)
        .where(col(Commission.id).in_(ids))
    )
    return {cid: region or name for cid, name, region in rows.all() if cid is not None}
