"""Version ordering per ecosystem and OSV range evaluation.

PyPI versions follow PEP 440 (``packaging``); npm and other SEMVER ranges follow SemVer 2.0
precedence. A version we cannot parse is only matched against an advisory's explicit
``versions`` list, never guessed into a range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>0|[1-9]\d*))?(?:\.(?P<patch>0|[1-9]\d*))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)


@dataclass(frozen=True, order=True)
class SemVer:
    """SemVer 2.0 precedence: a release sorts after its pre-releases; build metadata is ignored."""

    major: int
    minor: int
    patch: int
    release: int  # 1 for a release, 0 for a pre-release (so releases sort last)
    pre: tuple[tuple[int, int | str], ...]

    @staticmethod
    def parse(text: str) -> SemVer:
        m = _SEMVER.match(text.strip())
        if not m:
            raise ValueError(f"not a semver version: {text!r}")
        pre_text = m.group("pre")
        pre: tuple[tuple[int, int | str], ...] = ()
        if pre_text:
            # numeric identifiers sort before alphanumeric ones
            pre = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre_text.split("."))
        return SemVer(int(m.group("major")), int(m.group("minor") or 0), int(m.group("patch") or 0),
                      0 if pre_text else 1, pre)


@lru_cache(maxsize=65536)
def pypi_key(text: str) -> Version:
    return Version(text)


@lru_cache(maxsize=65536)
def semver_key(text: str) -> SemVer:
    return SemVer.parse(text)


def _key_for(ecosystem: str) -> Callable[[str], Any]:
    return pypi_key if ecosystem.lower() == "pypi" else semver_key


def normalize_name(ecosystem: str, name: str) -> str:
    """Package names as the ecosystem compares them (PEP 503 for PyPI; npm names are exact)."""
    if ecosystem.lower() == "pypi":
        return canonicalize_name(name)
    return name.strip()


def normalize_version(ecosystem: str, version: str) -> str:
    """A canonical spelling for explicit-version comparison (PEP 440 for PyPI: ``0.4`` == ``0.4.0``)."""
    version = version.strip()
    if ecosystem.lower() == "pypi":
        return canonicalize_version(version.lower(), strip_trailing_zero=True)
    return version.lstrip("v")


def comparable(ecosystem: str, version: str) -> bool:
    try:
        _key_for(ecosystem)(version)
    except (InvalidVersion, ValueError):
        return False
    return True


@dataclass(frozen=True)
class RangeMatch:
    affected: bool
    fixed: tuple[str, ...] = ()  # fixed versions of the interval(s) that matched, or of the range


def in_range(ecosystem: str, range_type: str, events: Sequence[dict[str, str]], version: str) -> RangeMatch:
    """Evaluate one OSV range (ECOSYSTEM or SEMVER) for ``version``.

    Walks the events in version order: ``introduced`` opens an interval, ``fixed`` closes it
    (exclusive), ``last_affected`` closes it after that version. GIT ranges are not evaluated.
    """
    if range_type.upper() not in ("ECOSYSTEM", "SEMVER"):
        return RangeMatch(False)
    key = semver_key if range_type.upper() == "SEMVER" and ecosystem.lower() != "pypi" else _key_for(ecosystem)
    try:
        v = key(version)
    except (InvalidVersion, ValueError):
        return RangeMatch(False)
    zero_introduced = False
    ordered: list[tuple[Any, int, str, str]] = []
    for event in events:
        for kind, raw in event.items():
            if kind not in ("introduced", "fixed", "last_affected"):
                continue  # "limit" only bounds GIT ranges
            raw = str(raw)
            if kind == "introduced" and raw == "0":
                zero_introduced = True  # no lower bound
                continue
            try:
                ordered.append((key(raw), _EVENT_ORDER[kind], kind, raw))
            except (InvalidVersion, ValueError):
                continue
    ordered.sort(key=lambda e: (e[0], e[1]))
    affected = zero_introduced
    for ver, _, kind, raw in ordered:
        if ver > v:
            # the first event above the version: if it closes our interval, it is the fix
            fixed = (raw,) if affected and kind == "fixed" else ()
            return RangeMatch(affected, fixed)
        if kind == "introduced":
            affected = True
        elif kind == "fixed" or kind == "last_affected" and v > ver:
            affected = False
    return RangeMatch(affected)


# at equal versions: a fix closes the previous interval before a new one opens
_EVENT_ORDER = {"fixed": 0, "last_affected": 1, "introduced": 2}
