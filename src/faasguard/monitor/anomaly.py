"""Per-function baselines and the anomalies against them.

A function is known by its name; in CloudTrail its execution role's session name is that name,
so the role's calls are the function's calls. For each function:

- hourly series (invocations, duration, error rate, data volume out) are learned over a
  learning window (the function's first ``learn_hours`` of data) with median and MAD; a later
  hour is anomalous when its robust z-score ``|x - median| / (1.4826 * MAD)`` exceeds
  ``threshold`` and the change is material (``min_delta``). MAD of zero is floored so a flat
  baseline does not turn every wiggle into an alert;
- first-seen sets: API calls (service:action), source networks (/16 for IPv4, /48 for IPv6) and
  user agents (version numbers dropped) of the function's role after the learning window that
  it never used during it.

Each alert says what was normal and what was seen.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb

from faasguard.model.finding import Severity
from faasguard.monitor.detect import Alert

_MAD_SCALE = 1.4826


@dataclass(frozen=True)
class Settings:
    learn_hours: int = 7 * 24
    threshold: float = 6.0
    min_points: int = 12  # hours of learning data needed before a series is judged
    min_delta: dict[str, float] = field(default_factory=lambda: {
        "invocations": 20.0, "duration_ms": 100.0, "error_rate": 0.10, "bytes_out": 50_000_000.0,
    })


@dataclass(frozen=True)
class Baseline:
    function: str
    metric: str
    points: tuple[tuple[datetime, float], ...]
    learn_until: datetime
    median: float
    mad: float
    anomalies: tuple[tuple[datetime, float, float], ...]  # (hour, value, score)


@dataclass
class AnomalyRun:
    baselines: list[Baseline]
    alerts: list[Alert]


_SERIES_SQL = {
    # Invoke data events (CloudTrail) and invocations seen in the function's own logs.
    "invocations": """
        SELECT function, hour, max(n) AS value FROM (
          SELECT target_function AS function, time_bucket(INTERVAL 1 HOUR, event_time) AS hour, count(*) AS n
          FROM cloudtrail_events WHERE event_source = 'lambda.amazonaws.com' AND event_name LIKE 'Invoke%'
            AND target_function IS NOT NULL AND event_time IS NOT NULL GROUP BY ALL
          UNION ALL
          SELECT function_name, time_bucket(INTERVAL 1 HOUR, start_time), count(*)
          FROM lambda_invocations WHERE start_time IS NOT NULL GROUP BY ALL)
        GROUP BY ALL""",
    "duration_ms": """
        SELECT function_name AS function, time_bucket(INTERVAL 1 HOUR, start_time) AS hour,
               quantile_cont(duration_ms, 0.5) AS value
        FROM lambda_invocations WHERE start_time IS NOT NULL AND duration_ms IS NOT NULL GROUP BY ALL""",
    "error_rate": """
        SELECT function_name AS function, time_bucket(INTERVAL 1 HOUR, start_time) AS hour,
               avg(CASE WHEN status <> 'ok' THEN 1.0 ELSE 0.0 END) AS value
        FROM lambda_invocations WHERE start_time IS NOT NULL GROUP BY ALL""",
    "bytes_out": """
        SELECT fr.function_name AS function, time_bucket(INTERVAL 1 HOUR, e.event_time) AS hour,
               sum(coalesce(try_cast(e.additional_event_data->>'$.bytesTransferredOut' AS DOUBLE), 0)) AS value
        FROM cloudtrail_events e
        JOIN function_roles fr ON e.user_identity.sessionContext.sessionIssuer.arn = fr.role_arn
        WHERE e.event_time IS NOT NULL GROUP BY ALL""",
}

_RULES = {
    "invocations": ("FGM-ANOM-RATE", "Invocation rate far from the function's baseline", Severity.MEDIUM),
    "duration_ms": ("FGM-ANOM-DURATION", "Invocation duration far from the function's baseline", Severity.LOW),
    "error_rate": ("FGM-ANOM-ERRORS", "Error rate far above the function's baseline", Severity.MEDIUM),
    "bytes_out": ("FGM-ANOM-VOLUME", "Data read by the function's role far above its baseline", Severity.HIGH),
}


def _mad(values: list[float], median: float) -> float:
    return statistics.median(abs(v - median) for v in values) if values else 0.0


def _series(con: duckdb.DuckDBPyConnection, metric: str) -> dict[str, list[tuple[datetime, float]]]:
    out: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for function, hour, value in con.execute(_SERIES_SQL[metric]).fetchall():
        if function and hour is not None and value is not None:
            out[function].append((hour, float(value)))
    return out


def _fill_hours(points: list[tuple[datetime, float]], metric: str) -> list[tuple[datetime, float]]:
    """Counts are zero in hours with no events; ratios and durations are simply absent."""
    points.sort()
    if metric not in ("invocations", "bytes_out") or not points:
        return points
    values = dict(points)
    hour, last = points[0][0], points[-1][0]
    filled = []
    while hour <= last:
        filled.append((hour, values.get(hour, 0.0)))
        hour += timedelta(hours=1)
    return filled


def _judge(function: str, metric: str, points: list[tuple[datetime, float]], settings: Settings,
           first_seen: datetime) -> Baseline | None:
    learn_until = first_seen + timedelta(hours=settings.learn_hours)
    learning = [v for t, v in points if t < learn_until]
    if len(learning) < settings.min_points:
        return None
    median = statistics.median(learning)
    mad = _mad(learning, median)
    floor = max(abs(median) * 0.05, settings.min_delta[metric] / settings.threshold)
    scale = max(_MAD_SCALE * mad, floor)
    anomalies = []
    for t, v in points:
        if t < learn_until:
            continue
        score = abs(v - median) / scale
        if metric == "error_rate" and v < median:
            continue  # fewer errors than usual is not an incident
        if score > settings.threshold and abs(v - median) >= settings.min_delta[metric]:
            anomalies.append((t, v, round(score, 1)))
    return Baseline(function, metric, tuple(points), learn_until, median, mad, tuple(anomalies))


def _first_seen_by_function(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    rows = con.execute("""
        SELECT function, min(t) FROM (
          SELECT function_name AS function, event_time AS t FROM cloudtrail WHERE function_name IS NOT NULL
          UNION ALL SELECT function_name, start_time FROM lambda_invocations
          UNION ALL SELECT function_name, log_time FROM lambda_log_lines)
        WHERE t IS NOT NULL GROUP BY function""").fetchall()
    return {f: t for f, t in rows if f}


_NETWORK_SQL = (
    "CASE WHEN regexp_matches(source_ip, '^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$')"
    " THEN split_part(source_ip, '.', 1) || '.' || split_part(source_ip, '.', 2) || '.0.0/16'"
    " WHEN source_ip LIKE '%:%' THEN array_to_string(string_split(source_ip, ':')[1:3], ':') || '::/48'"
    " ELSE source_ip END"
)
_FIRST_SEEN = {
    # kind: (rule id, title, severity, SQL value: an API call, a /16 (/48) network, a client family)
    "api": ("FGM-ANOM-NEW-API", "Function role made an API call it never made while learning", Severity.MEDIUM,
            "event_source || ':' || event_name"),
    # medium, not high: functions outside a VPC reach AWS from Lambda's large address pools
    "network": ("FGM-ANOM-NEW-SOURCE", "Function role used from a network not seen while learning", Severity.MEDIUM,
                _NETWORK_SQL),
    "agent": ("FGM-ANOM-NEW-AGENT", "Function role used by a client not seen while learning", Severity.MEDIUM,
              "regexp_replace(user_agent, '[0-9]+(\\.[0-9]+)+[A-Za-z0-9_.-]*', '*', 'g')"),
}


def _first_seen_alerts(con: duckdb.DuckDBPyConnection, settings: Settings,
                       starts: dict[str, datetime]) -> list[Alert]:
    """First-seen values, computed in SQL: what a role did after learning that it never did before."""
    if not starts:
        return []
    con.execute("CREATE OR REPLACE TEMP TABLE _starts (function VARCHAR, learn_until TIMESTAMP)")
    con.executemany("INSERT INTO _starts VALUES (?, ?)",
                    [(f, t + timedelta(hours=settings.learn_hours)) for f, t in starts.items()])
    alerts: list[Alert] = []
    for rule_id, title, severity, value_sql in _FIRST_SEEN.values():
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _vals AS
            SELECT c.actor_function AS function, {value_sql} AS value, c.event_time, c.event_id,
                   coalesce(c.session_issuer_arn, c.user_arn) AS principal, c.event_time < s.learn_until AS learning
            FROM cloudtrail c JOIN _starts s ON s.function = c.actor_function
            WHERE c.actor_function IS NOT NULL AND c.event_time IS NOT NULL""")
        known: dict[str, list[str]] = {
            f: sorted(v) for f, v in con.execute(
                "SELECT function, list(DISTINCT value) FROM _vals WHERE learning AND value IS NOT NULL GROUP BY 1"
            ).fetchall()}
        rows = con.execute("""
            SELECT n.function, n.value, min(n.event_time), max(n.event_time), count(*),
                   list(n.event_id ORDER BY n.event_time, n.event_id)[1:500], arg_min(n.principal, n.event_time)
            FROM _vals n
            WHERE NOT n.learning AND n.value IS NOT NULL
              AND n.function IN (SELECT function FROM _vals WHERE learning)
              AND (n.function, n.value) NOT IN (SELECT function, value FROM _vals WHERE learning)
            GROUP BY n.function, n.value ORDER BY 3, 1, 2""").fetchall()
        for function, value, first, last, count, event_ids, principal in rows:
            normal = known.get(function, [])
            alerts.append(Alert(
                rule_id=rule_id, title=title, severity=severity, function=function, principal=principal,
                event_ids=tuple(event_ids), first_seen=first, last_seen=last, count=int(count), kind="anomaly",
                evidence={"seen": value, "normal": normal[:20], "normal_count": len(normal),
                          "learning_until": (starts[function] + timedelta(hours=settings.learn_hours)).isoformat()},
            ))
        con.execute("DROP TABLE _vals")
    con.execute("DROP TABLE _starts")
    return alerts


