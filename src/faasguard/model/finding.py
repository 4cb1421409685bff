"""Findings, severities and scan errors: the vocabulary shared by scan, guard and monitor."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from faasguard.model.location import Location


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @staticmethod
    def parse(text: str) -> Severity:
        try:
            return Severity(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {text!r} (expected one of: {', '.join(s.value for s in Severity)})"
            ) from None

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank

    def raised(self, steps: int = 1) -> Severity:
        return _BY_RANK[max(0, min(4, self.rank + steps))]

    def lowered(self, steps: int = 1) -> Severity:
        return self.raised(-steps)


_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}
_BY_RANK = {v: k for k, v in _RANK.items()}


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One step of a data flow or attack path (trigger -> source -> ... -> sink -> permission)."""

    file: str
    line: int
    note: str
    kind: str = "step"  # "trigger" | "source" | "propagation" | "sink" | "permission" | "step"
    column: int = 0


@dataclass(frozen=True, slots=True)
class Fix:
    """A machine-applicable change: replace ``pointer`` in ``file`` with ``value``."""

    description: str
    file: str
    pointer: tuple[str | int, ...] = ()
    value: Any = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, where it is, why it matters and what to change.

    ``key`` makes the fingerprint stable across line moves: rules pass what identifies the
    problem (a setting name, an action list, a route), never a secret's value.
    """

    rule_id: str
    title: str
    severity: Severity
    message: str
    location: Location | None
    category: str = ""
    function: str | None = None
    cwe: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    remediation: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    flow: tuple[FlowStep, ...] = ()
    fix: Fix | None = None
    confidence: str = "high"  # "high" | "medium" | "low"
    key: str = ""
    application: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable id for baselines and suppressions: rule, file, function and key, hashed."""
        file = self.location.file if self.location else ""
        material = "\x1f".join((self.rule_id, file, self.function or "", self.key or self.message))
        return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class ErrorKind(str, Enum):
    PARSE = "parse"  # the file could not be parsed
    UNSUPPORTED = "unsupported"  # recognised but not (yet) loadable, e.g. an unknown framework
    TOO_LARGE = "too_large"
    UNSAFE = "unsafe"  # alias bombs, symlink loops, paths leaving the root
    CODE_NOT_FOUND = "code_not_found"
    INTERNAL = "internal"  # a bug of ours; the rest of the scan went on
    DATABASE = "database"  # vulnerability database missing or stale


@dataclass(frozen=True, slots=True)
class ScanError:
    """A file or part of the scan that could not be read or analysed."""

    file: str
    message: str
    kind: ErrorKind = ErrorKind.PARSE
    line: int = 0
    function: str | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """A skip declared in the IaC itself, e.g. CloudFormation resource
    ``Metadata: {faasguard: {skip: [{id: FG-FN-001, reason: ...}]}}``. ``scope`` is the logical id of
    the resource or function it applies to; ``rule_id`` may be ``*``."""

    rule_id: str
    scope: str
    reason: str
    location: Location
