"""Rules and analyzers: the two kinds of checks.

- A ``Rule`` looks only at the application model (configuration, IAM as declared). One small
  module per rule, registered with ``@register_rule``.
- An ``Analyzer`` may also read the function's code or other files (taint, secrets,
  dependencies). It declares the rule ids it can emit (``RuleMeta``) so ``faasguard rules`` lists
  them, and is registered with ``@register_analyzer``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from faasguard.model import Application, Finding, FlowStep, Function, Location, ScanError, Severity


@dataclass(frozen=True)
class RuleMeta:
    id: str
    title: str
    severity: Severity
    category: str
    cwe: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    remediation: str = ""
    description: str = ""

    def finding(
        self,
        message: str,
        location: Location | None,
        function: Function | str | None = None,
        *,
        key: str = "",
        severity: Severity | None = None,
        evidence: Mapping[str, Any] | None = None,
        flow: tuple[FlowStep, ...] = (),
        confidence: str = "high",
        remediation: str | None = None,
        application: str = "",
    ) -> Finding:
        fn_id = function.id if isinstance(function, Function) else function
        return Finding(
            rule_id=self.id, title=self.title, severity=severity or self.severity, message=message,
            location=location, category=self.category, function=fn_id, cwe=self.cwe,
            references=self.references, remediation=self.remediation if remediation is None else remediation,
            evidence=dict(evidence or {}), flow=flow, confidence=confidence, key=key, application=application,
        )


class Rule:
    """A configuration rule. Subclasses set the class attributes and implement ``check``."""

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    category: ClassVar[str]
    cwe: ClassVar[tuple[str, ...]] = ()
    references: ClassVar[tuple[str, ...]] = ()
    remediation: ClassVar[str] = ""
    description: ClassVar[str] = ""

    @classmethod
    def meta(cls) -> RuleMeta:
        return RuleMeta(cls.id, cls.title, cls.severity, cls.category, cls.cwe, cls.references,
                        cls.remediation, cls.description or (cls.__doc__ or "").strip())

    def check(self, app: Application) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        function: Function | str | None,
        location: Location | None,
        message: str,
        **kwargs: Any,
    ) -> Finding:
        return self.meta().finding(message, location, function, **kwargs)


@dataclass
class ScanContext:
    """What an analyzer may use besides the model: the scan root (to read code) and options."""

    root: Path
    options: Mapping[str, Any] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)  # per-scan caches shared between analyzers


class Analyzer(Protocol):
    name: ClassVar[str]

    def rules(self) -> Iterable[RuleMeta]: ...

    def analyze(self, app: Application, ctx: ScanContext) -> Iterator[Finding | ScanError]: ...
