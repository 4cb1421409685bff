"""Per-function baselines: robust statistics over a learning window, first-seen values."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import jsonschema

from faasguard.monitor import ingest
from faasguard.monitor.anomaly import Settings, run_baselines
from faasguard.monitor.report import render_html

ROLE = "arn:aws:iam::123456789012:role/orders-role"
T0 = datetime(2026, 1, 5)


def _role_event(n: int, when: datetime, name: str = "GetItem", source: str = "dynamodb.amazonaws.com",
                ip: str = "3.80.1.2", agent: str = "Boto3/1.34.0 exec-env/AWS_Lambda_python3.12") -> dict:
    return {"eventID": f"role-{n}", "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": source,
            "eventName": name, "sourceIPAddress": ip, "userAgent": agent,
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/orders-role/orders",
                             "sessionContext": {"sessionIssuer": {"type": "Role", "arn": ROLE}}}}


def _invoke(n: int, when: datetime) -> dict:
    return {"eventID": f"inv-{n}", "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "lambda.amazonaws.com", "eventName": "Invoke",
            "requestParameters": {"functionName": "arn:aws:lambda:us-east-1:123456789012:function:orders"},
            "userIdentity": {"type": "AWSService", "invokedBy": "apigateway.amazonaws.com"}}


def _write(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_rate_spike_and_first_seen_values(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    events: list[dict] = []
    n = 0
    for hour in range(48):  # 30 +- 3 invocations an hour, then a spike of 300 in hour 40
        per_hour = 300 if hour == 40 else 30 + (hour % 7) - 3
        for i in range(per_hour):
            events.append(_invoke(n, T0 + timedelta(hours=hour, seconds=i)))
            n += 1
        events.append(_role_event(n, T0 + timedelta(hours=hour, minutes=30)))
        n += 1
    # after learning: a new API call, from a new network, with a new client
    events.append(_role_event(n, T0 + timedelta(hours=41), name="ListSecrets", source="secretsmanager.amazonaws.com",
                              ip="198.51.100.7", agent="aws-cli/2.15.0 Python/3.11.6"))
    ingest.ingest(con, [_write(tmp_path / "ct.ndjson", events)])
    # the role is learned as a function's execution role from its Lambda-runtime sessions
    assert con.execute("SELECT role_arn, function_name, learned_from FROM function_roles").fetchall() == [
        (ROLE, "orders", "lambda-runtime-session")]

    run = run_baselines(con, Settings(learn_hours=24))
    rate = [a for a in run.alerts if a.rule_id == "FGM-ANOM-RATE"]
    assert [(a.function, a.first_seen, a.evidence["seen"], a.evidence["normal"]["median"]) for a in rate] == [
        ("orders", T0 + timedelta(hours=40), 300.0, 29.5)]  # median of 27..33 over 24 hours
    baseline = next(b for b in run.baselines if b.metric == "invocations")
    assert [t for t, _, _ in baseline.anomalies] == [T0 + timedelta(hours=40)]
    firsts = {a.rule_id: (a.evidence["seen"], a.event_ids) for a in run.alerts if a.rule_id.startswith("FGM-ANOM-NEW")}
    assert firsts == {
        "FGM-ANOM-NEW-API": ("secretsmanager.amazonaws.com:ListSecrets", (f"role-{n}",)),
        "FGM-ANOM-NEW-SOURCE": ("198.51.0.0/16", (f"role-{n}",)),
        "FGM-ANOM-NEW-AGENT": ("aws-cli/* Python/*", (f"role-{n}",)),
    }
    schema = json.loads((Path(__file__).resolve().parents[2] / "src" / "faasguard" / "monitor" /
                         "alert.schema.json").read_text())
    for alert in run.alerts:
        jsonschema.validate(alert.to_json(), schema)
    page = render_html(run.alerts, run.baselines)
    assert page.count("<circle") == 1 and "orders — invocations" in page  # the spike, marked
    new_api = next(a for a in run.alerts if a.rule_id == "FGM-ANOM-NEW-API")
    assert new_api.evidence["normal"] == ["dynamodb.amazonaws.com:GetItem"]


def test_duration_and_error_rate_from_lambda_logs(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = []
    for hour in range(30):
        for i in range(10):
            rid = f"{hour:04d}{i:04d}-0000-4000-8000-000000000000"
            when = (T0 + timedelta(hours=hour, minutes=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            slow = hour == 28
            failing = hour == 29 and i < 6
            lines.append(f"{when} START RequestId: {rid} Version: $LATEST")
            if failing:
                lines.append(f"{when} {rid}\tERROR\tboom")
            duration = 2000.0 if slow else 100.0 + i
            lines.append(f"{when} REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: "
                         f"{int(duration) + 1} ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB")
    path = tmp_path / "aws" / "lambda" / "checkout" / "log.txt"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n")
    ingest.ingest(con, [path])
    run = run_baselines(con, Settings(learn_hours=24))
    found = sorted((a.rule_id, a.first_seen, a.evidence["seen"]) for a in run.alerts)
    assert found == [("FGM-ANOM-DURATION", T0 + timedelta(hours=28), 2000.0),
                     ("FGM-ANOM-ERRORS", T0 + timedelta(hours=29), 0.6)]


def test_no_baseline_without_enough_learning_data(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    events = [_invoke(i, T0 + timedelta(minutes=i)) for i in range(50)]
    ingest.ingest(con, [_write(tmp_path / "ct.ndjson", events)])
    assert run_baselines(con, Settings(learn_hours=24)).alerts == []
