"""``inspect(event)`` and ``detect(text)``: the public detection API."""

from __future__ import annotations

from faasguard.guard import events as ev
from faasguard.guard.detection import Detection
from faasguard.guard.detectors import detect as _detect_text
from faasguard.guard.detectors import quick_clear
from faasguard.guard.detectors.nosql import MONGO_OPERATORS, operator_keys
from faasguard.guard.detectors.prefilter import clear_profiles

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any

_CACHE_MAX_ENTRIES = 8192
_CACHE_MAX_CHARS = 512
# Header values, query keys and short fields repeat across invocations of a warm container; a
# bounded cache of their (immutable) results skips re-scanning them. Long values are not cached.
_cache: dict[str, tuple[Detection, ...]] = {}


_NOTHING: tuple[Detection, ...] = ()


def detect(text: str, categories: frozenset[str] | None = None) -> list[Detection]:
    """Detections in one string (``field`` is empty). ``categories`` limits the families run."""
    return list(_detect(text, categories))


def _detect(text: str, categories: frozenset[str] | None = None) -> tuple[Detection, ...]:
    if not isinstance(text, str) or not text:
        return _NOTHING
    if categories is None and len(text) <= _CACHE_MAX_CHARS:
        hit = _cache.get(text)
        if hit is not None:
            return hit
        result = _NOTHING if quick_clear(text) else tuple(_detect_text(text))
        if len(_cache) >= _CACHE_MAX_ENTRIES:
            _cache.clear()
        _cache[text] = result
        return result
    if quick_clear(text):
        return _NOTHING
    return tuple(_detect_text(text, categories))


def clear_cache() -> None:
    """Forget cached results (the per-value results and the prefilters' per-text profiles)."""
    _cache.clear()
    clear_profiles()


def inspect(event: Any, source: str | None = None, limits: ev.Limits = ev.DEFAULT_LIMITS,
            categories: frozenset[str] | None = None) -> list[Detection]:
    """Detections in the attacker-controlled fields of a whole Lambda event, source-aware."""
    _, values, op_keys = ev.collect(event, source, limits)
    return inspect_values(values, op_keys, categories)


def inspect_values(values: list[ev.Value], op_keys: list[ev.OperatorKey],
                   categories: frozenset[str] | None = None) -> list[Detection]:
    found: list[Detection] = []
    for value in values:
        if value.kind == "limit":
            found.append(Detection("limits", "FG-LIMIT-001", value.path, value.text, "medium",
                                   "inspection limit exceeded"))
            continue
        for hit in _detect(value.text, categories):
            found.append(hit.with_field(value.path))
    if categories is None or "nosqli" in categories:
        for op in op_keys:
            key = operator_keys([op.key.rsplit("[", 1)[-1].rstrip("]")] if "[$" in op.key else [op.key])
            if key is not None and (key.lower() in MONGO_OPERATORS or not key.startswith("$") or
                                    key[1:].isalpha()):
                found.append(Detection("nosqli", "FG-NOSQL-004", op.path, op.key[:120], "high",
                                       f"query operator object key {op.key!r}"))
    return found
