"""Human names for stored codes, as translatable text."""

from __future__ import annotations

from bot.i18n import Text, msg
from db.models import (
    AssistanceStatus,
    AssistanceTopic,
    EvidenceKind,
    FileKind,
    InstitutionCategory,
    Role,
    SessionKind,
    SessionStatus,
)

ROLE_LABELS: dict[Role, Text] = {
    Role.SECRETARY: msg("Secretaría técnica"),
    Role.PRESIDENT: msg("Presidencia"),
    Role.MEMBER: msg("Miembro titular"),
    Role.ALTERNATE: msg("Miembro alterno"),
    Role.LIAISON: msg("Coordinador(a) de enlace"),
    Role.OBSERVER: msg("Observador(a)"),
    Role.CAN_ANALYST: msg("Analista de la CAN"),
}

CATEGORY_LABELS: dict[InstitutionCategory, Text] = {
    InstitutionCategory.REGIONAL_GOVERNMENT: msg("Gobierno regional"),
    InstitutionCategory.PROVINCIAL_MUNICIPALITY: msg("Municipalidad provincial"),
    InstitutionCategory.SUPERIOR_COURT: msg("Corte Superior de Justicia"),
    InstitutionCategory.PROSECUTORS: msg("Junta de Fiscales Superiores"),
    InstitutionCategory.ANTICORRUPTION_ATTORNEY: msg("Procuraduría Anticorrupción"),
    InstitutionCategory.COMPTROLLER: msg("Contraloría"),
    InstitutionCategory.CATHOLIC_CHURCH: msg("Iglesia Católica"),
    InstitutionCategory.EVANGELICAL_CHURCH: msg("Iglesia Evangélica"),
    InstitutionCategory.PRIVATE_SECTOR: msg("Sector privado"),
    InstitutionCategory.CIVIL_SOCIETY: msg("Sociedad civil"),
    InstitutionCategory.OMBUDSMAN: msg("Defensoría del Pueblo"),
    InstitutionCategory.POLICE: msg("Policía Nacional"),
    InstitutionCategory.MCLCP: msg("Mesa de Concertación (MCLCP)"),
    InstitutionCategory.FOREIGN_AFFAIRS: msg("Relaciones Exteriores"),
    InstitutionCategory.PUBLIC_INTEGRITY_SECRETARIAT: msg("Secretaría de Integridad Pública"),
    InstitutionCategory.OTHER: msg("Otra institución"),
}

# sessions (issue 5)
SESSION_KIND_LABELS: dict[SessionKind, Text] = {
    SessionKind.ORDINARY: msg("ordinaria"),
    SessionKind.EXTRAORDINARY: msg("extraordinaria"),
}

SESSION_STATUS_LABELS: dict[SessionStatus, Text] = {
    SessionStatus.PLANNED: msg("programada, sin convocar"),
    SessionStatus.CONVENED: msg("convocada"),
    SessionStatus.INSTALLED: msg("instalada, en curso"),
    SessionStatus.FAILED_QUORUM: msg("no instalada por falta de quórum"),
    SessionStatus.HELD: msg("realizada"),
    SessionStatus.POSTPONED: msg("postergada"),
    SessionStatus.CANCELLED: msg("cancelada"),
}

# rounds (issue 7): technical assistance requests
ASSISTANCE_STATUS_LABELS: dict[AssistanceStatus, Text] = {
    AssistanceStatus.RECEIVED: msg("recibida"),
    AssistanceStatus.IN_PROGRESS: msg("en atención"),
    AssistanceStatus.ANSWERED: msg("respondida"),
    AssistanceStatus.CLOSED: msg("cerrada"),
}

ASSISTANCE_TOPIC_LABELS: dict[AssistanceTopic, Text] = {
    AssistanceTopic.AGREEMENTS: msg("Seguimiento de acuerdos"),
    AssistanceTopic.SESSIONS: msg("Sesiones y actas"),
    AssistanceTopic.RULES: msg("Normativa y procedimientos"),
    AssistanceTopic.TRAINING: msg("Capacitación"),
    AssistanceTopic.OTHER: msg("Otro tema"),
}

# A piece of evidence without a file name (a photo, a voice note), named by what it is.
EVIDENCE_LABELS: dict[EvidenceKind, Text] = {
    EvidenceKind.PHOTO: msg("foto"),
    EvidenceKind.DOCUMENT: msg("documento"),
    EvidenceKind.VOICE: msg("nota de voz"),
    EvidenceKind.AUDIO: msg("audio"),
    EvidenceKind.VIDEO: msg("video"),
    EvidenceKind.LINK: msg("enlace"),
}
# The same words for a file kept by kind (a request's attachment, an answer's file).
FILE_LABELS: dict[FileKind, Text] = {kind: EVIDENCE_LABELS[EvidenceKind(kind.value)] for kind in FileKind}
