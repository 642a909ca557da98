"""Human names for stored codes, as translatable text."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TypeVar

from bot.i18n import Text, msg, shipped_catalogs
from db.models import (
    AgendaItem,
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

# The item every session after the first opens with (art. 45): stored with its Spanish title for
# the acta, shown to each reader in their language.
ACTA_APPROVAL = msg("Aprobación del acta de la sesión anterior")


def item_title(item: AgendaItem) -> Text | str:
    """An agenda item's title for a reader: the automatic item translated, a typed one as typed."""
    return ACTA_APPROVAL if item.approves_acta_of_id is not None else item.title


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

T = TypeVar("T")

# --- typed answers, in any shipped language ---------------------------------------------------------

YES: Text = msg("sí")
NO: Text = msg("no")
# What people type for yes/no, without accents: Spanish, Southern Quechua (Chanka «manam», Collao
# «manan», bare «mana»), Aymara («jisa»/«jïsa», «janiwa»/«janiw», «ukhamawa»). Accepted from any reader.
YES_WORDS = frozenset({"si", "s", "yes", "y", "1", "ari", "arii", "jisa", "ukhamawa"})
NO_WORDS = frozenset({"no", "n", "0", "manam", "mana", "manan", "janiwa", "janiw", "jan"})


def plain_word(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces: for matching typed words."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("_", " ").split())


def yes_or_no(raw: str) -> bool | None:
    """True/False for a typed yes/no in Spanish, Quechua or Aymara; None if it is neither."""
    word = plain_word(raw).rstrip(".!")
    return True if word in YES_WORDS else False if word in NO_WORDS else None


def typed_choice(raw: str, labels: Mapping[T, Text]) -> T | None:
    """The code whose label the person typed, in Spanish or in any shipped catalog's wording."""
    word = plain_word(raw)
    catalogs = shipped_catalogs()
    for code, label in labels.items():
        for language in catalogs.languages:
            if plain_word(catalogs.translator(language).render(label)) == word:
                return code
    return None
