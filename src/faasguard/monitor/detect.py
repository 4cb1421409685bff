"""Run compiled rules over the store and turn matches into alerts.

All CloudTrail rules are evaluated in one scan: the OR of every rule's predicate selects the
candidate events into a small temporary table, then each rule runs on the candidates only. One
alert is produced per (rule, function, principal); correlation rules produce one per group and
window.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from faasguard.model.finding import Finding, Severity
from faasguard.monitor.sigma_sql import DUCKDB_CLOUDTRAIL, DUCKDB_GUARD, CompiledRule, RuleSet, Target

MAX_EVENT_IDS = 500  # per alert; ``count`` stays exact


@dataclass(frozen=True)
class Alert:
    """One detection. ``event_ids`` are CloudTrail eventIDs (guard event ids for guard rules)."""

    rule_id: str
    title: str
    severity: Severity
    function: str | None
    principal: str | None
    event_ids: tuple[str, ...]
    first_seen: datetime | None
    last_seen: datetime | None
    count: int
    evidence: dict[str, Any] = field(default_factory=dict)
    kind: str = "signature"  # "signature" | "anomaly"
    tags: tuple[str, ...] = ()
    auto_response: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Stable across runs: the same rule, function and principal is the same alert."""
        material = "\x1f".join((self.rule_id, self.function or "", self.principal or ""))
        return hashlib.sha256(material.encode()).hexdigest()[:32]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.value,
            "function": self.function,
            "principal": self.principal,
            "event_ids": list(self.event_ids),
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "count": self.count,
            "evidence": self.evidence,
            "kind": self.kind,
            "tags": list(self.tags),
            "fingerprint": self.fingerprint,
        }

    def to_finding(self) -> Finding:
        return Finding(rule_id=self.rule_id, title=self.title, severity=self.severity,
                       message=f"{self.title}: {self.count} event(s)"
                       + (f" on {self.function}" if self.function else ""),
                       location=None, category="monitor", function=self.function, evidence=self.evidence,
                       key=self.fingerprint)


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


_CLOUDTRAIL_EVIDENCE = """
      list(DISTINCT event_name) AS event_names,
      list(DISTINCT source_ip) FILTER (WHERE source_ip IS NOT NULL) AS source_ips,
      list(DISTINCT user_agent) FILTER (WHERE user_agent IS NOT NULL) AS user_agents,
      list(DISTINCT aws_region) FILTER (WHERE aws_region IS NOT NULL) AS regions,
      list(DISTINCT error_code) FILTER (WHERE error_code IS NOT NULL) AS error_codes,
      arg_min(CAST(request_parameters AS VARCHAR), event_time) AS first_request
"""


_GUARD_EVIDENCE = """
      list(DISTINCT detector) FILTER (WHERE detector IS NOT NULL) AS detectors,
      list(DISTINCT category) FILTER (WHERE category IS NOT NULL) AS categories,
      list(DISTINCT action) FILTER (WHERE action IS NOT NULL) AS actions,
      list(DISTINCT field) FILTER (WHERE field IS NOT NULL) AS fields,
      list(DISTINCT excerpt) FILTER (WHERE excerpt IS NOT NULL) AS excerpts
"""


def _evidence(row: dict[str, Any], guard: bool) -> dict[str, Any]:
    keys = ("detectors", "categories", "actions", "fields", "excerpts") if guard else \
        ("event_names", "source_ips", "user_agents", "regions", "error_codes")
    evidence: dict[str, Any] = {k: sorted(row[k])[:10] for k in keys if row.get(k)}
    first = row.get("first_request")
    if first and first != "null":
        try:
            evidence["request_parameters"] = json.loads(first)
        except json.JSONDecodeError:
            evidence["request_parameters"] = first[:2000]
    return evidence


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _signature_sql(rule: CompiledRule, table: str, target: Target, guard: bool) -> str:
    evidence = _GUARD_EVIDENCE if guard else _CLOUDTRAIL_EVIDENCE
    return f"""
      SELECT {target.function} AS function, {target.principal} AS principal,
             list({target.event_id} ORDER BY {target.event_time}, {target.event_id})[1:{MAX_EVENT_IDS}] AS event_ids,
             min({target.event_time}) AS first_seen, max({target.event_time}) AS last_seen, count(*) AS n,
             {evidence}
      FROM {table} WHERE {rule.where}
      GROUP BY ALL ORDER BY first_seen, function NULLS FIRST, principal NULLS FIRST"""


