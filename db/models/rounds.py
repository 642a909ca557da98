"""Rounds tables (see the rounds issue)."""

from __future__ import annotations

__all__: list[str] = []
