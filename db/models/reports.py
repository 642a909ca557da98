"""Reports tables (see the reports issue)."""

from __future__ import annotations

__all__: list[str] = []
