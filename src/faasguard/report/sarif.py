"""SARIF 2.1.0 (OASIS), as GitHub code scanning and other SARIF viewers read it.

One run; rules carry ``security-severity`` and tags; results carry repo-relative URIs under
``%SRCROOT%``, ``partialFingerprints`` and, for data-flow findings, ``codeFlows``. Errors are
tool execution notifications, so a viewer shows that the scan was incomplete.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from faasguard.model import Finding, FlowStep, Location, ScanError, Severity
from faasguard.report.common import (
    INFORMATION_URI,
    TOOL_NAME,
    AppIndex,
    cwe_id,
    dump_json,
    masked_evidence,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "faasguardFingerprint/v1"

# GitHub's scale: critical >= 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_PRECISION = {"high": "high", "medium": "medium", "low": "low", "very-high": "very-high"}


def artifact_uri(file: str) -> str:
    """A relative URI reference for a root-relative POSIX path (spaces and '%' percent-encoded)."""
    return quote(file, safe="/-_.~!$&'()*+,;=@")


def _rule_name(title: str, rule_id: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or rule_id.replace("-", "")


def _artifact(file: str) -> dict[str, Any]:
    if file.startswith("/"):  # outside the scan root (should not happen): say so, absolutely
        return {"uri": PurePosixPath(file).as_uri()}
    return {"uri": artifact_uri(file), "uriBaseId": SRCROOT}


def _physical(file: str, line: int = 0, end_line: int = 0, column: int = 0) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(file)}
    if line > 0:
        region: dict[str, Any] = {"startLine": line}
        if end_line > line:
            region["endLine"] = end_line
        if column > 0:
            region["startColumn"] = column
        physical["region"] = region
    return physical


def _location(location: Location | None, fallback_file: str = "") -> dict[str, Any] | None:
    if location is not None and location.file:
        return {"physicalLocation": _physical(location.file, location.line, location.end_line, location.column)}
    if fallback_file:
        return {"physicalLocation": _physical(fallback_file)}
    return None


def _rule(meta: Any, finding: Finding) -> dict[str, Any]:
    """A reportingDescriptor from the rule's metadata (or, failing that, the finding's)."""
    title = (meta.title if meta is not None else "") or finding.title or finding.rule_id
    description = (getattr(meta, "description", "") if meta is not None else "") or title
    severity = meta.severity if meta is not None else finding.severity
    category = (meta.category if meta is not None else "") or finding.category
    cwes = [cwe_id(c) for c in ((meta.cwe if meta is not None else ()) or finding.cwe)]
    references = list((meta.references if meta is not None else ()) or finding.references)
    remediation = (meta.remediation if meta is not None else "") or finding.remediation
    tags = ["security"]
    if category:
        tags.append(category)
    tags.extend(cwes)
    help_md = [f"**{title}**", ""]
    if remediation:
        help_md += ["**Remediation:** " + remediation, ""]
    if cwes:
        help_md.append("**CWE:** " + ", ".join(cwes))
    if references:
        help_md.append("**References:** " + ", ".join(references))
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "name": _rule_name(title, finding.rule_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        "help": {"text": remediation or title, "markdown": "\n".join(help_md).strip()},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": list(dict.fromkeys(tags)),
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": _PRECISION.get(finding.confidence, "medium"),
            "severity": severity.value,
        },
    }
    url = next((r for r in references if r.startswith(("https://", "http://"))), None)
    if url:
        rule["helpUri"] = url
    return rule


def _thread_flow_location(step: FlowStep) -> dict[str, Any]:
    location: dict[str, Any] = {"message": {"text": step.note or step.kind}}
    if step.file:
        location["physicalLocation"] = _physical(step.file, step.line, 0, step.column)
    return {"location": location, "kinds": [step.kind or "step"]}


def _result(finding: Finding, rule_index: int, index: AppIndex,
            suppression: tuple[str, str] | None, show_suppressed: bool) -> dict[str, Any]:
    app = index.application_of(finding)
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message or finding.title or finding.rule_id},
    }
    # GitHub needs a location on every result: a finding without one points at its app's file
    loc = _location(finding.location, app.location.file if app is not None else "")
    if loc is not None:
        result["locations"] = [loc]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.flow:
        result["codeFlows"] = [{
            "message": {"text": finding.message or finding.title},
            "threadFlows": [{"locations": [_thread_flow_location(s) for s in finding.flow]}],
        }]
    if show_suppressed and suppression is None:
        result["suppressions"] = []  # known not to be suppressed (absent would mean unknown)
    if suppression is not None:
        reason, source = suppression
        entry: dict[str, Any] = {"kind": "inSource", "status": "accepted",
                                 "properties": {"source": source}}
        if reason:
            entry["justification"] = reason
        result["suppressions"] = [entry]
    properties: dict[str, Any] = {
        "severity": finding.severity.value,
        "confidence": finding.confidence,
    }
    if finding.function:
        properties["function"] = finding.function
    application = finding.application or (app.name if app is not None else "")
    if application:
        properties["application"] = application
    if finding.category:
        properties["category"] = finding.category
    if finding.evidence:
        properties["evidence"] = masked_evidence(finding.evidence)
    result["properties"] = properties
    return result


def _notification(error: ScanError) -> dict[str, Any]:
    note: dict[str, Any] = {
        "level": "error",
        "message": {"text": f"{error.file}: {error.message}" if error.file else error.message},
        "descriptor": {"id": f"faasguard/{error.kind.value}"},
        "properties": {"kind": error.kind.value},
    }
    if error.function:
        note["properties"]["function"] = error.function
    if error.file:
        note["locations"] = [{"physicalLocation": _physical(error.file, error.line)}]
    return note


def to_sarif(result: Any, *, show_suppressed: bool = False) -> dict[str, Any]:
    """The SARIF log as plain data (``result`` is a ``faasguard.scan.ScanResult``)."""
    index = AppIndex(result.applications)
    items: list[tuple[Finding, tuple[str, str] | None]] = [(f, None) for f in result.findings]
    if show_suppressed:
        items += [(s.finding, (s.reason, s.source)) for s in result.suppressed]

    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for finding, _ in items:
        if finding.rule_id not in rule_index:
            rule_index[finding.rule_id] = len(rules)
            rules.append(_rule(result.rules.get(finding.rule_id), finding))

    root = result.root
    root_uri = root.as_uri() if hasattr(root, "as_uri") and root.is_absolute() else None
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": TOOL_NAME,
            "version": result.version,
            "semanticVersion": result.version,
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }},
        "invocations": [{
            # a crash of the whole scan never reaches a reporter; partial failures are notifications
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification(e) for e in result.errors],
        }],
        "results": [_result(f, rule_index[f.rule_id], index, s, show_suppressed) for f, s in items],
        "columnKind": "unicodeCodePoints",
    }
    if root_uri is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri.rstrip("/") + "/"}}
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(result: Any, *, show_suppressed: bool = False) -> str:
    data = to_sarif(result, show_suppressed=show_suppressed)
    return dump_json(data, len(result.findings) + len(result.errors) + len(result.suppressed))
