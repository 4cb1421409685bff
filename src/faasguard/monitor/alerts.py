"""Deliver alerts: JSON lines on stdout, a generic webhook, or a Slack incoming webhook.

Delivery is de-duplicated through the store (an alert already delivered to a sink is sent again
only when it gained events) and rate-limited per sink (at most ``max_per_minute`` messages; the
rest are summarised in one message), above a severity threshold.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

import duckdb

from faasguard.model.finding import Severity
from faasguard.monitor.detect import Alert

_SLACK_EMOJI = {Severity.CRITICAL: ":rotating_light:", Severity.HIGH: ":red_circle:",
                Severity.MEDIUM: ":large_orange_circle:", Severity.LOW: ":large_yellow_circle:",
                Severity.INFO: ":white_circle:"}


class Sink(Protocol):
    name: str

    def send(self, alert: Alert) -> None: ...

    def send_summary(self, suppressed: list[Alert]) -> None: ...


@dataclass
class StdoutSink:
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    name: str = "stdout"

    def send(self, alert: Alert) -> None:
        self.stream.write(json.dumps(alert.to_json(), default=str) + "\n")

    def send_summary(self, suppressed: list[Alert]) -> None:
        self.stream.write(json.dumps({"suppressed": len(suppressed),
                                      "rule_ids": sorted({a.rule_id for a in suppressed})}) + "\n")


def _post(url: str, payload: dict[str, Any], timeout: float) -> None:
    data = json.dumps(payload, default=str).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "faasguard-monitor"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - user-configured URL
        response.read()


@dataclass
class WebhookSink:
    """POSTs each alert's JSON (the documented alert schema) to ``url``."""

    url: str
    timeout: float = 10.0
    name: str = "webhook"

    def send(self, alert: Alert) -> None:
        _post(self.url, alert.to_json(), self.timeout)

    def send_summary(self, suppressed: list[Alert]) -> None:
        _post(self.url, {"suppressed": len(suppressed), "rule_ids": sorted({a.rule_id for a in suppressed})},
              self.timeout)


def slack_payload(alert: Alert) -> dict[str, Any]:
    """A Slack incoming-webhook message (``text`` for notifications, ``blocks`` for the body)."""
    head = f"{_SLACK_EMOJI[alert.severity]} *{alert.severity.value.upper()}* {alert.title}"
    facts = [f"*Rule:* `{alert.rule_id}`", f"*Events:* {alert.count}"]
    if alert.function:
        facts.append(f"*Function:* `{alert.function}`")
    if alert.principal:
        facts.append(f"*Principal:* `{alert.principal}`")
    if alert.first_seen:
        facts.append(f"*First seen:* {alert.to_json()['first_seen']}")
    evidence = json.dumps(alert.evidence, default=str)[:2500]
    return {
        "text": f"[{alert.severity.value}] {alert.title}" + (f" on {alert.function}" if alert.function else ""),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": head}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in facts]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"```{evidence}```"}]},
        ],
    }


@dataclass
class SlackSink:
    url: str
    timeout: float = 10.0
    name: str = "slack"

    def send(self, alert: Alert) -> None:
        _post(self.url, slack_payload(alert), self.timeout)

    def send_summary(self, suppressed: list[Alert]) -> None:
        rules = ", ".join(sorted({a.rule_id for a in suppressed}))
        _post(self.url, {"text": f"{len(suppressed)} more alert(s) rate-limited ({rules}); "
                                 "run `faasguard monitor detect` for all of them."}, self.timeout)


@dataclass
class DispatchReport:
    sent: int = 0
    duplicates: int = 0
    below_threshold: int = 0
    suppressed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (sink, error)


def _already_sent(con: duckdb.DuckDBPyConnection, alert: Alert, sink: str) -> bool:
    row = con.execute("SELECT count FROM alerts_sent WHERE fingerprint = ? AND sink = ?",
                      [alert.fingerprint, sink]).fetchone()
    return row is not None and int(row[0]) >= alert.count


def _record(con: duckdb.DuckDBPyConnection, alert: Alert, sink: str) -> None:
    con.execute("""INSERT INTO alerts_sent VALUES (?, ?, ?, now()::TIMESTAMP, ?)
        ON CONFLICT (fingerprint, sink) DO UPDATE SET sent_at = excluded.sent_at, count = excluded.count""",
                [alert.fingerprint, sink, alert.rule_id, alert.count])


def dispatch(con: duckdb.DuckDBPyConnection, alerts: Iterable[Alert], sinks: Iterable[Sink],
             min_severity: Severity = Severity.MEDIUM, max_per_minute: int = 30,
             clock: Callable[[], float] = time.monotonic) -> DispatchReport:
    """Send alerts to every sink, most severe first."""
    report = DispatchReport()
    ordered = sorted(alerts, key=lambda a: (-a.severity.rank, a.first_seen is None, a.first_seen or 0, a.rule_id))
    chosen = []
    for alert in ordered:
        if alert.severity.at_least(min_severity):
            chosen.append(alert)
        else:
            report.below_threshold += 1
    for sink in sinks:
        window_start = clock()
        in_window = 0
        suppressed: list[Alert] = []
        for alert in chosen:
            if _already_sent(con, alert, sink.name):
                report.duplicates += 1
                continue
            now = clock()
            if now - window_start >= 60:
                window_start, in_window = now, 0
            if in_window >= max_per_minute:
                suppressed.append(alert)
                continue
            try:
                sink.send(alert)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                report.failed.append((sink.name, str(exc)))
                continue
            in_window += 1
            report.sent += 1
            _record(con, alert, sink.name)
        if suppressed:
            report.suppressed += len(suppressed)
            try:
                sink.send_summary(suppressed)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                report.failed.append((sink.name, str(exc)))
    return report
