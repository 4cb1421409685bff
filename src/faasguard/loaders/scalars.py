"""Reading evaluated IaC values as plain settings, the same way in every loader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faasguard.model import Value


def as_bool(data: Any) -> bool | None:
    """``true``/``yes``/``false``/``no`` (any case) and real booleans; anything else is unknown."""
    if isinstance(data, bool):
        return data
    if isinstance(data, str):
        low = data.strip().lower()
        if low in ("true", "yes"):
            return True
        if low in ("false", "no"):
            return False
    return None


def as_text(data: Any) -> str | None:
    """A literal string or number; None for booleans, references, lists and mappings."""
    if data is None or isinstance(data, (bool, Value, list, Mapping)):
        return None
    return str(data)


def as_int(data: Any) -> tuple[int | None, str | None]:
    """The integer a setting holds, or the reason it is not one (None, None when unset/unknown)."""
    if data is None or isinstance(data, Value):
        return None, None
    if isinstance(data, bool):
        return None, "a boolean"
    if isinstance(data, (list, Mapping)):
        return None, "a list" if isinstance(data, list) else "a mapping"
    try:
        return int(float(str(data).strip())), None
    except ValueError:
        return None, repr(str(data)[:40])
