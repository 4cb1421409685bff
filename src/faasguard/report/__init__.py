"""Reporters: turn a ``ScanResult`` into text. They format; they never decide severity or filter.

``render(result, fmt)`` gives any format as a string; ``write_table(result, console)`` prints the
rich table on a console the caller owns. Formats are imported on use, so asking for JSON never
loads rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from faasguard.scan import ScanResult

FORMATS: frozenset[str] = frozenset({"table", "json", "sarif", "junit", "markdown"})
# The file name suffix each format is usually written with.
EXTENSIONS = {"table": ".txt", "json": ".json", "sarif": ".sarif", "junit": ".xml", "markdown": ".md"}


def render(result: ScanResult, fmt: str, *, show_suppressed: bool = False, color: bool | None = None,
           width: int | None = None) -> str:
    """The report in ``fmt`` (one of ``FORMATS``). ``color`` and ``width`` apply to the table;
    ``color=None`` colours only on a terminal without CI=true or NO_COLOR."""
    name = fmt.strip().lower()
    if name == "table":
        from faasguard.report.table import render_table

        return render_table(result, show_suppressed=show_suppressed, color=color, width=width)
    if name == "json":
        from faasguard.report.json_report import render_json

        return render_json(result, show_suppressed=show_suppressed)
    if name == "sarif":
        from faasguard.report.sarif import render_sarif

        return render_sarif(result, show_suppressed=show_suppressed)
    if name == "junit":
        from faasguard.report.junit import render_junit

        return render_junit(result, show_suppressed=show_suppressed)
    if name == "markdown":
        from faasguard.report.markdown import render_markdown

        return render_markdown(result, show_suppressed=show_suppressed)
    raise ValueError(f"unknown report format {fmt!r} (expected one of: {', '.join(sorted(FORMATS))})")


def write_table(result: ScanResult, console: Console, *, show_suppressed: bool = False) -> None:
    """Print the table report on a rich console (see ``faasguard.report.table.make_console``)."""
    from faasguard.report.table import write_table as _write

    _write(result, console, show_suppressed=show_suppressed)


def __getattr__(name: str) -> Any:
    # make_console / scan_progress without importing rich at package import
    if name == "make_console":
        from faasguard.report.table import make_console

        return make_console
    if name == "scan_progress":
        from faasguard.report.progress import scan_progress

        return scan_progress
    raise AttributeError(name)


__all__ = ["EXTENSIONS", "FORMATS", "render", "write_table"]
