"""The console report (rich): findings by application then function, errors, summary line.

Scanned content is untrusted, so it only ever reaches rich as ``Text`` (never as markup), and
an incomplete scan always ends with a warning, never with "no findings" alone.
"""

from __future__ import annotations

import io
import shutil
import sys
import textwrap
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console
from rich.segment import Segment, Segments
from rich.text import Text

from faasguard.model import Finding, Function, Severity
from faasguard.report.common import (
    AppGroup,
    FunctionGroup,
    color_wanted,
    group_findings,
    location_text,
    one_line,
    step_location,
    summarize,
)

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
DEFAULT_WIDTH = 120


def make_console(file: IO[str] | None = None, *, color: bool | None = None, width: int | None = None) -> Console:
    """A console that colours only when ``color_wanted`` (TTY, no CI=true, no NO_COLOR) or when
    told to; ``file`` defaults to stdout."""
    use_color = color_wanted(file) if color is None else color
    return Console(
        file=file, width=width, force_terminal=use_color, no_color=not use_color,
        color_system="standard" if use_color else None, highlight=False, emoji=False, markup=False,
        soft_wrap=False,
    )


def _function_heading(group: FunctionGroup) -> Text:
    text = Text("  ")
    text.append(one_line(group.title), style="bold")
    fn: Function | None = group.function
    if fn is not None:
        details = [d for d in (fn.runtime, fn.handler) if d]
        routes = [f"{t.kind.value} {t.route if (t.method or t.path) else ''}".strip() + f" ({t.trust.value})"
                  for t in fn.triggers]
        if routes:
            details.append(", ".join(routes))
        if details:
            text.append("  " + one_line(" · ".join(details)), style="dim")
    return text


