"""Turning workflow results into the reader's text. No I/O here."""

from __future__ import annotations

import functools
import html

from bot.commands import visible_commands
from bot.i18n import Translator
from bot.workflows.access import Actor
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.people import MembershipView
from db.models import Role


def how_to_join(tr: Translator) -> str:
    return tr.gettext(
        "Hola. Soy el asistente de la secretaría técnica de las Comisiones Regionales "
        "Anticorrupción y de la CAN.\n\n"
        "Para usarme necesita una invitación: pida a la secretaría técnica de su comisión "
        "su enlace de invitación y ábralo en este teléfono."
    )


def roles_text(tr: Translator, actor: Actor) -> str:
    return ", ".join(tr.render(ROLE_LABELS[r]) for r in sorted(actor.roles))


def help_text(tr: Translator, actor: Actor | None, *, commissions: int = 1) -> str:
    """What this person may do here, in their role, as a command list."""
    if actor is None:
        return how_to_join(tr) + "\n\n" + command_list(tr, frozenset(), several=False)
    header = tr.gettext(
        "Usted participa en <b>{commission}</b> como {roles}. Puede usar:",
        commission=actor.commission.name,
        roles=roles_text(tr, actor),
    )
    return header + "\n\n" + command_list(tr, actor.roles, several=commissions > 1)


@functools.lru_cache(maxsize=512)
def command_list(tr: Translator, roles: frozenset[Role], *, several: bool) -> str:
    """The command lines for a set of roles in one language: the same for everyone who holds
    them, so built once (a fifth of answering /ayuda). `tr` is one of Catalogs' shared ones."""
    commands = visible_commands(roles, commissions=2 if several else 1)
    return "\n".join(f"/{c.name} — {html.escape(tr.render(c.description))}" for c in commands)


def profile_text(tr: Translator, name: str, memberships: list[MembershipView], active_id: int | None) -> str:
    lines = [f"<b>{html.escape(name)}</b>"]
    for m in memberships:
        role = tr.render(ROLE_LABELS[m.role])
        if m.institution:
            line = tr.gettext(
                "{commission}: {role} ({institution})",
                commission=m.commission_name,
                role=role,
                institution=m.institution,
            )
        else:
            line = tr.gettext("{commission}: {role}", commission=m.commission_name, role=role)
        mark = "▶ " if m.commission_id == active_id else "• "
        lines.append(mark + line)
    count = len({m.commission_id for m in memberships})
    lines.append("")
    lines.append(tr.ngettext("Participa en {n} comisión.", "Participa en {n} comisiones.", count))
    return "\n".join(lines)
