"""Alert delivery: webhook and Slack payloads to a local HTTP server, de-duplication, rate limit."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from faasguard.cli import main
from faasguard.model.finding import Severity
from faasguard.monitor.alerts import SlackSink, StdoutSink, WebhookSink, dispatch
from faasguard.monitor.detect import Alert

from .conftest import record, write_ndjson


def _alert(rule_id: str, severity: Severity = Severity.HIGH, count: int = 1, function: str = "orders-api") -> Alert:
    return Alert(rule_id=rule_id, title=f"title of {rule_id}", severity=severity, function=function,
                 principal="arn:aws:iam::123456789012:role/orders-role", event_ids=tuple(f"e{i}" for i in range(count)),
                 first_seen=datetime(2026, 1, 5, 10), last_seen=datetime(2026, 1, 5, 11), count=count,
                 evidence={"event_names": ["UpdateFunctionCode20150331v2"]})


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers["Content-Length"])
            received.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_webhook_and_slack_payloads_with_dedup(con: duckdb.DuckDBPyConnection,
                                               receiver: tuple[str, list[dict[str, Any]]]) -> None:
    url, received = receiver
    sinks = [WebhookSink(url + "/hook"), SlackSink(url + "/slack")]
    alerts = [_alert("FGM-LAMBDA-001"), _alert("FGM-ANOM-DURATION", Severity.LOW)]
    report = dispatch(con, alerts, sinks, min_severity=Severity.MEDIUM)
    assert (report.sent, report.below_threshold, report.duplicates, report.failed) == (2, 1, 0, [])
    hook = [r["body"] for r in received if r["path"] == "/hook"]
    slack = [r["body"] for r in received if r["path"] == "/slack"]
    assert [(h["rule_id"], h["severity"], h["function"], h["event_ids"], h["count"], h["first_seen"]) for h in hook] \
        == [("FGM-LAMBDA-001", "high", "orders-api", ["e0"], 1, "2026-01-05T10:00:00Z")]
    assert slack[0]["text"] == "[high] title of FGM-LAMBDA-001 on orders-api"
    assert slack[0]["blocks"][0]["text"]["text"].endswith("*HIGH* title of FGM-LAMBDA-001")

    again = dispatch(con, alerts, sinks, min_severity=Severity.MEDIUM)
    assert (again.sent, again.duplicates) == (0, 2)
    grown = dispatch(con, [_alert("FGM-LAMBDA-001", count=3)], sinks, min_severity=Severity.MEDIUM)
    assert grown.sent == 2  # the alert gained events: delivered again
    assert len(received) == 4


def test_rate_limit_summarises_the_rest(con: duckdb.DuckDBPyConnection) -> None:
    stream = io.StringIO()
    alerts = [_alert(f"R-{i}", function=f"f{i}") for i in range(5)]
    report = dispatch(con, alerts, [StdoutSink(stream)], max_per_minute=2, clock=lambda: 0.0)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert (report.sent, report.suppressed) == (2, 3)
    assert [line.get("rule_id") for line in lines[:2]] == ["R-0", "R-1"]
    assert lines[2] == {"suppressed": 3, "rule_ids": ["R-2", "R-3", "R-4"]}


def test_unreachable_webhook_is_reported(con: duckdb.DuckDBPyConnection) -> None:
    report = dispatch(con, [_alert("R-1")], [WebhookSink("http://127.0.0.1:9/none", timeout=1)])
    assert report.sent == 0 and [sink for sink, _ in report.failed] == ["webhook"]
    # not recorded as sent, so a later run retries
    assert con.execute("SELECT count(*) FROM alerts_sent").fetchone() == (0,)


def test_cli_alert_sends_new_alerts_once(tmp_path: Path, receiver: tuple[str, list[dict[str, Any]]],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    url, received = receiver
    events = [record("StopLogging", "cloudtrail.amazonaws.com", requestParameters={"name": "main"}),
              record("CreateEventSourceMapping20150331", requestParameters={"functionName": "f"})]  # low
    db = str(tmp_path / "m.duckdb")
    assert main(["monitor", "ingest", str(write_ndjson(tmp_path / "ct.ndjson", events)), "--db", db]) == 0
    args = ["monitor", "alert", "--db", db, "--webhook", url + "/hook", "--slack", url + "/slack", "--no-anomalies"]
    assert main(args) == 0
    assert "sent 2, already sent 0, rate-limited 0, below threshold 1" in capsys.readouterr().err
    assert sorted((r["path"], r["body"].get("rule_id") or r["body"]["text"]) for r in received) == [
        ("/hook", "FGM-LOG-001"), ("/slack", "[high] CloudTrail logging stopped or trail deleted")]
    assert main(args) == 0
    assert "sent 0, already sent 2" in capsys.readouterr().err
    assert len(received) == 2
