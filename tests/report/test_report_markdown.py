from __future__ import annotations

import re
from dataclasses import replace

from faasguard.report import render
from faasguard.report.markdown import code, md
from faasguard.scan import ScanResult


def test_markdown_summary_table(full_result: ScanResult) -> None:
    lines = render(full_result, "markdown").splitlines()
    assert lines[0] == "## faasguard scan"
    assert lines[2] == "> **Warning:** INCOMPLETE scan: 6 findings, and 2 files could not be read."
    table = lines[lines.index("| Severity | Findings |"):][:8]
    assert table == ["| Severity | Findings |", "| --- | ---: |", "| `CRITICAL` | 1 |", "| `HIGH` | 3 |",
                     "| `MEDIUM` | 1 |", "| `LOW` | 0 |", "| `INFO` | 1 |", "| **Total** | **6** |"]


def test_markdown_findings_grouped_by_function_with_numbered_flow(full_result: ScanResult) -> None:
    lines = render(full_result, "markdown").splitlines()
    headings = [line for line in lines if line.startswith("#### ")]
    assert headings == [
        r"#### orders-dev-createOrder \(createOrder\) in orders \(serverless, serverless.yml\)",
        r"#### orders-dev-worker \(worker\) in orders \(serverless, serverless.yml\)",
        r"#### \(not tied to a function\) in orders \(serverless, serverless.yml\)",
        r"#### BillingFunction in billing \(sam, billing/template.yaml\)",
    ]
    first = lines.index(headings[0])
    assert lines[first + 2] == ("- `CRITICAL` **FG-CODE-001** Untrusted event data reaches a shell command "
                                "at `src/handler.py:20`")
    steps = [line for line in lines if line.startswith("  ") and line.strip()[:2] in ("1.", "2.", "3.", "4.")]
    assert steps == [
        r"  1. **trigger**: GET /orders \(public\)",
        r"  2. **source** at `src/handler.py:12`: event\['body'\]",
        r"  3. **sink** at `src/handler.py:20`: subprocess.run\(shell=True\)",
        r"  4. **permission**: role allows iam:PassRole on \*",
    ]
    assert "CRITICAL" in lines[first + 2] and "🔴" not in "\n".join(lines)


def test_markdown_errors_section(full_result: ScanResult, errors_only_result: ScanResult) -> None:
    lines = render(full_result, "markdown").splitlines()
    start = lines.index("### Errors (2): the scan is incomplete")
    assert lines[start + 2:start + 6] == [
        "| File | Kind | Message |", "| --- | --- | --- |",
        "| `broken/serverless.yml:3` | parse | invalid YAML: mapping values are not allowed here |",
        r"| `huge.json` | too\_large | file is larger than 20 MB |",
    ]
    broken = render(errors_only_result, "markdown")
    assert "> **Warning:** INCOMPLETE scan, not a clean result" in broken
    assert "**No findings.**" not in broken


def test_markdown_clean(clean_result: ScanResult) -> None:
    lines = render(clean_result, "markdown").splitlines()
    assert lines[2] == "**No findings.**"
    assert "### Findings" not in lines and not any(line.startswith("### Errors") for line in lines)


def test_markdown_neutralises_untrusted_text(full_result: ScanResult) -> None:
    evil = "see [here](https://evil.example) ![x](https://t.example/p.png) <img src=x> @octocat | cell"
    full_result.findings[1] = replace(full_result.findings[1], message=evil)
    text = render(full_result, "markdown")
    assert ("see \\[here\\]\\(https://evil.example\\) \\!\\[x\\]\\(https://t.example/p.png\\) "
            "\\<img src=x\\> @&#8203;octocat \\| cell") in text
    line = next(x for x in text.splitlines() if x.startswith("  see "))
    assert re.findall(r"(?<!\\)[\[\]()<>!|]", line) == []  # every link/HTML/cell character is escaped


def test_code_span_holds_backticks() -> None:
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert md("a_b*c") == r"a\_b\*c"


def test_markdown_suppressed_on_request(full_result: ScanResult) -> None:
    assert "### Suppressed" not in render(full_result, "markdown")
    lines = render(full_result, "markdown", show_suppressed=True).splitlines()
    assert "| FG-FN-002 | `serverless.yml:12` | createOrder | batch import needs it (inline) |" in lines


def test_markdown_fits_a_github_comment(full_result: ScanResult) -> None:
    from faasguard.model import Location

    base = full_result.findings[1]
    many = [replace(base, message=f"route {i} has no authorizer " + "x" * 200, location=Location("serverless.yml", i),
                    key=str(i)) for i in range(1, 2001)]
    full_result.findings = [full_result.findings[0], *many]
    text = render(full_result, "markdown")
    assert len(text) <= 65_536
    assert "| **Total** | **2001** |" in text
    assert "- `CRITICAL` **FG-CODE-001**" in text  # the most severe is always kept
    shown = text.count("- `HIGH` **FG-API-004**")
    assert 100 < shown < 2000
    assert f"*{2000 - shown} more findings (the least severe) are not shown" in text
    assert "### Errors (2): the scan is incomplete" in text


def test_markdown_small_budget_keeps_errors() -> None:
    from faasguard.report.markdown import _fitting

    assert _fitting(["aaaa", "bbbb", "cccc"], 10) == (["aaaa", "bbbb"], 1)
    assert _fitting(["aaaa"], 10) == (["aaaa"], 0)
