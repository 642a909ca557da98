"""Human names for the audit trail's stored codes (action, who), in the reader's language.

The trail itself keeps the codes (`sessions.convened`, `cli`): they are what the digest chain and
the CSV export hold. Here each becomes a short phrase; an action added later without a phrase is
shown by its code rather than failing (tests/test_l10n_data.py asks for a phrase for each).
"""

from __future__ import annotations

import re

from bot.i18n import Lines, Text, msg
from bot.workflows.labels import ROLE_LABELS
from db.models import Role

ACTION_LABELS: dict[str, Text] = {
    "agreement.created": msg("Acuerdo registrado"),
    "agreement.edited": msg("Acuerdo editado"),
    "agreement.progress": msg("Avance informado"),
    "agreement.rescheduled": msg("Plazo de acuerdo reprogramado"),
    "agreement.closed": msg("Acuerdo declarado cumplido"),
    "agreement.cancelled": msg("Acuerdo cancelado"),
    "agreement.reopened": msg("Acuerdo reabierto"),
    "agreement.imported": msg("Acuerdo importado de un CSV"),
    "agreement.imported_update": msg("Acuerdo actualizado desde un CSV"),
    "agreement.exported": msg("Acuerdos exportados a CSV"),
    "agreement.deadline_requested": msg("Nuevo plazo solicitado"),
    "agreement.deadline_refused": msg("Nuevo plazo no aceptado"),
    "agreement.flagged_for_can": msg("Acuerdo señalado a la CAN"),
    "agreement.rules_changed": msg("Reglas de seguimiento cambiadas"),
    "commission.created": msg("Comisión creada"),
    "seat.created": msg("Institución añadida"),
    "invitation.issued": msg("Invitación emitida"),
    "invitation.redeemed": msg("Invitación aceptada"),
    "invitation.revoked": msg("Invitación anulada"),
    "person.erased": msg("Datos personales retirados"),
    "sessions.scheduled": msg("Sesión programada"),
    "sessions.planned": msg("Sesión ordinaria prevista en el calendario"),
    "sessions.convened": msg("Sesión convocada"),
    "sessions.answered": msg("Respuesta a una convocatoria"),
    "sessions.postponed": msg("Sesión postergada"),
    "sessions.cancelled": msg("Sesión cancelada"),
    "sessions.attendance": msg("Asistencia registrada"),
    "sessions.installed": msg("Sesión instalada"),
    "sessions.failed_quorum": msg("Sesión sin quórum"),
    "sessions.held": msg("Sesión concluida"),
    "sessions.vote": msg("Voto registrado"),
    "sessions.vote_closed": msg("Votación cerrada"),
    "sessions.opinions": msg("Intervenciones anotadas para el acta"),
    "sessions.acta_generated": msg("Acta generada"),
    "sessions.document_attached": msg("Documento adjuntado a la agenda"),
    "sessions.rules_changed": msg("Reglas de sesiones cambiadas"),
    "sessions.non_working_day_added": msg("Día no laborable añadido"),
    "sessions.group_linked": msg("Grupo de la comisión vinculado"),
    "rounds.opened": msg("Ronda de avances abierta"),
    "rounds.answered": msg("Ronda de avances respondida"),
    "rounds.closed": msg("Ronda de avances cerrada"),
    "rounds.scheduled": msg("Rondas mensuales programadas"),
    "rounds.good_practice": msg("Buena práctica destacada"),
    "rounds.assistance_requested": msg("Asistencia técnica solicitada"),
    "rounds.assistance_status": msg("Estado de una asistencia técnica cambiado"),
    "membership.role_changed": msg("Rol de un miembro cambiado"),
    "membership.ended": msg("Membresía terminada"),
    "succession.designated": msg("Sucesor(a) designado(a)"),
    "succession.completed": msg("Sucesión completada"),
    "seat.voting": msg("Voto de una institución cambiado"),
    "directory.requested": msg("Confirmación del directorio pedida"),
    "directory.answered": msg("Directorio confirmado o corregido"),
    "directory.settings": msg("Frecuencia de confirmación del directorio cambiada"),
    "presidency.term": msg("Periodo de la presidencia registrado"),
    "presidency.elected": msg("Presidencia elegida en sesión"),
    "publication.set": msg("Publicación de la página pública cambiada"),
}

# Who acted, when it was not a person: codes written by the CLI and the scheduler.
ACTOR_LABELS: dict[str, Text] = {
    "cli": msg("administración (consola)"),
    "system": msg("el sistema"),
}


def action_label(code: str) -> Text | str:
    return ACTION_LABELS.get(code, code)


def actor_label(code: str | None) -> Text | str:
    return ACTOR_LABELS.get(code or "", code or "—")


def entity_ref(entity_id: str) -> Lines | str:
    """The changed row's id; a membership's «person:role» with the role named for the reader."""
    found = re.fullmatch(r"(\d+):(\w+)", entity_id)
    if found is None or found.group(2) not in {r.value for r in Role}:
        return entity_id
    return Lines(((f"{found.group(1)} · ", ROLE_LABELS[Role(found.group(2))]),))
