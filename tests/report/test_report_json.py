from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from faasguard import __version__
from faasguard.report import FORMATS, render
from faasguard.scan import ScanResult


def _schema() -> dict:
    text = resources.files("faasguard.report").joinpath("schemas/faasguard-report.schema.json").read_text()
    return json.loads(text)


def _validate(data: dict) -> None:
    jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker()).validate(data)


def test_formats_are_the_five_documented_ones() -> None:
    assert {"table", "json", "sarif", "junit", "markdown"} == FORMATS


def test_unknown_format_is_a_clear_error(full_result: ScanResult) -> None:
    with pytest.raises(ValueError, match="unknown report format 'html'"):
        render(full_result, "html")


def test_json_top_level_and_schema(full_result: ScanResult) -> None:
    data = json.loads(render(full_result, "json"))
    _validate(data)
    assert data["tool"] == {"name": "faasguard", "version": __version__}
    assert data["version"] == __version__
    assert data["root"] == "/repo/app"
    assert list(data)[:4] == ["schema_version", "tool", "version", "root"]
    assert "suppressed" not in data  # only with show_suppressed
    assert data["summary"] == {
        "findings": 6, "by_severity": {"critical": 1, "high": 3, "medium": 1, "low": 0, "info": 1},
        "functions": 3, "applications": 2, "errors": 2, "unreadable_files": 2, "suppressed": 1,
        "baselined": 1, "clean": False,
    }


def test_json_finding_fields(full_result: ScanResult) -> None:
    data = json.loads(render(full_result, "json"))
    code = data["findings"][0]
    assert code == {
        "rule_id": "FG-CODE-001",
        "title": "Untrusted event data reaches a shell command",
        "severity": "critical",
        "category": "code",
        "cwe": ["CWE-78"],
        "function": "createOrder",
        "application": "orders",
        "location": {"file": "src/handler.py", "line": 20, "end_line": 20, "column": 4},
        "message": "event['body'] reaches subprocess.run(shell=True) in createOrder",
        "remediation": "Pass arguments as a list and never use shell=True with event data.",
        "fingerprint": full_result.findings[0].fingerprint,
        "confidence": "medium",
        "references": ["OWASP-SLS-A1", "https://owasp.org/www-project-serverless-top-10/"],
        "evidence": {"sink": "subprocess.run"},
        "flow": [
            {"file": "", "line": None, "note": "GET /orders (public)", "kind": "trigger"},
            {"file": "src/handler.py", "line": 12, "note": "event['body']", "kind": "source"},
            {"file": "src/handler.py", "line": 20, "note": "subprocess.run(shell=True)", "kind": "sink"},
            {"file": "", "line": None, "note": "role allows iam:PassRole on *", "kind": "permission"},
        ],
        "fix": None,
    }
    by_rule = {f["rule_id"]: f for f in data["findings"]}
    assert by_rule["FG-API-004"]["flow"] == []
    assert by_rule["FG-SEC-001"]["cwe"] == ["CWE-798"]  # the rule wrote "798"
    assert by_rule["FG-SEC-001"]["application"] == "billing"  # found by function and file
    assert by_rule["FG-IAM-001"]["function"] is None
    assert by_rule["FG-IAM-001"]["application"] == "orders"
    assert by_rule["FG-LOG-001"]["location"] == {"file": "billing/template.yaml", "line": None,
                                                  "end_line": None, "column": None}


def test_json_functions_and_errors(full_result: ScanResult) -> None:
    data = json.loads(render(full_result, "json"))
    assert [f["id"] for f in data["functions"]] == ["createOrder", "worker", "BillingFunction"]
    assert data["functions"][0] == {
        "id": "createOrder", "name": "orders-dev-createOrder", "application": "orders",
        "runtime": "python3.12", "handler": "src/handler.create", "code_path": "src",
        "triggers": [{"kind": "http_api", "trust": "public", "route": "GET /orders"}],
        "role": "IamRoleLambdaExecution",
        "location": {"file": "serverless.yml", "line": 10, "end_line": 10, "column": None},
    }
    assert data["functions"][1]["triggers"] == [{"kind": "sns", "trust": "internal", "source_id": "OrdersTopic"}]
    assert data["functions"][2]["role"] is None
    assert data["errors"] == [
        {"file": "broken/serverless.yml", "line": 3, "kind": "parse",
         "message": "invalid YAML: mapping values are not allowed here", "function": None},
        {"file": "huge.json", "line": None, "kind": "too_large", "message": "file is larger than 20 MB",
         "function": None},
    ]


