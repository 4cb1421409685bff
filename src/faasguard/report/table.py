"""The console report (rich): findings by application then function, errors, summary line.

Scanned content is untrusted, so it only ever reaches rich as ``Text`` (never as markup), and
an incomplete scan always ends with a warning, never with "no findings" alone.
"""

from __future__ import annotations

import io
import shutil
import sys
from typing import IO, Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
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


def _message_cell(f: Finding) -> Text | Group:
    message = Text(one_line(f.message))
    if not f.flow:
        return message
    # one line per step; the kind in its own column so wrapped text stays aligned
    steps = Table.grid(padding=(0, 2))
    steps.add_column(no_wrap=True, style="bold")
    steps.add_column(overflow="fold")
    for step in f.flow:
        where = step_location(step)
        detail = Text(one_line(where) + " ", style="cyan") if where else Text()
        detail.append(one_line(step.note))
        steps.add_row(Text(step.kind or "step"), detail)
    return Group(message, Padding(steps, (0, 0, 0, 2), expand=False))


def _findings_table(findings: list[Finding]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Location", overflow="fold")
    table.add_column("Message", overflow="fold", ratio=1)
    for f in findings:
        table.add_row(
            Text(f.severity.value.upper(), style=SEVERITY_STYLE[f.severity]),
            Text(f.rule_id),
            Text(one_line(location_text(f.location))),
            _message_cell(f),
        )
    return table


def _app_heading(group: AppGroup) -> Text:
    text = Text(one_line(group.title), style="bold underline")
    text.append(f"  {group.count} finding{'s' if group.count != 1 else ''}", style="dim")
    return text


def _errors_table(result: Any, summary_text: str) -> Table:
    table = Table(title=Text(summary_text, style="bold red"), title_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False)
    table.add_column("File", overflow="fold")
    table.add_column("Kind", no_wrap=True)
    table.add_column("Message", overflow="fold", ratio=1)
    for e in result.errors:
        where = f"{e.file}:{e.line}" if e.line > 0 else (e.file or "-")
        table.add_row(Text(one_line(where)), Text(e.kind.value), Text(one_line(e.message)))
    return table


def _suppressed_table(result: Any) -> Table:
    table = Table(title=Text(f"Suppressed ({len(result.suppressed)})", style="bold"), title_justify="left",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in ("Rule", "Location", "Function", "Reason"):
        table.add_column(name, overflow="fold")
    for s in result.suppressed:
        f = s.finding
        reason = f"{s.reason or 'no reason given'} ({s.source})"
        table.add_row(Text(f.rule_id), Text(one_line(location_text(f.location))),
                      Text(one_line(f.function or "-")), Text(one_line(reason)))
    return table


def write_table(result: Any, console: Console, *, show_suppressed: bool = False) -> None:
    """Print the report on ``console`` (``result`` is a ``faasguard.scan.ScanResult``)."""
    summary = summarize(result)
    for app_group in group_findings(result.findings, result.applications):
        console.print(_app_heading(app_group))
        for fn_group in app_group.functions:
            table = Padding(_findings_table(fn_group.findings), (0, 0, 0, 4), expand=False)
            console.print(Group(_function_heading(fn_group), table))
        console.print()

    if result.errors:
        title = (f"Errors ({len(result.errors)}): these files or checks could not be read or run, "
                 "so the scan is incomplete")
        console.print(_errors_table(result, title))
        console.print()

    if show_suppressed and result.suppressed:
        console.print(_suppressed_table(result))
        console.print()

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
