"""The dependency analyzer: per function, what it ships, what is vulnerable, what is imported.

Rule ids:
- FG-DEP-000 (info): the function's dependencies were NOT audited (no vulnerability database,
  or the database lacks the ecosystem). Always paired with a ``database`` scan error, so a scan
  without data never looks clean and ``--fail-on-unaudited`` can fail on it.
- FG-DEP-001: a dependency version with a known vulnerability (ids merged, fixed versions,
  whether the handler imports it). Severity comes from the advisory's CVSS vector or GHSA rating;
  most PyPA records have neither, and a known, unrated flaw is rated high (we would rather make
  CI fail on it than hide it). It is lowered one step when the handler does not import the package.
- FG-DEP-002 (low): a requirement without an exact version: what gets deployed is unknown, so
  it cannot be audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faasguard.analyzers.base import RuleMeta, ScanContext
from faasguard.analyzers.deps.collect import FunctionDeps, function_dependencies
from faasguard.analyzers.deps.manifests import Dependency
from faasguard.analyzers.deps.reachability import (
    IMPORTED,
    NOT_IMPORTED,
    TRANSITIVE,
    HandlerImports,
    handler_imports,
    reachability,
)
from faasguard.model import Application, ErrorKind, Finding, Location, ScanError, Severity
from faasguard.vulndb.store import index_path

CATEGORY = "dependencies"
REFS = ("OWASP-SLS-A9", "CSA-SAS-9")

UNAUDITED = RuleMeta(
    "FG-DEP-000", "Dependencies not audited: no vulnerability data", Severity.INFO, CATEGORY,
    ("CWE-1104",), REFS,
    "Build the local database: `faasguard db import PATH` (a folder of OSV records or an OSV zip) or "
    "`faasguard db update` (downloads the OSV exports), then scan again.",
    "The function's dependencies could not be checked for known vulnerabilities.")
VULNERABLE = RuleMeta(
    "FG-DEP-001", "Dependency with a known vulnerability", Severity.HIGH, CATEGORY, ("CWE-1395",), REFS,
    "Upgrade the package to a fixed version (see fixed_versions) and redeploy the function.",
    "A dependency shipped with the function has a published vulnerability (OSV: PYSEC/GHSA/CVE).")
UNPINNED = RuleMeta(
    "FG-DEP-002", "Dependency without an exact version", Severity.LOW, CATEGORY, ("CWE-1357",), REFS,
    "Pin exact versions (pip-compile / `uv lock` / `poetry lock` / package-lock.json) so the deployed "
    "code is known and can be audited.",
    "A requirement with a version range: what gets deployed depends on the day of the build.")

_LEVELS = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM, "low": Severity.LOW}
# ScanError messages for unaudited dependencies start with this marker (see unaudited_count).
UNAUDITED_MARKER = "unaudited:"


@dataclass
class _Db:
    db: Any  # VulnDB | None
    directory: Path


def _database(ctx: ScanContext) -> _Db:
    cached = ctx.shared.get("deps.db")
    if cached is None:
        from faasguard.vulndb import VulnDB, resolve_dir

        override = ctx.options.get("vulndb")
        directory = resolve_dir(str(override) if override else None)
        cached = _Db(VulnDB.open(directory), directory)
        ctx.shared["deps.db"] = cached
    return cached


class DepsAnalyzer:
    name = "deps"

    def rules(self) -> list[RuleMeta]:
        return [UNAUDITED, VULNERABLE, UNPINNED]

    def analyze(self, app: Application, ctx: ScanContext) -> Iterator[Finding | ScanError]:
        cache = ctx.shared.setdefault("deps.manifests", {})
        database = _database(ctx)
        problems_seen: set[tuple[str, str, int]] = ctx.shared.setdefault("deps.problems", set())
        for fn in app.functions:
            fdeps = function_dependencies(app, fn, ctx.root, cache)
            for p in fdeps.problems:
                if (p.file, p.message, p.line) not in problems_seen:
                    problems_seen.add((p.file, p.message, p.line))
                    yield ScanError(p.file, p.message, ErrorKind.PARSE, p.line)
            if not fdeps.dependencies:
                continue
            yield from self._unpinned(app, fdeps)
            yield from self._audit(app, fdeps, database)

    def _unpinned(self, app: Application, fdeps: FunctionDeps) -> Iterator[Finding]:
        for dep in fdeps.dependencies:
            if dep.pinned:
                continue
            yield UNPINNED.finding(
                f"{fdeps.function.name}: {dep.spec} in {dep.manifest} has no exact version; the deployed "
                f"version is unknown and was not audited",
                Location(dep.manifest, dep.line), fdeps.function, key=f"{dep.ecosystem}:{dep.key}",
                evidence={"package": dep.name, "ecosystem": dep.ecosystem, "spec": dep.spec,
                          "manifest": dep.manifest},
                application=app.name)

    def _audit(self, app: Application, fdeps: FunctionDeps, database: _Db) -> Iterator[Finding | ScanError]:
        fn = fdeps.function
        pinned = [d for d in fdeps.dependencies if d.pinned]
        db = database.db
        # with no data for an ecosystem, every dependency (pinned or not) is unaudited
        unaudited = [d for d in fdeps.dependencies if db is None or not db.covers(d.ecosystem)]
        if unaudited:
            ecosystems = sorted({d.ecosystem for d in unaudited})
            if db is None and index_path(database.directory).exists():
                why = (f"the vulnerability database at {database.directory} is unreadable or from another "
                       "faasguard version")
            elif db is None:
                why = f"no vulnerability database at {database.directory}"
            else:
                why = f"the vulnerability database has no {', '.join(ecosystems)} advisories"
            yield ScanError(fn.location.file, f"{UNAUDITED_MARKER} {len(unaudited)} dependencies of function "
                            f"{fn.name} were not checked: {why}; build it with `faasguard db import PATH` or "
                            "`faasguard db update`", ErrorKind.DATABASE, fn.location.line, fn.id)
            yield UNAUDITED.finding(
                f"{fn.name}: {len(unaudited)} dependencies NOT audited ({why})", fn.location, fn,
                key="unaudited", evidence={"dependencies": len(unaudited), "ecosystems": ecosystems,
                                           "packages": sorted(d.spec for d in unaudited)[:50]},
                application=app.name)
        if db is None:
            return
        imports: HandlerImports | None = None
        for dep in pinned:
            if not db.covers(dep.ecosystem):
                continue
            vulns = db.vulnerabilities(dep.ecosystem, dep.name, dep.version or "")
            if not vulns:
                continue
            if imports is None:
                vendored = frozenset(n for d in fdeps.dependencies for n in d.top_level)
                imports = handler_imports(fn.language, fdeps.code_dir, fn.handler, vendored)
            status, via = reachability(dep, imports, fdeps.dependencies)
            for vuln in vulns:
                yield self._vuln_finding(app, fdeps, dep, vuln, status, via)

    def _vuln_finding(self, app: Application, fdeps: FunctionDeps, dep: Dependency, vuln: Any,
                      status: str, via: str) -> Finding:
        fn = fdeps.function
        base = _LEVELS.get(vuln.severity or "", Severity.HIGH)
        severity = base.lowered() if status == NOT_IMPORTED and base.rank > Severity.LOW.rank else base
        reach = {IMPORTED: "imported by the handler", TRANSITIVE: f"used through {via}, which the handler imports",
                 NOT_IMPORTED: "not imported by the handler"}.get(status, "reachability unknown")
        fixed = f"fixed in {', '.join(vuln.fixed)}" if vuln.fixed else "no fixed version published"
        ids = " / ".join(vuln.ids[:3])
        message = (f"{fn.name}: {dep.name} {dep.version} ({dep.manifest}) has {ids}: {vuln.summary} "
                   f"[{fixed}; {reach}]")
        return VULNERABLE.finding(
            message, Location(dep.manifest, dep.line), fn, key=f"{dep.ecosystem}:{dep.key}@{dep.version}:{vuln.id}",
            severity=severity, confidence="high" if status in (IMPORTED, TRANSITIVE) else "medium",
            evidence={"package": dep.name, "version": dep.version, "ecosystem": dep.ecosystem, "purl": dep.purl,
                      "vulnerability": vuln.id, "aliases": list(vuln.aliases), "cve": vuln.cve,
                      "fixed_versions": list(vuln.fixed), "advisory_severity": vuln.severity, "cvss": vuln.cvss,
                      "reachability": status, "via": via or None, "manifest": dep.manifest, "layer": dep.layer,
                      "references": list(vuln.references)},
            application=app.name)


def unaudited_count(result: Any) -> int:
    """How many dependencies a scan could not audit (0 = every pinned dependency was checked).

    Counts FG-DEP-000 findings wherever they ended (kept, suppressed, baselined); when those were
    filtered out, every ``database`` error still counts as at least one.
    """
    total = 0
    findings = list(result.findings) + [s.finding for s in getattr(result, "suppressed", ())] + list(
        getattr(result, "baselined", ()))
    for f in findings:
        if f.rule_id == UNAUDITED.id:
            total += int(f.evidence.get("dependencies", 1))
    if total == 0:
        total = sum(1 for e in result.errors if e.kind is ErrorKind.DATABASE)
    return total
