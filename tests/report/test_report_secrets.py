"""Evidence under secret-looking keys is masked in every format; nothing prints it raw."""

from __future__ import annotations

import json

import pytest

from faasguard.report import FORMATS, render
from faasguard.report.common import mask, masked_evidence
from faasguard.scan import ScanResult

RAW = ("hunter2-very-secret", "tok_9f8e7d6c5b4a")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_format_prints_a_secret_from_evidence(full_result: ScanResult, fmt: str) -> None:
    for show in (False, True):
        text = render(full_result, fmt, show_suppressed=show, color=False, width=200)
        for raw in RAW:
            assert raw not in text, f"{fmt} printed {raw!r}"


def test_masked_values_in_json_and_sarif(full_result: ScanResult) -> None:
    data = json.loads(render(full_result, "json"))
    secret = next(f for f in data["findings"] if f["rule_id"] == "FG-SEC-001")
    assert secret["evidence"] == {"variable": "DB_PASSWORD", "value": "hunt\u2026",
                                  "nested": {"api_token": "tok_\u2026"}}
    sarif = json.loads(render(full_result, "sarif"))
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "FG-SEC-001")
    assert result["properties"]["evidence"]["value"] == "hunt\u2026"


def test_mask_rules() -> None:
    assert mask("AKIAIOSFODNN7EXAMPLE") == "AKIA\u2026"
    assert mask("hunter2") == "hu\u2026"  # a short value keeps a third at most
    assert mask("abc") == "a\u2026"
    assert mask("") == "\u2026"
    assert masked_evidence({
        "Password": 123456789012, "SECRET_KEY": ["abcdefghijkl", "mnopqrstuvwx"], "enabled": True,
        "client_token": None, "resource": "Bucket", "meta": {"rotation": 30, "previous_value": "0123456789ab"},
    }) == {
        "Password": "1234\u2026", "SECRET_KEY": ["abcd\u2026", "mnop\u2026"], "enabled": True,
        "client_token": None, "resource": "Bucket", "meta": {"rotation": 30, "previous_value": "0123\u2026"},
    }
