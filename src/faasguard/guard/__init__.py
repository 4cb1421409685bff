"""faasguard.guard: runtime protection inside a Lambda function.

    from faasguard.guard import guard

    @guard(mode="block", schema=ORDER_SCHEMA, allow_hosts=["api.stripe.com"])
    def handler(event, context): ...

Only the standard library is imported, and lazily: ``import faasguard.guard`` loads almost
nothing; the detectors are compiled when a handler is decorated (the Lambda init phase) or on
the first ``inspect``/``detect`` call. The scanner (``faasguard.model``, loaders, analyzers,
cli) is never imported from here.
"""

from __future__ import annotations

# (``faasguard.guard.redact`` is a submodule: ``from faasguard.guard.redact import redact``)
__all__ = ["guard", "inspect", "detect", "Detection", "GuardConfig", "GuardedHandler", "RequestBlocked",
           "source_of"]

_LAZY = {
    "guard": ("faasguard.guard.decorator", "guard"),
    "GuardedHandler": ("faasguard.guard.decorator", "GuardedHandler"),
    "RequestBlocked": ("faasguard.guard.decorator", "RequestBlocked"),
    "inspect": ("faasguard.guard.inspection", "inspect"),
    "detect": ("faasguard.guard.inspection", "detect"),
    "Detection": ("faasguard.guard.detection", "Detection"),
    "GuardConfig": ("faasguard.guard.config", "GuardConfig"),
    "source_of": ("faasguard.guard.events", "source_of"),
}


def __getattr__(name: str) -> object:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'faasguard.guard' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
