from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from faasguard import __version__
from faasguard.report import render
from faasguard.scan import ScanResult


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    text = resources.files("faasguard.report").joinpath("schemas/sarif-schema-2.1.0.json").read_text()
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _results_by_rule(log: dict) -> dict[str, dict]:
    return {r["ruleId"]: r for r in log["runs"][0]["results"]}


def test_sarif_is_valid_against_the_official_schema(full_result: ScanResult, sarif_validator) -> None:
    for show in (False, True):
        log = json.loads(render(full_result, "sarif", show_suppressed=show))
        errors = sorted(sarif_validator.iter_errors(log), key=str)
        assert errors == []


def test_sarif_is_valid_when_clean_or_broken(clean_result, errors_only_result, empty_result,
                                             sarif_validator) -> None:
    for result in (clean_result, errors_only_result, empty_result):
        log = json.loads(render(result, "sarif"))
        assert list(sarif_validator.iter_errors(log)) == []
        assert log["runs"][0]["results"] == []


def test_sarif_driver_and_rules(full_result: ScanResult) -> None:
    log = json.loads(render(full_result, "sarif"))
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("faasguard", __version__)
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["FG-CODE-001", "FG-API-004", "FG-IAM-001", "FG-SEC-001", "FG-FN-004", "FG-LOG-001"]
    code = driver["rules"][0]
    assert code["name"] == "UntrustedEventDataReachesAShellCommand"
    assert code["shortDescription"] == {"text": "Untrusted event data reaches a shell command"}
    assert code["help"]["text"] == "Pass arguments as a list and never use shell=True with event data."
    assert "**Remediation:** Pass arguments as a list" in code["help"]["markdown"]
    assert code["helpUri"] == "https://owasp.org/www-project-serverless-top-10/"
    assert code["properties"]["tags"] == ["security", "code", "CWE-78"]
    assert code["properties"]["security-severity"] == "9.5"
    assert code["properties"]["precision"] == "medium"
    assert code["defaultConfiguration"] == {"level": "error"}
    sev = {r["id"]: r["properties"]["security-severity"] for r in driver["rules"]}
    assert sev == {"FG-CODE-001": "9.5", "FG-API-004": "8.0", "FG-IAM-001": "8.0", "FG-SEC-001": "8.0",
                   "FG-FN-004": "5.5", "FG-LOG-001": "1.0"}
    assert "helpUri" not in driver["rules"][1]


def test_sarif_results(full_result: ScanResult) -> None:
    log = json.loads(render(full_result, "sarif"))
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = _results_by_rule(log)
    for rule_id, result in results.items():
        assert rules[result["ruleIndex"]] == rule_id
    url = results["FG-API-004"]
    assert url["level"] == "error"
    assert url["message"] == {"text": "createOrder: GET /orders has no authorizer"}
    assert url["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "serverless.yml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14}}}]
    assert url["partialFingerprints"] == {"faasguardFingerprint/v1": full_result.findings[1].fingerprint}
    assert url["properties"]["function"] == "createOrder"
    assert url["properties"]["application"] == "orders"
    assert "codeFlows" not in url and "suppressions" not in url
    assert results["FG-FN-004"]["level"] == "warning"
    assert results["FG-LOG-001"]["level"] == "note"
    # no line known: the region is left out rather than written as line 0
    assert results["FG-LOG-001"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "billing/template.yaml", "uriBaseId": "%SRCROOT%"}}
    assert results["FG-CODE-001"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 20,
                                                                                    "startColumn": 4}
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///repo/app/"}}


def test_sarif_code_flow(full_result: ScanResult) -> None:
    flow = _results_by_rule(json.loads(render(full_result, "sarif")))["FG-CODE-001"]["codeFlows"]
    assert len(flow) == 1
    steps = flow[0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        "GET /orders (public)", "event['body']", "subprocess.run(shell=True)", "role allows iam:PassRole on *"]
    assert [s["kinds"] for s in steps] == [["trigger"], ["source"], ["sink"], ["permission"]]
    assert "physicalLocation" not in steps[0]["location"]
    assert steps[1]["location"]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/handler.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 12}}


def test_sarif_errors_are_notifications(full_result: ScanResult) -> None:
    invocation = json.loads(render(full_result, "sarif"))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "error"]
    assert notes[0]["message"]["text"] == "broken/serverless.yml: invalid YAML: mapping values are not allowed here"
    assert notes[0]["descriptor"] == {"id": "faasguard/parse"}
    assert notes[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert "region" not in notes[1]["locations"][0]["physicalLocation"]


def test_sarif_suppressions_only_on_request(full_result: ScanResult) -> None:
    plain = _results_by_rule(json.loads(render(full_result, "sarif")))
    assert "FG-FN-002" not in plain
    shown = _results_by_rule(json.loads(render(full_result, "sarif", show_suppressed=True)))
    assert shown["FG-FN-002"]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "properties": {"source": "inline"},
         "justification": "batch import needs it"}]
    assert shown["FG-API-004"]["suppressions"] == []
    assert shown["FG-FN-002"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 12}


def test_sarif_uri_is_percent_encoded(full_result: ScanResult, sarif_validator) -> None:
    from dataclasses import replace

    from faasguard.model import Location

    full_result.findings[1] = replace(full_result.findings[1], location=Location("my app/serverless 100%.yml", 3))
    log = json.loads(render(full_result, "sarif"))
    uri = _results_by_rule(log)["FG-API-004"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20app/serverless%20100%25.yml"
    assert list(sarif_validator.iter_errors(log)) == []


def test_sarif_odd_paths(full_result: ScanResult, sarif_validator) -> None:
    from dataclasses import replace

    from faasguard.model import Location

    full_result.findings[1] = replace(full_result.findings[1], location=Location("/abs/elsewhere.yml", 2))
    full_result.findings[2] = replace(full_result.findings[2], location=Location("dir/a:b#c?.yml", 2))
    full_result.findings[4] = replace(full_result.findings[4], location=None)
    log = json.loads(render(full_result, "sarif"))
    assert list(sarif_validator.iter_errors(log)) == []
    results = _results_by_rule(log)
    assert results["FG-API-004"]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///abs/elsewhere.yml"}
    # ':' would read as a URI scheme in a relative reference, '#' and '?' as fragment and query
    assert results["FG-IAM-001"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir/a%3Ab%23c%3F.yml")
    # no location at all: the application's own file, without a region
    assert results["FG-FN-004"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "serverless.yml", "uriBaseId": "%SRCROOT%"}}
