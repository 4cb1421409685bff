from __future__ import annotations

import io
from dataclasses import replace

from faasguard.model import Location
from faasguard.report.common import (
    color_wanted,
    cwe_id,
    find_application,
    flow_line,
    group_findings,
    summarize,
)
from faasguard.scan import ScanResult


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_wanted() -> None:
    tty = _Tty()
    assert color_wanted(tty, {}) is True
    assert color_wanted(io.StringIO(), {}) is False
    assert color_wanted(tty, {"CI": "true"}) is False
    assert color_wanted(tty, {"NO_COLOR": "1"}) is False
    assert color_wanted(tty, {"NO_COLOR": ""}) is True  # no-color.org: only a non-empty value counts
    assert color_wanted(tty, {"CI": "false"}) is True


def test_cwe_ids() -> None:
    assert [cwe_id(c) for c in ("798", "cwe-78", "CWE-306", " CWE 1", "other")] == [
        "CWE-798", "CWE-78", "CWE-306", "CWE 1", "other"]


def test_flow_line_format(full_result: ScanResult) -> None:
    assert [flow_line(s) for s in full_result.findings[0].flow] == [
        "trigger  GET /orders (public)",
        "source  src/handler.py:12 event['body']",
        "sink  src/handler.py:20 subprocess.run(shell=True)",
        "permission  role allows iam:PassRole on *",
    ]


def test_application_of_a_finding(full_result: ScanResult) -> None:
    orders, billing = full_result.applications
    by_rule = {f.rule_id: f for f in full_result.findings}
    assert find_application(by_rule["FG-API-004"], full_result.applications) is orders
    assert find_application(by_rule["FG-SEC-001"], full_result.applications) is billing
    assert find_application(by_rule["FG-IAM-001"], full_result.applications) is orders  # by file only
    named = replace(by_rule["FG-IAM-001"], application="billing")
    assert find_application(named, full_result.applications) is billing
    stray = replace(by_rule["FG-IAM-001"], location=Location("elsewhere.yml", 1))
    assert find_application(stray, full_result.applications) is None


def test_same_function_id_in_two_apps_is_told_apart_by_file(full_result: ScanResult) -> None:
    orders, billing = full_result.applications
    clone = replace(billing, functions=(replace(billing.functions[0], id="createOrder"),))
    f = replace(full_result.findings[1], location=Location("billing/template.yaml", 9))
    assert find_application(f, [orders, clone]) is clone


def test_groups_keep_orphans_last(full_result: ScanResult) -> None:
    stray = replace(full_result.findings[2], location=Location("elsewhere.yml", 1))
    groups = group_findings([*full_result.findings, stray], full_result.applications)
    assert [g.title for g in groups] == ["orders (serverless, serverless.yml)",
                                         "billing (sam, billing/template.yaml)", "(no application)"]
    assert [fg.function_id for fg in groups[0].functions] == ["createOrder", "worker", None]
    assert groups[2].count == 1


def test_summary_counts(full_result: ScanResult, clean_result: ScanResult) -> None:
    s = summarize(full_result)
    assert (s.findings, s.functions, s.applications, s.errors, s.unreadable_files, s.suppressed,
            s.baselined) == (6, 3, 2, 2, 2, 1, 1)
    assert not s.clean and s.incomplete
    assert summarize(clean_result).clean