def test_json_show_suppressed(full_result: ScanResult) -> None:
    data = json.loads(render(full_result, "json", show_suppressed=True))
    _validate(data)
    assert len(data["suppressed"]) == 1
    item = data["suppressed"][0]
    assert (item["rule_id"], item["location"]["line"], item["function"]) == ("FG-FN-002", 12, "createOrder")
    assert item["suppression"] == {"reason": "batch import needs it", "source": "inline"}


def test_json_clean_and_errors_only(clean_result: ScanResult, errors_only_result: ScanResult) -> None:
    clean = json.loads(render(clean_result, "json"))
    _validate(clean)
    assert clean["summary"]["clean"] is True
    assert clean["findings"] == [] and clean["errors"] == []
    broken = json.loads(render(errors_only_result, "json"))
    _validate(broken)
    assert broken["summary"]["clean"] is False
    assert broken["summary"]["unreadable_files"] == 1
    assert broken["errors"][0]["line"] == 7


def test_schema_rejects_a_report_that_drifts(full_result: ScanResult) -> None:
    data = json.loads(render(full_result, "json"))
    data["findings"][0]["severity"] = "severe"
    with pytest.raises(jsonschema.ValidationError):
        _validate(data)
    data = json.loads(render(full_result, "json"))
    data["findings"][0]["undocumented"] = 1
    with pytest.raises(jsonschema.ValidationError):
        _validate(data)


def test_json_survives_odd_evidence_and_bad_text(full_result: ScanResult) -> None:
    from dataclasses import replace
    from enum import Enum
    from pathlib import PurePosixPath

    class Colour(Enum):
        RED = "red"

    odd = replace(full_result.findings[1], message="bad \udcff byte",
                  evidence={"path": PurePosixPath("a/b"), "colour": Colour.RED, "items": (1, 2.5, None),
                            "nan": float("nan")})
    full_result.findings[1] = odd
    data = json.loads(render(full_result, "json"))
    assert data["findings"][1]["message"] == "bad ? byte"
    assert data["findings"][1]["evidence"] == {"path": "a/b", "colour": "red", "items": [1, 2.5, None],
                                               "nan": "nan"}


def _doc() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[2] / "docs" / "report-json.md").read_text(encoding="utf-8")


def test_documented_example_validates() -> None:
    import re

    example = re.search(r"## Example\n\n```json\n(.*?)\n```", _doc(), re.S)
    assert example is not None
    _validate(json.loads(example.group(1)))


def test_every_schema_field_is_documented() -> None:
    doc = _doc()
    schema = _schema()
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}).keys())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert missing == []


def test_json_does_not_load_rich() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom faasguard.report import FORMATS, render\n"
            "import faasguard.report.json_report, faasguard.report.sarif, faasguard.report.junit\n"
            "import faasguard.report.markdown\nprint('rich' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_big_reports_are_compact_and_complete(full_result: ScanResult) -> None:
    from dataclasses import replace

    from faasguard.model import Location

    base = full_result.findings[1]
    full_result.findings = [replace(base, location=Location("serverless.yml", i), key=str(i)) for i in range(1, 2101)]
    text = render(full_result, "json")
    assert text.count("\n") == 1  # one line: written with the C encoder
    data = json.loads(text)
    assert len(data["findings"]) == 2100
    assert data["findings"][-1]["location"]["line"] == 2100
    sarif = json.loads(render(full_result, "sarif"))
    assert len(sarif["runs"][0]["results"]) == 2100
