"""Conversation states of the guided flows."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class InviteFlow(StatesGroup):
    role = State()
    seat = State()
    institution = State()
    name = State()
