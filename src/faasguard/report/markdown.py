"""GitHub-flavoured Markdown for pull-request comments.

Everything that comes from the scanned repository (messages, paths, names) is untrusted: it is
escaped so that a crafted resource name cannot inject links, HTML, @mentions or table cells.
"""

from __future__ import annotations

import re
from typing import Any

from faasguard.model import Finding
from faasguard.report.common import (
    SEVERITY_ORDER,
    TOOL_NAME,
    encodable,
    evidence_text,
    group_findings,
    location_text,
    masked_evidence,
    one_line,
    step_location,
    summarize,
)

# Enough to stop emphasis, code, links, images, HTML and table cells; lines always start with our
# own text, so block markers ('-', '1.', '=') in the middle of a line need no escape.
# GitHub refuses issue and pull-request comments longer than 65,536 characters.
MAX_CHARS = 60_000
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str) -> str:
    """Escape Markdown and HTML in one line of untrusted text."""
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(text)).replace("&", "&amp;")
    # break @mentions and #references without changing what the reader sees
    return escaped.replace("@", "@&#8203;")


def code(text: str) -> str:
    """An inline code span that holds any text (backticks inside use a longer fence)."""
    text = one_line(text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell_code(text: str) -> str:
    """A code span inside a table cell: GFM splits cells on '|' even inside code spans."""
    return code(text).replace("|", "\\|")


def badge(severity: str) -> str:
    return f"`{severity.upper()}`"


def _finding(f: Finding, lines: list[str]) -> None:
    lines.append(f"- {badge(f.severity.value)} **{md(f.rule_id)}** {md(f.title)} at {code(location_text(f.location))}")
    lines.append(f"  {md(f.message)}")
    if f.flow:
        lines.append("")
        for n, step in enumerate(f.flow, 1):
            where = step_location(step)
            at = f" at {code(where)}" if where else ""
            lines.append(f"  {n}. **{md(step.kind or 'step')}**{at}: {md(step.note)}")
        lines.append("")
    if f.remediation:
        lines.append(f"  *Fix:* {md(f.remediation)}")
    evidence = masked_evidence(f.evidence)
    if evidence:
        shown = ", ".join(f"{md(str(k))}={code(evidence_text(v))}" for k, v in evidence.items())
        lines.append(f"  *Evidence:* {shown}")


def _fitting(rows: list[str], budget: int) -> tuple[list[str], int]:
    """The first rows that fit in ``budget`` characters, and how many were left out."""
    used = 0
    for i, row in enumerate(rows):
        used += len(row) + 1
        if used > budget:
            return rows[:i], len(rows) - i
    return rows, 0


def _errors_section(result: Any, budget: int) -> list[str]:
    if not result.errors:
        return []
    rows = []
    for e in result.errors:
        where = f"{e.file}:{e.line}" if e.line > 0 else (e.file or "-")
        rows.append(f"| {cell_code(where)} | {md(e.kind.value)} | {md(e.message)} |")
    shown, left = _fitting(rows, budget)
    lines = [f"### Errors ({len(result.errors)}): the scan is incomplete", "",
             "| File | Kind | Message |", "| --- | --- | --- |", *shown]
    if left:
        lines += ["", f"*{left} more errors are not shown here; the JSON and SARIF reports list them all.*"]
    return [*lines, ""]


def _suppressed_section(result: Any, budget: int) -> list[str]:
    rows = []
    for s in result.suppressed:
        f = s.finding
        rows.append(f"| {md(f.rule_id)} | {cell_code(location_text(f.location))} | {md(f.function or '-')} "
                    f"| {md(s.reason or 'no reason given')} ({md(s.source)}) |")
    shown, left = _fitting(rows, budget)
    lines = [f"### Suppressed ({len(result.suppressed)})", "",
             "| Rule | Location | Function | Reason |", "| --- | --- | --- | --- |", *shown]
    if left:
        lines += ["", f"*{left} more suppressed findings are not shown here.*"]
    return [*lines, ""]


def _findings_section(result: Any, budget: int) -> list[str]:
    """Findings by function. When they do not all fit in a comment, the most severe ones are
    kept (findings come sorted by severity) and the rest are counted, never silently dropped."""
    findings = list(result.findings)
    if not findings:
        return []
    blocks: dict[int, list[str]] = {}
    used, kept = 0, 0
    for f in findings:
        block: list[str] = []
        _finding(f, block)
        size = sum(len(x) + 1 for x in block) + 120  # + a share of the function heading
        if used + size > budget:
            break
        blocks[id(f)] = block
        used += size
        kept += 1
    lines = ["### Findings", ""]
    for app_group in group_findings(findings[:kept], result.applications):
        for fn_group in app_group.functions:
            lines += [f"#### {md(fn_group.title)} in {md(app_group.title)}", ""]
            for f in fn_group.findings:
                lines += blocks[id(f)]
            lines.append("")
    if kept < len(findings):
        lines += [f"*{len(findings) - kept} more findings (the least severe) are not shown: a comment is "
                  "limited in size; the JSON and SARIF reports list them all.*", ""]
    return lines


def render_markdown(result: Any, *, show_suppressed: bool = False, max_chars: int = MAX_CHARS) -> str:
    """The report, at most about ``max_chars`` long (GitHub refuses comments over 65,536)."""
    summary = summarize(result)
    lines: list[str] = [f"## {TOOL_NAME} scan", ""]
    if summary.incomplete:
        lines.append(f"> **Warning:** {md(summary.verdict())}")
    else:
        lines.append(f"**{md(summary.verdict())}**")
    lines += ["", "| Severity | Findings |", "| --- | ---: |"]
    lines += [f"| {badge(s.value)} | {summary.by_severity[s.value]} |" for s in SEVERITY_ORDER]
    lines.append(f"| **Total** | **{summary.findings}** |")
    lines += ["", md(summary.line()), ""]

    budget = max(2000, max_chars - sum(len(x) + 1 for x in lines))
    errors = _errors_section(result, budget // 4)
    suppressed = _suppressed_section(result, budget // 8) if show_suppressed and result.suppressed else []
    rest = budget - sum(len(x) + 1 for x in errors + suppressed)
    lines += _findings_section(result, rest) + errors + suppressed
    return encodable("\n".join(lines).rstrip() + "\n")
