from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from faasguard.report import render
from faasguard.scan import ScanResult


def _parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def test_junit_suites_cases_and_counts(full_result: ScanResult) -> None:
    root = _parse(render(full_result, "junit"))
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "8", "failures": "6", "errors": "2", "skipped": "0"}
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["orders", "billing", "faasguard errors"]
    orders = suites[0]
    assert [(c.get("classname"), c.get("name")) for c in orders.findall("testcase")] == [
        ("orders.createOrder", "FG-CODE-001 src/handler.py:20"),
        ("orders.createOrder", "FG-API-004 serverless.yml:14"),
        ("orders.worker", "FG-FN-004 serverless.yml:29"),
        ("orders.(application)", "FG-IAM-001 serverless.yml:40"),
    ]
    first = orders.find("testcase")
    assert (first.get("file"), first.get("line")) == ("src/handler.py", "20")
    failure = first.find("failure")
    assert failure.get("type") == "critical"
    assert failure.get("message") == "FG-CODE-001: event['body'] reaches subprocess.run(shell=True) in createOrder"
    body = failure.text.splitlines()
    assert body[:2] == ["CRITICAL FG-CODE-001: Untrusted event data reaches a shell command",
                        "location: src/handler.py:20"]
    assert "  2. source  src/handler.py:12 event['body']" in body
    errors = suites[2].findall("testcase")
    assert [(c.get("name"), c.find("error").get("type"), c.find("error").get("message")) for c in errors] == [
        ("parse broken/serverless.yml:3", "parse", "invalid YAML: mapping values are not allowed here"),
        ("too_large huge.json", "too_large", "file is larger than 20 MB"),
    ]


def test_junit_suppressed_are_skipped_cases(full_result: ScanResult) -> None:
    root = _parse(render(full_result, "junit", show_suppressed=True))
    assert root.get("skipped") == "1"
    skipped = [c for c in root.iter("testcase") if c.find("skipped") is not None]
    assert [(c.get("name"), c.find("skipped").get("message")) for c in skipped] == [
        ("FG-FN-002 serverless.yml:12", "suppressed (inline): batch import needs it")]


def test_junit_clean_scan_has_a_passing_case(clean_result: ScanResult, empty_result: ScanResult) -> None:
    for result, suite in ((clean_result, "orders"), (empty_result, "faasguard")):
        root = _parse(render(result, "junit"))
        cases = list(root.iter("testcase"))
        assert [(c.get("name"), len(c)) for c in cases] == [("scan", 0)]
        assert root.find("testsuite").get("name") == suite
        assert (root.get("failures"), root.get("errors")) == ("0", "0")


def test_junit_errors_only_is_not_a_pass(errors_only_result: ScanResult) -> None:
    root = _parse(render(errors_only_result, "junit"))
    assert (root.get("tests"), root.get("errors")) == ("1", "1")
    assert not any(c.get("name") == "scan" for c in root.iter("testcase"))


def test_junit_escapes_and_drops_invalid_characters(full_result: ScanResult) -> None:
    nasty = 'a <b> & "c" ]]> \x00\x1b end'
    full_result.findings[1] = replace(full_result.findings[1], message=nasty)
    root = _parse(render(full_result, "junit"))
    failure = [c for c in root.iter("testcase") if c.get("name", "").startswith("FG-API-004")][0].find("failure")
    assert failure.get("message") == 'FG-API-004: a <b> & "c" ]]> ?? end'
    assert 'message: a <b> & "c" ]]> ?? end' in failure.text