@dataclass(frozen=True)
class _Columns:
    """Widths of the findings columns, shared by every function of the report so they line up.

    The findings part is laid out by hand rather than with rich's Table: a Table per function
    costs rich about a millisecond per finding, too slow for scans of thousands of functions.
    """

    indent: int
    rule: int
    location: int
    message: int

    SEVERITY = 8  # len("CRITICAL")
    GAP = 3

    @staticmethod
    def fit(findings: list[Finding], width: int) -> _Columns:
        indent = 4
        rule = max([len("Rule"), *(len(f.rule_id) for f in findings)])
        location = max([len("Location"), *(len(one_line(location_text(f.location))) for f in findings)])
        fixed = indent + _Columns.SEVERITY + rule + 3 * _Columns.GAP
        # the message keeps at least 30 columns (or a third of the width); long paths fold
        location = max(14, min(location, width - fixed - max(30, width // 3)))
        return _Columns(indent, rule, location, max(20, width - fixed - location))

    def line(self, severity: Text, rule: str, location: str, message: Text) -> Text:
        gap = " " * self.GAP
        text = Text(" " * self.indent)
        text.append_text(severity)
        text.append(" " * (self.SEVERITY - len(severity.plain)) + gap)
        text.append(rule.ljust(self.rule) + gap)
        text.append(location.ljust(self.location) + gap)
        text.append_text(message)
        return text


def _fold(text: Text, width: int, indent: int) -> list[Text]:
    """A heading wrapped to ``width`` (continuation lines indented), keeping its styles."""
    if len(text.plain) <= width:
        return [text]
    lines = text.wrap(Console(width=width, color_system=None), width - indent)
    return [lines[0], *(Text(" " * indent) + line for line in lines[1:])]


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=True,
                         break_on_hyphens=False, drop_whitespace=True) or [""]


def _message_lines(f: Finding, width: int) -> list[Text]:
    """The message, then one line per flow step: kind (aligned), where, what."""
    lines = [Text(line) for line in _wrap(one_line(f.message), width)]
    kind_width = max((len(step.kind or "step") for step in f.flow), default=0)
    hang = " " * (2 + kind_width + 2)
    for step in f.flow:
        kind = (step.kind or "step").ljust(kind_width)
        where = one_line(step_location(step))
        body = (where + "  " if where else "") + one_line(step.note)
        wrapped = _wrap(body, max(10, width - len(hang)))
        first = Text("  ")
        first.append(kind, style="bold")
        first.append("  ")
        if where and wrapped[0].startswith(where):
            first.append(where, style="cyan")
            first.append(wrapped[0][len(where):])
        else:
            first.append(wrapped[0])
        lines.append(first)
        lines += [Text(hang + w) for w in wrapped[1:]]
    return lines


def _findings_lines(findings: list[Finding], cols: _Columns) -> list[Text]:
    head = Text(" " * cols.indent, style="bold")
    head.append("Severity".ljust(cols.SEVERITY + cols.GAP) + "Rule".ljust(cols.rule + cols.GAP)
                + "Location".ljust(cols.location + cols.GAP) + "Message", style="bold")
    rule_line = Text(" " * cols.indent + "─" * (cols.SEVERITY + cols.rule + cols.location + cols.message
                                                     + 3 * cols.GAP), style="dim")
    out = [head, rule_line]
    blank = Text("")
    for f in findings:
        location = location_text(f.location)
        loc_lines = textwrap.wrap(one_line(location), cols.location, break_long_words=True,
                                  break_on_hyphens=False) or [""]
        messages = _message_lines(f, cols.message)
        for i in range(max(len(loc_lines), len(messages))):
            severity = Text(f.severity.value.upper(), style=SEVERITY_STYLE[f.severity]) if i == 0 else blank
            out.append(cols.line(severity, f.rule_id if i == 0 else "",
                                 loc_lines[i] if i < len(loc_lines) else "",
                                 messages[i] if i < len(messages) else blank))
    return out


def _app_heading(group: AppGroup) -> Text:
    text = Text(one_line(group.title), style="bold underline")
    text.append(f"  {group.count} finding{'s' if group.count != 1 else ''}", style="dim")
    return text


def _grid(title: Text, headers: list[str], rows: list[list[str]], width: int) -> list[Text]:
    """A plain table: every column but the last sized to its content (at most a quarter of the
    width, longer text folds), the last one wraps in what is left."""
    gap = 3
    widths = [min(max([len(h), *(len(r[i]) for r in rows)]), max(8, width // 4)) for i, h in enumerate(headers[:-1])]
    last = max(20, width - sum(widths) - gap * len(widths))
    widths.append(last)
    out = [*_fold(title, width, 0)]
    out.append(Text((" " * gap).join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
                    style="bold"))
    out.append(Text("\u2500" * (sum(widths) + gap * (len(widths) - 1)), style="dim"))
    for row in rows:
        cells = [_wrap(one_line(cell), w) for cell, w in zip(row, widths, strict=True)]
        for i in range(max(len(c) for c in cells)):
            parts = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)]
            out.append(Text((" " * gap).join(parts).rstrip()))
    return out


def _errors_lines(result: Any, width: int) -> list[Text]:
    title = Text(f"Errors ({len(result.errors)}): these files or checks could not be read or run, "
                 "so the scan is incomplete", style="bold red")
    rows = [[f"{e.file}:{e.line}" if e.line > 0 else (e.file or "-"), e.kind.value, e.message]
            for e in result.errors]
    return _grid(title, ["File", "Kind", "Message"], rows, width)


def _suppressed_lines(result: Any, width: int) -> list[Text]:
    title = Text(f"Suppressed ({len(result.suppressed)})", style="bold")
    rows = [[s.finding.rule_id, location_text(s.finding.location), s.finding.function or "-",
             f"{s.reason or 'no reason given'} ({s.source})"] for s in result.suppressed]
    return _grid(title, ["Rule", "Location", "Function", "Reason"], rows, width)


def write_table(result: Any, console: Console, *, show_suppressed: bool = False) -> None:
    """Print the report on ``console`` (``result`` is a ``faasguard.scan.ScanResult``)."""
    summary = summarize(result)
    cols = _Columns.fit(list(result.findings), console.width)
    lines: list[Text] = []
    for app_group in group_findings(result.findings, result.applications):
        lines += _fold(_app_heading(app_group), console.width, 2)
        for fn_group in app_group.functions:
            lines += _fold(_function_heading(fn_group), console.width, 4)
            lines += _findings_lines(fn_group.findings, cols)
        lines.append(Text(""))
    if result.errors:
        lines += [*_errors_lines(result, console.width), Text("")]
    if show_suppressed and result.suppressed:
        lines += [*_suppressed_lines(result, console.width), Text("")]
    if lines:
        # the lines are wrapped already: hand rich their segments so it only writes them out
        # (joining them into one Text and letting rich re-wrap it costs seconds on big reports)
        segments: list[Segment] = []
        newline = Segment.line()
        for line in lines:
            segments.extend(line.render(console))
            segments.append(newline)
        console.print(Segments(segments), crop=False, no_wrap=True)

    console.print(Text(summary.line()))
    if summary.incomplete:
        style = "bold red"
    elif summary.findings:
        style = "bold"
    elif summary.applications == 0:
        style = "yellow"
    else:
        style = "bold green"
    console.print(Text(summary.verdict(), style=style))


def _stdout_width() -> int:
    """The terminal's width when the text goes to one, else a fixed width (stable in CI logs)."""
    try:
        if sys.stdout.isatty():
            return max(60, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)
    except (AttributeError, ValueError, OSError):
        pass
    return DEFAULT_WIDTH


def render_table(result: Any, *, show_suppressed: bool = False, color: bool | None = None,
                 width: int | None = None) -> str:
    buffer = io.StringIO()
    # ``color=None`` asks the real stdout, since the text is meant to be printed there
    use_color = color_wanted() if color is None else color
    console = make_console(buffer, color=use_color, width=width or _stdout_width())
    write_table(result, console, show_suppressed=show_suppressed)
    return buffer.getvalue()
