"""Agreements tables (see the agreements issue)."""

from __future__ import annotations

__all__: list[str] = []
