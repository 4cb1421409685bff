"""`faasguard monitor ...` end to end: ingest, detect (JSON alert schema), rules, report, evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from faasguard.cli import main

from .conftest import record, shared_data, write_ndjson

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "src" / "faasguard" / "monitor" /
                     "alert.schema.json").read_text())
ALERT_KEYS = {"rule_id", "title", "severity", "function", "principal", "event_ids", "first_seen", "last_seen",
              "count", "evidence", "kind", "tags", "fingerprint"}


def _json_out(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return json.loads(capsys.readouterr().out)


def test_ingest_then_detect_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = record("UpdateFunctionCode20150331v2", requestParameters={"functionName": "orders-api"},
                  eventTime="2026-01-05T10:00:00Z")
    url = record("CreateFunctionUrlConfig20211031", requestParameters={"functionName": "orders-api",
                                                                       "authType": "NONE"},
                 eventTime="2026-01-05T10:05:00Z")
    cfn = record("UpdateFunctionCode20150331v2", requestParameters={"functionName": "billing"},
                 sourceIPAddress="cloudformation.amazonaws.com", eventTime="2026-01-05T10:06:00Z")
    src = write_ndjson(tmp_path / "ct.ndjson", [code, url, cfn])
    db = str(tmp_path / "m.duckdb")
    assert main(["monitor", "ingest", str(src), "--db", db, "--no-progress"]) == 0
    assert "3 new (cloudtrail-ndjson)" in capsys.readouterr().out
    assert main(["monitor", "ingest", str(src), "--db", db]) == 0
    assert "already ingested" in capsys.readouterr().out

    assert main(["monitor", "detect", "--db", db, "-o", "json", "--no-anomalies"]) == 0
    alerts = _json_out(capsys)
    assert [(a["rule_id"], a["severity"], a["function"], a["event_ids"], a["count"]) for a in alerts] == [
        ("FGM-LAMBDA-001", "medium", "orders-api", [code["eventID"]], 1),
        ("FGM-LAMBDA-006", "high", "orders-api", [url["eventID"]], 1),
    ]
    first = alerts[0]
    assert set(first) == ALERT_KEYS == set(SCHEMA["required"])
    for alert in alerts:
        jsonschema.validate(alert, SCHEMA)
    assert (first["principal"], first["first_seen"], first["last_seen"]) == (
        "arn:aws:iam::123456789012:user/alice", "2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z")
    assert first["evidence"]["event_names"] == ["UpdateFunctionCode20150331v2"]
    assert first["evidence"]["request_parameters"] == {"functionName": "orders-api"}

    assert main(["monitor", "detect", "--db", db, "-o", "json", "--since", "2026-01-05T10:01:00Z",
                 "--no-anomalies"]) == 0
    assert [a["rule_id"] for a in _json_out(capsys)] == ["FGM-LAMBDA-006"]
    assert main(["monitor", "detect", "--db", db, "--since", "yesterday"]) == 2
    assert "--since: not an ISO-8601 time" in capsys.readouterr().err
    assert main(["monitor", "detect", "--db", db, "-o", "json", "--min-severity", "high", "--no-anomalies"]) == 0
    assert [a["rule_id"] for a in _json_out(capsys)] == ["FGM-LAMBDA-006"]
    assert main(["monitor", "detect", "--db", db, "--fail-on", "high", "--no-anomalies"]) == 1
    assert "FGM-LAMBDA-006" in capsys.readouterr().out

    report = tmp_path / "r.html"
    assert main(["monitor", "report", "--db", db, "-o", str(report)]) == 0
    assert "FGM-LAMBDA-006" in report.read_text()


def test_guard_events_raise_guard_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the guard's own schema (faasguard.guard/1, docs/guard.md)
    common = {"schema": "faasguard.guard/1", "event_source": "apigw_http", "mode": "block", "message": "m"}
    events = [
        {**common, "time": "2026-01-05T10:00:00.000Z", "type": "detection", "function": "orders-api",
         "request_id": "r1", "field": "$.body<json>.q", "detector": "sqli", "rule_id": "FG-SQLI-003",
         "severity": "high", "action": "blocked", "excerpt": "' OR 1=1--"},
        {**common, "time": "2026-01-05T10:01:00.000Z", "type": "sandbox", "function": "orders-api",
         "request_id": "r2", "field": "/bin/sh -c id", "detector": "process", "rule_id": "FG-SBX-PROC-001",
         "severity": "critical", "action": "blocked", "excerpt": "/bin/sh"},
        {**common, "time": "2026-01-05T10:02:00.000Z", "type": "detection", "function": "resize",
         "request_id": "r3", "field": "$.queryStringParameters.u", "detector": "ssrf", "rule_id": "FG-SSRF-001",
         "severity": "high", "action": "reported", "mode": "monitor", "excerpt": "http://169.254.169.254/"},
        {**common, "time": "2026-01-05T10:03:00.000Z", "type": "guard_error", "function": "resize",
         "request_id": "r4", "field": "", "detector": "", "rule_id": "FG-GUARD-ERROR", "severity": "low",
         "action": "reported", "excerpt": ""},
    ]
    src = tmp_path / "guard.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in events))
    db = str(tmp_path / "m.duckdb")
    assert main(["monitor", "ingest", str(src), "--db", db]) == 0
    capsys.readouterr()
    assert main(["monitor", "detect", "--db", db, "-o", "json", "--no-anomalies"]) == 0
    alerts = _json_out(capsys)
    for alert in alerts:
        jsonschema.validate(alert, SCHEMA)
    found = [(a["rule_id"], a["function"], a["first_seen"], a["evidence"].get("detectors"),
              a["evidence"].get("actions")) for a in alerts]
    assert found == [("FGM-GUARD-001", "orders-api", "2026-01-05T10:00:00Z", ["sqli"], ["blocked"]),
                     ("FGM-GUARD-003", "orders-api", "2026-01-05T10:01:00Z", ["process"], ["blocked"]),
                     ("FGM-GUARD-002", "resize", "2026-01-05T10:02:00Z", ["ssrf"], ["reported"]),
                     ("FGM-GUARD-005", "resize", "2026-01-05T10:03:00Z", None, ["reported"])]


def test_bad_store_and_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_db = tmp_path / "x.duckdb"
    not_db.write_text("not a database")
    assert main(["monitor", "detect", "--db", str(not_db)]) == 2
    assert "cannot open the store" in capsys.readouterr().err
    assert main(["monitor", "detect", "--db", str(tmp_path / "missing.duckdb")]) == 2
    assert "no such store" in capsys.readouterr().err
    assert not (tmp_path / "missing.duckdb").exists()
    assert main(["monitor", "detect", "--db", str(tmp_path / "m.duckdb"), "-o", "xml"]) == 2
    assert main(["monitor", "detect", "--db", str(tmp_path / "m.duckdb"), "--min-severity", "urgent"]) == 2
    assert "unknown severity 'urgent'" in capsys.readouterr().err


def test_rules_command_lists_builtin_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["monitor", "rules"]) == 0
    out = capsys.readouterr().out
    assert "FGM-LAMBDA-008   high     cloudtrail Function execution-role credentials used outside Lambda" in out


@pytest.mark.integration
def test_evaluate_detects_all_lambda_persistence_techniques(capsys: pytest.CaptureFixture[str]) -> None:
    data = shared_data()
    assert main(["monitor", "evaluate", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    for technique, rule in (("aws.persistence.lambda-backdoor-function", "FGM-LAMBDA-004"),
                            ("aws.persistence.lambda-layer-extension", "FGM-LAMBDA-002"),
                            ("aws.persistence.lambda-overwrite-code", "FGM-LAMBDA-001")):
        assert f"covered  {technique}  {rule}" in out
    assert "Stratus Red Team technique coverage: 35/35 (100%)" in out
    assert "Invictus-IR: 25 alerts, 24 on detonation events, 1 false (no detonation event)" in out
    # the CloudGoat breach: instance-profile credentials replayed from a Mac
    assert "OTRF CloudGoat EC2-proxy S3 exfiltration (unlabelled): 1 alert(s)" in out
    assert ("  FGM-CRED-007 EC2 instance-profile credentials used from a workstation (11 event(s): GetObject, "
            "ListBuckets, ListObjects)") in out
