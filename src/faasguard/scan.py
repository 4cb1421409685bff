"""The scan pipeline: load -> rules and analyzers -> suppressions and baseline -> result.

Reporters only format a ``ScanResult``; they never decide severity or filter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from faasguard import __version__
from faasguard.analyzers.base import RuleMeta, ScanContext
from faasguard.loaders import LoadOptions, load_tree
from faasguard.model import Application, ErrorKind, Finding, ScanError, Severity
from faasguard.suppress import SuppressedFinding, Suppressor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanOptions:
    load: LoadOptions = field(default_factory=LoadOptions)
    checks: tuple[str, ...] = ()  # only these rule ids (prefixes allowed: "FG-IAM")
    skip_checks: tuple[str, ...] = ()
    inline_suppressions: bool = True
    baseline: frozenset[str] = frozenset()  # fingerprints accepted earlier
    analyzer_options: dict[str, object] = field(default_factory=dict)


@dataclass
class ScanResult:
    root: Path
    applications: list[Application]
    findings: list[Finding]
    errors: list[ScanError]
    suppressed: list[SuppressedFinding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    rules: dict[str, RuleMeta] = field(default_factory=dict)
    duration_s: float = 0.0
    version: str = __version__

    @property
    def function_count(self) -> int:
        return sum(len(app.functions) for app in self.applications)

    def at_or_above(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.at_least(severity)]


def _selected(rule_id: str, checks: Sequence[str], skips: Sequence[str]) -> bool:
    def match(patterns: Sequence[str]) -> bool:
        return any(rule_id == p or rule_id.startswith(p.rstrip("*")) for p in patterns)

    if checks and not match(checks):
        return False
    return not (skips and match(skips))


def _sort_key(f: Finding) -> tuple[int, str, int, str]:
    loc = f.location
    return (-f.severity.rank, loc.file if loc else "", loc.line if loc else 0, f.rule_id)


def scan(root: Path, options: ScanOptions | None = None,
         progress: Callable[[str], None] | None = None) -> ScanResult:
    """Scan a directory (or one file). Never raises on bad input: problems land in ``errors``."""
    from faasguard.analyzers import registry

    options = options or ScanOptions()
    started = time.perf_counter()
    root = root.resolve()
    scan_root = root if root.is_dir() else root.parent
    loaded = load_tree(root, options.load)
    errors = list(loaded.errors)
    findings: list[Finding] = []
    metas: dict[str, RuleMeta] = {}

    rules = [r for r in registry.rules() if _selected(r.id, options.checks, options.skip_checks)]
    analyzers = registry.analyzers()
    for meta in registry.all_rule_meta():
        metas[meta.id] = meta
    ctx = ScanContext(root=scan_root, options=dict(options.analyzer_options))

    for app in loaded.applications:
        if progress:
            progress(app.name)
        for rule in rules:
            findings.extend(_with_app(f, app) for f in
                            _run_safely(rule.id, app, lambda r=rule, a=app: r.check(a), errors))
        for analyzer in analyzers:
            for item in _run_safely(analyzer.name, app, lambda z=analyzer, a=app: z.analyze(a, ctx), errors):
                if isinstance(item, ScanError):
                    errors.append(item)
                elif _selected(item.rule_id, options.checks, options.skip_checks):
                    findings.append(_with_app(item, app))
                    # analyzers may emit ids they did not declare; still describe them
                    metas.setdefault(item.rule_id, RuleMeta(item.rule_id, item.title, item.severity,
                                                            item.category, item.cwe, item.references,
                                                            item.remediation))

    if not loaded.applications:
        # An empty result must never read as a clean scan.
        errors.append(ScanError(root.name if root.is_file() else ".",
                                "no serverless application found (looked for serverless.yml, SAM/"
                                "CloudFormation templates)", ErrorKind.UNSUPPORTED))
    findings = _dedupe(findings)
    suppressor = Suppressor(scan_root, loaded.applications, inline=options.inline_suppressions)
    kept, suppressed = suppressor.apply(findings)
    baselined = [f for f in kept if f.fingerprint in options.baseline]
    kept = [f for f in kept if f.fingerprint not in options.baseline]
    kept.sort(key=_sort_key)
    errors = _dedupe_errors(errors)
    return ScanResult(root=scan_root, applications=loaded.applications, findings=kept, errors=errors,
                      suppressed=suppressed, baselined=baselined, rules=metas,
                      duration_s=time.perf_counter() - started)


def _run_safely(name: str, app: Application, call: Callable[[], Iterable[object]],
                errors: list[ScanError]) -> list:  # type: ignore[type-arg]
    """Run one rule/analyzer on one app; a crash becomes an error entry, never a lost scan."""
    try:
        return list(call())
    except Exception as exc:
        log.debug("%s crashed on %s", name, app.name, exc_info=True)
        errors.append(ScanError(app.location.file, f"{name} failed on {app.name}: {type(exc).__name__}: {exc}",
                                ErrorKind.INTERNAL))
        return []


def _with_app(finding: Finding, app: Application) -> Finding:
    return finding if finding.application else replace(finding, application=app.name)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, str]] = set()
    out = []
    for f in findings:
        key = (f.fingerprint, f.location.file if f.location else "", f.location.line if f.location else 0,
               f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _dedupe_errors(errors: list[ScanError]) -> list[ScanError]:
    seen: set[tuple[str, str, str | None]] = set()
    out = []
    for e in errors:
        key = (e.file, e.message, e.function)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
