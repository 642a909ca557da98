"""Import aiogram with its Telegram types built on first use, not all at import (~90 MB less).

aiogram.types ends by calling `model_rebuild()` on each of its ~900 pydantic models, which
compiles a validator for every one of them, each with the whole graph of types it can contain
inlined: some 130 MB, when a bot validates perhaps a dozen. The models themselves ask to be built
lazily (`defer_build=True`); that loop is there only because their annotations name types that
their modules import under TYPE_CHECKING, which pydantic could not resolve later.

So while aiogram is imported, those rebuilds are recorded instead of run; afterwards the missing
names are put into each model's module, as the TYPE_CHECKING imports would have, and pydantic
builds each model the first time it is used. Validation itself is unchanged (the whole test suite
runs this way; tests/test_lazy_types.py checks the round trips the bot relies on).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


def import_aiogram_lazily() -> None:
    """Import aiogram, deferring its types' validators. Does nothing if aiogram is already in."""
    if "aiogram" in sys.modules:
        return
    deferred: dict[str, Mapping[str, Any]] = {}
    original = BaseModel.__dict__["model_rebuild"]

    def record_rebuild(cls: type[BaseModel], **kwargs: Any) -> bool | None:
        namespace = kwargs.get("_types_namespace")
        if namespace is not None and cls.__module__.startswith("aiogram.types."):
            deferred.setdefault(cls.__module__, namespace)
            return None
        return original.__func__(cls, **kwargs)

    BaseModel.model_rebuild = classmethod(record_rebuild)  # type: ignore[method-assign,assignment]
    try:
        import aiogram  # noqa: F401 (the import is the point)
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]
    for module_name, namespace in deferred.items():
        module_globals = vars(sys.modules[module_name])
        for name, value in namespace.items():
            module_globals.setdefault(name, value)
