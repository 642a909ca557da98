"""The command surface: which commands exist, who sees them, and their localised menus."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Text, Translator, msg
from bot.workflows.access import Action, may
from bot.workflows.membership.people import active_actor_and_count
from bot.workflows.notices import reachable
from db.models import Person, Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    name: str
    description: Text
    action: Action | None = None  # None: anybody, invited or not
    needs_several_commissions: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("start", msg("Empezar o aceptar una invitación")),
    Command("ayuda", msg("Qué puedo hacer aquí")),
    Command("idioma", msg("Cambiar el idioma")),
    Command("perfil", msg("Mis comisiones y roles"), Action.VIEW_PROFILE),
    Command("comision", msg("Cambiar de comisión"), Action.SWITCH_COMMISSION, True),
    Command("invitar", msg("Invitar a una persona a la comisión"), Action.INVITE),
    Command("miembros", msg("Directorio de miembros de la comisión"), Action.VIEW_MEMBERS),
    Command("invitar_lote", msg("Invitar a varias personas con una planilla"), Action.INVITE),
    Command("sesiones", msg("Sesiones de la comisión"), Action.VIEW_SESSIONS),
    Command("nueva_sesion", msg("Programar una sesión"), Action.MANAGE_SESSIONS),
    Command("vincular_grupo", msg("Vincular el grupo de la comisión (en el grupo)"), Action.LINK_GROUP),
    Command("reglas", msg("Reglas de sesiones (aviso, quórum, recordatorios…)"), Action.MANAGE_SESSIONS),
    Command("feriados", msg("Feriados regionales y días no laborables"), Action.MANAGE_SESSIONS),
    Command("calendario", msg("Calendario anual de sesiones ordinarias"), Action.VIEW_SESSIONS),
    Command("invitaciones", msg("Ver y revocar invitaciones pendientes"), Action.REVOKE_INVITATION),
    Command("historial", msg("Historial de cambios de la comisión"), Action.VIEW_HISTORY),
    Command("mis_datos", msg("Mis datos personales (ver o eliminar)"), Action.VIEW_PROFILE),
    Command("acuerdos", msg("Registro de acuerdos y su avance"), Action.VIEW_AGREEMENTS),
    Command("nuevo_acuerdo", msg("Registrar un acuerdo"), Action.MANAGE_AGREEMENTS),
    Command("avance", msg("Informar el avance de un acuerdo"), Action.REPORT_PROGRESS),
    Command("exportar_acuerdos", msg("Descargar los acuerdos en CSV"), Action.MANAGE_AGREEMENTS),
    Command("importar_acuerdos", msg("Cargar acuerdos desde un CSV o XLSX"), Action.MANAGE_AGREEMENTS),
    Command("informe", msg("Informe e indicadores (región, periodo)"), Action.VIEW_AGREEMENTS),
    Command("informe_anual", msg("Informe anual para la SIP (DOCX y XLSX)"), Action.VIEW_AGREEMENTS),
    Command("ronda", msg("Ronda de avances: abrir, responder o ver el resumen"), Action.VIEW_AGREEMENTS),
    Command("asistencia_tecnica", msg("Pedir asistencia técnica a la CAN"), Action.REQUEST_ASSISTANCE),
    Command("portal", msg("Página pública de la comisión (enlace)"), Action.MANAGE_PUBLICATION),
    Command("panel", msg("Panel web de indicadores (enlace de acceso)"), Action.VIEW_DASHBOARD),
)


def visible_commands(roles: frozenset[Role], *, commissions: int = 1) -> list[Command]:
    """The commands a person with `roles` in their active commission may use."""
    return [
        c
        for c in COMMANDS
        if (c.action is None or may(roles, c.action)) and (not c.needs_several_commissions or commissions > 1)
    ]


def menu(commands: list[Command], tr: Translator) -> list[BotCommand]:
    return [BotCommand(command=c.name, description=tr.render(c.description)) for c in commands]


async def publish_default_commands(bot: Bot, catalogs: Catalogs) -> None:
    """Strangers' menu, once per shipped language (Telegram takes two-letter codes only)."""
    public = visible_commands(frozenset())
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(menu(public, catalogs.translator(None)), scope=scope)
    for code in catalogs.languages:
        if len(code) == 2:
            await bot.set_my_commands(
                menu(public, catalogs.translator(code)), scope=scope, language_code=code
            )


async def publish_person_commands(
    bot: Bot, chat_id: int, tr: Translator, roles: frozenset[Role], *, commissions: int = 1
) -> None:
    """One person's menu, in the language they chose (not their Telegram app's)."""
    commands = visible_commands(roles, commissions=commissions)
    await bot.set_my_commands(menu(commands, tr), scope=BotCommandScopeChat(chat_id=chat_id))


async def refresh_menus(bot: Bot, db: AsyncSession, catalogs: Catalogs, person_ids: Iterable[int]) -> None:
    """Set again the menus of people whose roles another person changed (a membership ended, a
    role changed): the commands they lost disappear. A person the bot cannot reach is skipped."""
    for person_id in dict.fromkeys(person_ids):
        person = await db.get(Person, person_id)
        if person is None or not reachable(person):
            continue
        assert person.telegram_id is not None
        actor, commissions = await active_actor_and_count(db, person)
        roles = actor.roles if actor is not None else frozenset()
        tr = catalogs.translator(person.language)
        try:
            await publish_person_commands(bot, person.telegram_id, tr, roles, commissions=commissions)
        except TelegramAPIError as exc:  # their menu is a convenience: the gate refuses anyway
            log.warning("menu of person %s not updated: %s", person_id, exc)
