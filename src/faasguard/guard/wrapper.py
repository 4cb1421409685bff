"""No-code-change entry point: set the function's handler to
``faasguard.guard.wrapper.handler`` and ``FAASGUARD_HANDLER=app.handler``; the real handler is
imported and wrapped with the settings from the ``FAASGUARD_*`` environment variables."""

from __future__ import annotations

import importlib
import os

from faasguard.guard.config import GuardConfig
from faasguard.guard.decorator import GuardedHandler, guard

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any

_guarded: GuardedHandler | None = None


class HandlerNotConfigured(RuntimeError):
    pass


def load(name: str | None = None) -> GuardedHandler:
    """Import ``module.function`` (``FAASGUARD_HANDLER``) and wrap it."""
    target = name or os.environ.get("FAASGUARD_HANDLER", "")
    module_name, _, attr = target.rpartition(".")
    if not module_name or not attr:
        raise HandlerNotConfigured(
            f"FAASGUARD_HANDLER must be 'module.function' (for example app.handler), not {target!r}"
        )
    module = importlib.import_module(module_name.replace("/", "."))
    fn = getattr(module, attr)
    guarded: GuardedHandler = guard(fn, config=GuardConfig.from_env())
    return guarded


def handler(event: Any, context: Any) -> Any:
    global _guarded
    if _guarded is None:
        _guarded = load()
    return _guarded(event, context)


if os.environ.get("FAASGUARD_HANDLER"):
    # import and wrap during the init phase (not billed per request, CPU boosted)
    _guarded = load()
