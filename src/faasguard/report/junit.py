"""JUnit XML, for CI systems that show test results but not SARIF.

The honest mapping: a testsuite per application, a failing testcase per finding, an erroring
testcase per file or check that could not be read or run, a skipped testcase per suppressed
finding (with ``show_suppressed``), and a passing ``scan`` testcase for an application (or a
whole scan) without findings, so the CI page shows that something was checked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from faasguard.model import Finding, ScanError
from faasguard.report.common import (
    TOOL_NAME,
    AppGroup,
    AppIndex,
    evidence_text,
    flow_line,
    group_findings,
    location_text,
    masked_evidence,
    summarize,
)

# Characters XML 1.0 cannot hold at all (ElementTree would write them and break the file).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("?", text)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def _finding_body(f: Finding) -> str:
    lines = [
        f"{f.severity.value.upper()} {f.rule_id}: {f.title}",
        f"location: {location_text(f.location)}",
    ]
    if f.function:
        lines.append(f"function: {f.function}")
    lines.append(f"message: {f.message}")
    if f.flow:
        lines.append("flow:")
        lines += [f"  {n}. {flow_line(s)}" for n, s in enumerate(f.flow, 1)]
    if f.remediation:
        lines.append(f"remediation: {f.remediation}")
    evidence = masked_evidence(f.evidence)
    if evidence:
        lines.append("evidence: " + ", ".join(f"{k}={evidence_text(v)}" for k, v in evidence.items()))
    lines.append(f"fingerprint: {f.fingerprint}")
    return "\n".join(lines)


def _case_name(f: Finding) -> str:
    return f"{f.rule_id} {location_text(f.location)}"


def _suite_name(group: AppGroup) -> str:
    return group.application.name if group.application is not None else "(no application)"


def _add_finding(suite: ET.Element, classname: str, f: Finding) -> None:
    case = _el(suite, "testcase", name=_case_name(f), classname=classname, time="0")
    if f.location is not None and f.location.file:
        case.set("file", xml_text(f.location.file))
        if f.location.line > 0:
            case.set("line", str(f.location.line))
    _el(case, "failure", _finding_body(f), message=f"{f.rule_id}: {f.message}", type=f.severity.value)


def _add_error(suite: ET.Element, e: ScanError) -> None:
    where = f"{e.file}:{e.line}" if e.line > 0 else (e.file or "-")
    case = _el(suite, "testcase", name=f"{e.kind.value} {where}", classname=f"{TOOL_NAME}.errors", time="0")
    if e.file:
        case.set("file", xml_text(e.file))
    body = f"{where}: {e.message}" + (f"\nfunction: {e.function}" if e.function else "")
    _el(case, "error", body, message=e.message, type=e.kind.value)


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    suite.set("time", "0")


def render_junit(result: Any, *, show_suppressed: bool = False) -> str:
    root = ET.Element("testsuites", {"name": TOOL_NAME})
    index = AppIndex(result.applications)
    apps = index.applications
    groups = {id(g.application): g for g in group_findings(result.findings, index)}
    suppressed = group_findings([s.finding for s in result.suppressed], index) if show_suppressed else []
    reasons = {id(s.finding): s for s in result.suppressed}
    suites: dict[int | None, ET.Element] = {}

    def suite_for(group: AppGroup) -> ET.Element:
        key = id(group.application) if group.application is not None else None
        if key not in suites:
            suites[key] = _el(root, "testsuite", name=_suite_name(group))
        return suites[key]

    for app in apps:
        group = groups.get(id(app)) or AppGroup(app, [])
        suite = suite_for(group)
        for fn_group in group.functions:
            classname = f"{app.name}.{fn_group.function_id or '(application)'}"
            for f in fn_group.findings:
                _add_finding(suite, classname, f)
        if not group.functions:
            _el(suite, "testcase", name="scan", classname=f"{app.name}", time="0")
    orphan = groups.get(id(None))
    if orphan is not None:
        suite = suite_for(orphan)
        for fn_group in orphan.functions:
            for f in fn_group.findings:
                _add_finding(suite, fn_group.function_id or "(no application)", f)

    for group in suppressed:
        suite = suite_for(group)
        for fn_group in group.functions:
            for f in fn_group.findings:
                case = _el(suite, "testcase", name=_case_name(f),
                           classname=f"{_suite_name(group)}.{fn_group.function_id or '(application)'}", time="0")
                entry = reasons[id(f)]
                _el(case, "skipped", message=f"suppressed ({entry.source}): {entry.reason or 'no reason given'}")

    if not result.findings and not apps and not result.errors:
        scan_suite = _el(root, "testsuite", name=TOOL_NAME)
        _el(scan_suite, "testcase", name="scan", classname=TOOL_NAME, time="0")
    if result.errors:
        error_suite = _el(root, "testsuite", name=f"{TOOL_NAME} errors")
        for e in result.errors:
            _add_error(error_suite, e)

    for suite in root.findall("testsuite"):
        _count(suite)
    summary = summarize(result)
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in root.findall("testsuite"))))
    root.set("time", f"{float(result.duration_s):.3f}")
    root.append(ET.Comment(xml_text(" " + summary.line().replace("--", "- -") + " ")))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