def run_baselines(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> AnomalyRun:
    settings = settings or Settings()
    starts = _first_seen_by_function(con)
    baselines: list[Baseline] = []
    alerts: list[Alert] = []
    for metric in _SERIES_SQL:
        for function, raw in sorted(_series(con, metric).items()):
            points = _fill_hours(raw, metric)
            baseline = _judge(function, metric, points, settings, starts.get(function, points[0][0]))
            if baseline is None:
                continue
            baselines.append(baseline)
            rule_id, title, severity = _RULES[metric]
            for hour, value, score in baseline.anomalies:
                alerts.append(Alert(
                    rule_id=rule_id, title=title, severity=severity, function=function, principal=None,
                    event_ids=(), first_seen=hour, last_seen=hour + timedelta(hours=1) - timedelta(seconds=1),
                    count=1, kind="anomaly",
                    evidence={"metric": metric, "seen": round(value, 3), "score": score,
                              "normal": {"median": round(baseline.median, 3), "mad": round(baseline.mad, 3),
                                         "learning_until": baseline.learn_until.isoformat()}},
                ))
    alerts.extend(_first_seen_alerts(con, settings, starts))
    alerts.sort(key=lambda a: (a.first_seen or datetime.min, a.rule_id, a.function or ""))
    return AnomalyRun(baselines=baselines, alerts=alerts)


def anomalous_hours(baselines: Iterable[Baseline]) -> int:
    return sum(len(b.anomalies) for b in baselines)
