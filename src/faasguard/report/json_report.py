"""The JSON report: faasguard's public, documented interface (docs/report-json.md).

Its shape is fixed by ``schemas/faasguard-report.schema.json``; change both together and bump
``SCHEMA_VERSION`` when a field is removed or changes meaning (adding a field is compatible).
"""

from __future__ import annotations

import gc
from typing import Any

from faasguard.model import Application, Finding, Function, Location, ScanError, Trigger
from faasguard.report.common import (
    TOOL_NAME,
    AppIndex,
    cwe_id,
    dump_json,
    jsonable,
    masked_evidence,
    summarize,
)

SCHEMA_VERSION = "1.0"


def location_dict(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    line = location.line if location.line > 0 else None
    end_line = location.end_line if location.end_line > 0 else line
    return {
        "file": location.file,
        "line": line,
        "end_line": end_line,
        "column": location.column if location.column > 0 else None,
    }


def finding_dict(finding: Finding, index: AppIndex) -> dict[str, Any]:
    app = index.application_of(finding)
    fix = finding.fix
    return {
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "category": finding.category,
        "cwe": [cwe_id(c) for c in finding.cwe],
        "function": finding.function or None,
        "application": finding.application or (app.name if app is not None else None),
        "location": location_dict(finding.location),
        "message": finding.message,
        "remediation": finding.remediation,
        "fingerprint": finding.fingerprint,
        "confidence": finding.confidence,
        "references": list(finding.references),
        "evidence": masked_evidence(finding.evidence),
        "flow": [
            {"file": s.file, "line": s.line if s.line > 0 else None, "note": s.note, "kind": s.kind}
            for s in finding.flow
        ],
        "fix": None if fix is None else {
            "description": fix.description,
            "file": fix.file,
            "pointer": [jsonable(p) for p in fix.pointer],
            "value": jsonable(fix.value),
        },
    }


def trigger_dict(trigger: Trigger) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": trigger.kind.value, "trust": trigger.trust.value}
    if trigger.method or trigger.path:
        out["route"] = trigger.route
    if trigger.authorizer is not None:
        out["authorizer"] = trigger.authorizer.kind.value
    if trigger.source_id:
        out["source_id"] = trigger.source_id
    return out


def function_dict(fn: Function, app: Application) -> dict[str, Any]:
    return {
        "id": fn.id,
        "name": fn.name,
        "application": app.name,
        "runtime": fn.runtime,
        "handler": fn.handler,
        "code_path": fn.code_path,
        "triggers": [trigger_dict(t) for t in fn.triggers],
        "role": fn.role_id,
        "location": location_dict(fn.location),
    }


def error_dict(error: ScanError) -> dict[str, Any]:
    return {
        "file": error.file,
        "line": error.line if error.line > 0 else None,
        "kind": error.kind.value,
        "message": error.message,
        "function": error.function,
    }


def application_dict(app: Application) -> dict[str, Any]:
    return {
        "name": app.name,
        "source_kind": app.source_kind,
        "root": app.root,
        "files": list(app.files),
        "functions": len(app.functions),
    }


def to_dict(result: Any, *, show_suppressed: bool = False) -> dict[str, Any]:
    """The report as plain data (``result`` is a ``faasguard.scan.ScanResult``)."""
    apps: list[Application] = list(result.applications)
    index = AppIndex(apps)
    summary = summarize(result)
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": result.version},
        "version": result.version,
        "root": result.root.as_posix() if hasattr(result.root, "as_posix") else str(result.root),
        "duration_s": round(float(result.duration_s), 3),
        "applications": [application_dict(a) for a in apps],
        "functions": [function_dict(fn, a) for a in apps for fn in a.functions],
        "findings": [finding_dict(f, index) for f in result.findings],
        "errors": [error_dict(e) for e in result.errors],
    }
    if show_suppressed:
        report["suppressed"] = [
            {**finding_dict(s.finding, index), "suppression": {"reason": s.reason, "source": s.source}}
            for s in result.suppressed
        ]
    report["summary"] = {
        "findings": summary.findings,
        "by_severity": dict(summary.by_severity),
        "functions": summary.functions,
        "applications": summary.applications,
        "errors": summary.errors,
        "unreadable_files": summary.unreadable_files,
        "suppressed": summary.suppressed,
        "baselined": summary.baselined,
        "clean": summary.clean,
    }
    return report


def render_json(result: Any, *, show_suppressed: bool = False) -> str:
    # tens of thousands of small acyclic dicts: the cyclic collector would only rescan them
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        data = to_dict(result, show_suppressed=show_suppressed)
        return dump_json(data, len(result.findings) + len(result.errors) + len(result.suppressed))
    finally:
        if was_enabled:
            gc.enable()
