from __future__ import annotations

import io
from dataclasses import replace

from faasguard.report import render, write_table
from faasguard.report.table import make_console
from faasguard.scan import ScanResult


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_table_groups_by_application_then_function(full_result: ScanResult) -> None:
    lines = _lines(render(full_result, "table", color=False, width=160))
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert headings[:2] == ["orders (serverless, serverless.yml)  4 findings",
                            "billing (sam, billing/template.yaml)  2 findings"]
    fn_headings = [line.strip() for line in lines if line.startswith("  ") and not line.startswith("    ")]
    assert fn_headings == [
        "orders-dev-createOrder (createOrder)  python3.12 · src/handler.create · http_api GET /orders (public)",
        "orders-dev-worker (worker)  python3.12 · src/worker.run · sns (internal)",
        "(not tied to a function)",
        "BillingFunction  nodejs20.x · index.handler",
    ]
    rows = [line.split() for line in lines if line.strip().startswith(("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"))]
    assert [r[:3] for r in rows] == [
        ["CRITICAL", "FG-CODE-001", "src/handler.py:20"],
        ["HIGH", "FG-API-004", "serverless.yml:14"],
        ["MEDIUM", "FG-FN-004", "serverless.yml:29"],
        ["HIGH", "FG-IAM-001", "serverless.yml:40"],
        ["HIGH", "FG-SEC-001", "billing/template.yaml:12"],
        ["INFO", "FG-LOG-001", "billing/template.yaml"],
    ]


def test_table_shows_the_flow_one_line_per_step(full_result: ScanResult) -> None:
    lines = [line.strip() for line in _lines(render(full_result, "table", color=False, width=160))]
    start = lines.index(next(line for line in lines if line.startswith("CRITICAL")))
    assert lines[start + 1:start + 5] == [
        "trigger     GET /orders (public)",
        "source      src/handler.py:12  event['body']",
        "sink        src/handler.py:20  subprocess.run(shell=True)",
        "permission  role allows iam:PassRole on *",
    ]


def test_table_errors_section_and_summary(full_result: ScanResult) -> None:
    lines = _lines(render(full_result, "table", color=False, width=160))
    assert ("Errors (2): these files or checks could not be read or run, so the scan is incomplete"
            in lines)
    rows = [line.split(None, 2) for line in lines if line.startswith(("broken/", "huge.json"))]
    assert rows == [["broken/serverless.yml:3", "parse", "invalid YAML: mapping values are not allowed here"],
                    ["huge.json", "too_large", "file is larger than 20 MB"]]
    assert lines[-2] == ("6 findings: 1 critical, 3 high, 1 medium, 1 info; 3 functions in 2 applications; "
                         "2 files could not be read; 1 suppressed; 1 in baseline")
    assert lines[-1] == "INCOMPLETE scan: 6 findings, and 2 files could not be read."
    assert not any("no findings" in line.lower() for line in lines)
    assert "Suppressed (1)" not in lines


def test_table_suppressed_on_request(full_result: ScanResult) -> None:
    lines = _lines(render(full_result, "table", color=False, width=160, show_suppressed=True))
    assert "Suppressed (1)" in lines
    row = next(line for line in lines if line.startswith("FG-FN-002"))
    assert row.split(None, 3) == ["FG-FN-002", "serverless.yml:12", "createOrder", "batch import needs it (inline)"]


def test_clean_scan_says_no_findings(clean_result: ScanResult) -> None:
    lines = _lines(render(clean_result, "table", color=False))
    assert lines == ["0 findings; 2 functions in 1 application; 0 suppressed; 0 in baseline", "No findings."]


def test_errors_only_scan_never_looks_clean(errors_only_result: ScanResult) -> None:
    text = render(errors_only_result, "table", color=False, width=160)
    lines = _lines(text)
    assert lines[-1] == ("INCOMPLETE scan, not a clean result: 1 file could not be read; "
                         "no findings in what could be read.")
    assert "No findings." not in lines
    assert any(line.startswith("serverless.yml:7") and "parse" in line for line in lines)


def test_analysis_errors_are_not_counted_as_unread_files(clean_result: ScanResult) -> None:
    from faasguard.model import ErrorKind, ScanError

    clean_result.errors.append(ScanError("serverless.yml", "FG-FN-001 failed on orders: KeyError: 'x'",
                                         ErrorKind.INTERNAL))
    lines = _lines(render(clean_result, "table", color=False, width=160))
    assert lines[-2] == ("0 findings; 2 functions in 1 application; 1 check could not run; 0 suppressed; "
                         "0 in baseline")
    assert lines[-1] == ("INCOMPLETE scan, not a clean result: 1 check could not run; no findings in what could "
                         "be read.")


def test_nothing_to_scan_is_said(empty_result: ScanResult) -> None:
    assert _lines(render(empty_result, "table", color=False))[-1] == (
        "No findings: no serverless application was found to scan.")


def test_colour_only_when_asked_or_on_a_terminal(full_result: ScanResult, monkeypatch) -> None:
    assert "\x1b[" in render(full_result, "table", color=True)
    assert "\x1b[" not in render(full_result, "table", color=False)
    # color=None: stdout under pytest is not a TTY
    assert "\x1b[" not in render(full_result, "table")


def test_untrusted_text_is_not_rich_markup(full_result: ScanResult) -> None:
    full_result.findings[1] = replace(full_result.findings[1], message="[bold red]x[/] \x1b[31mred\nnext")
    text = render(full_result, "table", color=True, width=200)
    assert "[bold red]x[/]" in text
    assert "\x1b[31mred" not in text  # the escape byte from the scanned file is neutralised
    assert "?[31mred next" in text


def test_write_table_on_a_console(full_result: ScanResult) -> None:
    buffer = io.StringIO()
    console = make_console(buffer, color=False, width=160)
    write_table(full_result, console)
    assert buffer.getvalue() == render(full_result, "table", color=False, width=160)


def test_colour_changes_nothing_but_colour(full_result: ScanResult) -> None:
    import re

    coloured = render(full_result, "table", color=True, width=120, show_suppressed=True)
    plain = render(full_result, "table", color=False, width=120, show_suppressed=True)
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert "\x1b[1;31mHIGH" in coloured or "\x1b[31;1mHIGH" in coloured
