"""Wildcard expansion of granted action patterns against the action database, with access levels."""

from __future__ import annotations

from functools import lru_cache

from faasguard.analyzers.iam import actiondb

# Above this many actions a pattern is reported as the pattern, not as its list.
LIST_LIMIT = 400


@lru_cache(maxsize=4096)
def expand(pattern: str) -> tuple[str, ...]:
    """Concrete actions of a pattern; an unknown concrete action is returned as written."""
    found = actiondb.expand(pattern)
    if found:
        return tuple(i.action for i in found)
    if "*" in pattern or "?" in pattern:
        return ()
    return (pattern.strip(),)


def expand_except(not_actions: tuple[str, ...]) -> tuple[str, ...]:
    """NotAction: every action of the database except these patterns."""
    excluded = {a.lower() for p in not_actions for a in expand(p)}
    return tuple(a for a in expand("*") if a.lower() not in excluded)


def access_level(action: str) -> str:
    return actiondb.access_level(action) or "Unknown"


def by_access_level(actions: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in actions:
        out.setdefault(access_level(a), []).append(a)
    return out