def _aggregation_sql(rule: CompiledRule, table: str, target: Target, guard: bool) -> str:
    agg = rule.aggregation
    assert agg is not None
    evidence = _GUARD_EVIDENCE if guard else _CLOUDTRAIL_EVIDENCE
    groups = list(agg.group_by) + [f"time_bucket(INTERVAL '{agg.seconds} seconds', {target.event_time})"]
    group_sql = ", ".join(f"{g} AS g{i}" for i, g in enumerate(groups))
    measure = f"count(DISTINCT {agg.value_field})" if agg.kind == "value_count" and agg.value_field else "count(*)"
    return f"""
      SELECT any_value({target.function}) AS function, any_value({target.principal}) AS principal,
             list({target.event_id} ORDER BY {target.event_time}, {target.event_id})[1:{MAX_EVENT_IDS}] AS event_ids,
             min({target.event_time}) AS first_seen, max({target.event_time}) AS last_seen, count(*) AS n,
             {measure} AS measure, {evidence}, {group_sql}
      FROM {table} WHERE {rule.where}
      GROUP BY {", ".join(f"g{i}" for i in range(len(groups)))}
      HAVING {measure} {agg.op} {agg.threshold}
      ORDER BY first_seen"""


def _alerts_for(con: duckdb.DuckDBPyConnection, rule: CompiledRule, table: str) -> list[Alert]:
    guard = rule.target == "guard"
    target = DUCKDB_GUARD if guard else DUCKDB_CLOUDTRAIL
    sql = _aggregation_sql(rule, table, target, guard) if rule.aggregation else \
        _signature_sql(rule, table, target, guard)
    alerts = []
    for row in _rows(con, sql):
        evidence = _evidence(row, guard)
        if rule.aggregation:
            evidence["measure"] = int(row["measure"])
            evidence["threshold"] = f"{rule.aggregation.kind} {rule.aggregation.op} {rule.aggregation.threshold}" \
                                    f" in {rule.aggregation.seconds}s"
        alerts.append(Alert(rule_id=rule.rule_id, title=rule.title, severity=rule.severity,
                            function=row["function"], principal=row["principal"],
                            event_ids=tuple(row["event_ids"] or ()), first_seen=row["first_seen"],
                            last_seen=row["last_seen"], count=int(row["n"]), evidence=evidence,
                            tags=rule.tags, auto_response=rule.auto_response))
    return alerts


@dataclass
class DetectionRun:
    alerts: list[Alert]
    rules_run: int
    candidates: int
    errors: list[tuple[str, str]] = field(default_factory=list)


def run_rules(con: duckdb.DuckDBPyConnection, ruleset: RuleSet, since: datetime | None = None,
              until: datetime | None = None) -> DetectionRun:
    """Evaluate every rule; a rule whose SQL fails is reported and the others go on."""
    alerts: list[Alert] = []
    errors: list[tuple[str, str]] = []
    window = []
    if since:
        window.append(f"event_time >= TIMESTAMP '{since:%Y-%m-%d %H:%M:%S}'")
    if until:
        window.append(f"event_time < TIMESTAMP '{until:%Y-%m-%d %H:%M:%S}'")
    window_sql = (" AND " + " AND ".join(window)) if window else ""
    candidates = 0
    for target_name, table in (("cloudtrail", "cloudtrail"), ("guard", "guard_events")):
        rules = [r for r in ruleset.rules if r.target == target_name]
        if not rules:
            continue
        cand = f"_cand_{target_name}"
        usable = rules
        try:  # one scan selects every rule's candidates
            _select_candidates(con, cand, table, usable, window_sql)
        except duckdb.Error:
            # some rule does not compile in DuckDB (e.g. a field the data does not have): find it,
            # report it, and run the others
            usable = []
            for rule in rules:
                try:
                    con.execute(f"EXPLAIN SELECT 1 FROM {table} WHERE {rule.where}")
                    usable.append(rule)
                except duckdb.Error as exc:
                    errors.append((rule.rule_id, str(exc).splitlines()[0]))
            if not usable:
                continue
            _select_candidates(con, cand, table, usable, window_sql)
        candidates += _count(con, cand)
        # which rules match at all (one pass over the candidates), then alerts for those only
        flags = ", ".join(f"bool_or(coalesce({r.where}, false))" for r in usable)
        row = con.execute(f"SELECT {flags} FROM {cand}").fetchone()
        matched = [r for r, hit in zip(usable, row or (), strict=False) if hit]
        for rule in matched:
            try:
                alerts.extend(_alerts_for(con, rule, cand))
            except duckdb.Error as exc:
                errors.append((rule.rule_id, str(exc).splitlines()[0]))
        con.execute(f"DROP TABLE {cand}")
    alerts.sort(key=lambda a: (a.first_seen or datetime.min, a.rule_id, a.function or "", a.principal or ""))
    return DetectionRun(alerts=alerts, rules_run=len(ruleset.rules), candidates=candidates, errors=errors)


def _select_candidates(con: duckdb.DuckDBPyConnection, cand: str, table: str, rules: list[CompiledRule],
                       window_sql: str) -> None:
    union = " OR ".join(f"({r.where})" for r in rules)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {cand} AS SELECT * FROM {table} WHERE ({union}){window_sql}")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def filter_alerts(alerts: Iterable[Alert], min_severity: Severity = Severity.INFO,
                  rule_ids: Sequence[str] = ()) -> list[Alert]:
    return [a for a in alerts if a.severity.at_least(min_severity) and (not rule_ids or a.rule_id in rule_ids)]
