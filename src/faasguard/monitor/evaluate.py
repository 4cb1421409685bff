"""Measure the rules on the labelled CloudTrail sets in ``../shared/data/cloudtrail``.

- Stratus Red Team detonation logs: each event carries ``_label_technique``; a technique counts as
  covered when at least one alert cites one of its events.
- Invictus-IR: each event carries ``_label_phase`` (``detonation``, ``stratus_setup``, ``other``);
  a false alert is an alert none of whose events belongs to a detonation.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from faasguard.monitor import ingest, store
from faasguard.monitor.detect import Alert, run_rules
from faasguard.monitor.sigma_sql import RuleSet, load_rules

STRATUS_FILE = "stratus_detonation_logs.ndjson"
INVICTUS_FILE = "invictus_aws_dataset.ndjson"
OTRF_FILE = "otrf_ec2_proxy_s3_exfiltration.ndjson"


@dataclass
class Evaluation:
    techniques: list[str]
    covered: dict[str, list[str]]  # technique -> rule ids
    invictus_alerts: int
    false_alerts: list[Alert]
    false_alert_events: Counter[str] = field(default_factory=Counter)  # phase -> events flagged
    attack_alerts: int = 0
    otrf_alerts: list[Alert] = field(default_factory=list)  # unlabelled: reported as they are

    @property
    def coverage(self) -> tuple[int, int]:
        return len(self.covered), len(self.techniques)

    def lines(self) -> list[str]:
        hit, total = self.coverage
        out = [f"Stratus Red Team technique coverage: {hit}/{total} ({100 * hit / max(total, 1):.0f}%)"]
        for technique in self.techniques:
            rules = self.covered.get(technique)
            out.append(f"  {'covered' if rules else 'MISSED '}  {technique}  {', '.join(rules or [])}")
        out.append(f"Invictus-IR: {self.invictus_alerts} alerts, {self.attack_alerts} on detonation events, "
                   f"{len(self.false_alerts)} false (no detonation event)")
        for alert in self.false_alerts:
            out.append(f"  false: {alert.rule_id} {alert.title} ({alert.count} event(s), {alert.principal})")
        flagged = ", ".join(f"{phase}={n}" for phase, n in sorted(self.false_alert_events.items()))
        out.append(f"Non-attack Invictus events cited by any alert: {flagged or 'none'}")
        out.append(f"OTRF CloudGoat EC2-proxy S3 exfiltration (unlabelled): {len(self.otrf_alerts)} alert(s)")
        for alert in self.otrf_alerts:
            names = ", ".join(alert.evidence.get("event_names", []))
            out.append(f"  {alert.rule_id} {alert.title} ({alert.count} event(s): {names})")
        return out


def _labels(path: Path, key: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("eventID") and key in record:
                labels[str(record["eventID"])] = str(record[key])
    return labels


def evaluate(data_dir: Path, ruleset: RuleSet | None = None) -> Evaluation:
    rules = ruleset or load_rules()
    stratus, invictus = data_dir / STRATUS_FILE, data_dir / INVICTUS_FILE
    technique_of = _labels(stratus, "_label_technique")
    phase_of = _labels(invictus, "_label_phase")

    covered: dict[str, set[str]] = defaultdict(set)
    con = store.memory()
    ingest.ingest(con, [stratus])
    for alert in run_rules(con, rules).alerts:
        for event_id in alert.event_ids:
            if event_id in technique_of:
                covered[technique_of[event_id]].add(alert.rule_id)
    con.close()

    con = store.memory()
    ingest.ingest(con, [invictus])
    alerts = run_rules(con, rules).alerts
    con.close()
    false_alerts = [a for a in alerts if not any(phase_of.get(e) == "detonation" for e in a.event_ids)]
    flagged: Counter[str] = Counter()
    seen: set[str] = set()
    for alert in alerts:
        for event_id in alert.event_ids:
            phase = phase_of.get(event_id)
            if phase and phase != "detonation" and event_id not in seen:
                seen.add(event_id)
                flagged[phase] += 1
    otrf_alerts: list[Alert] = []
    if (data_dir / OTRF_FILE).is_file():
        con = store.memory()
        ingest.ingest(con, [data_dir / OTRF_FILE])
        otrf_alerts = run_rules(con, rules).alerts
        con.close()
    return Evaluation(
        otrf_alerts=otrf_alerts,
        techniques=sorted(set(technique_of.values())),
        covered={t: sorted(r) for t, r in sorted(covered.items())},
        invictus_alerts=len(alerts),
        false_alerts=false_alerts,
        false_alert_events=flagged,
        attack_alerts=len(alerts) - len(false_alerts),
    )


def default_data_dir(candidates: Sequence[Path] = ()) -> Path | None:
    here = Path(__file__).resolve()
    options = list(candidates) + [parent / ".." / "shared" / "data" / "cloudtrail" for parent in here.parents]
    for option in options:
        if (option / STRATUS_FILE).is_file():
            return option.resolve()
    return None
