"""The Sigma-to-SQL backend, including the two bugs of the public SQL backends it fixes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from faasguard.model.finding import Severity
from faasguard.monitor import ingest
from faasguard.monitor.detect import run_rules
from faasguard.monitor.sigma_sql import compile_yaml, load_rules

from .conftest import record, write_ndjson

_RULE = """
title: {title}
id: 11111111-2222-4333-8444-55555555555{n}
faasguard_id: TEST-{n}
logsource: {{product: aws, service: cloudtrail}}
detection:
{detection}
level: high
"""


def _rule(detection: str, n: int = 1, title: str = "test rule") -> str:
    return _RULE.format(title=title, n=n, detection=detection)


def _alerts(con: duckdb.DuckDBPyConnection, tmp_path: Path, records: list[dict], rule_yaml: str) -> list:
    ingest.ingest(con, [write_ndjson(tmp_path / "ct.ndjson", records)])
    ruleset = compile_yaml(rule_yaml)
    assert ruleset.skipped == []
    return run_rules(con, ruleset).alerts


def test_equality_is_case_insensitive(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # Sigma strings match case-insensitively; the public SQL backends emit `field = 'value'`.
    events = [record("deletetrail", "cloudtrail.amazonaws.com"), record("DeleteTrail", "CloudTrail.AmazonAWS.com"),
              record("StartLogging", "cloudtrail.amazonaws.com")]
    rule = _rule("  sel:\n    eventSource: cloudtrail.amazonaws.com\n    eventName: DeleteTrail\n  condition: sel")
    alerts = _alerts(con, tmp_path, events, rule)
    assert [(a.rule_id, a.count, a.event_ids) for a in alerts] == [
        ("TEST-1", 2, (events[0]["eventID"], events[1]["eventID"]))]


def test_cased_modifier_keeps_case(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    events = [record("deletetrail", "cloudtrail.amazonaws.com"), record("DeleteTrail", "cloudtrail.amazonaws.com")]
    rule = _rule("  sel:\n    eventName|cased: DeleteTrail\n  condition: sel")
    alerts = _alerts(con, tmp_path, events, rule)
    assert [a.event_ids for a in alerts] == [(events[1]["eventID"],)]


def test_not_filter_with_missing_field_still_alerts(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # The filter's field is absent from the first event: SQL's NOT (NULL = 'x') is NULL and the
    # public backends drop the event. Ours keeps it, and still honours the filter when it matches.
    no_agent = record("StopLogging", "cloudtrail.amazonaws.com")
    del no_agent["userAgent"]
    filtered = record("StopLogging", "cloudtrail.amazonaws.com", userAgent="cloudformation.amazonaws.com")
    other = record("StopLogging", "cloudtrail.amazonaws.com", userAgent="python-requests/2.31")
    rule = _rule("  sel:\n    eventName: StopLogging\n  filter:\n    userAgent: cloudformation.amazonaws.com\n"
                 "  condition: sel and not filter")
    alerts = _alerts(con, tmp_path, [no_agent, filtered, other], rule)
    assert len(alerts) == 1
    assert alerts[0].event_ids == (no_agent["eventID"], other["eventID"])


def test_not_of_an_or_with_a_missing_field(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # NOT (NULL OR false) is NULL in SQL; with one filter field missing the event must survive.
    event = record("StopLogging", "cloudtrail.amazonaws.com", sourceIPAddress="203.0.113.9")
    del event["userAgent"]
    rule = _rule("  sel:\n    eventName: StopLogging\n  f1:\n    userAgent: x\n  f2:\n    sourceIPAddress: 10.0.0.1\n"
                 "  condition: sel and not (f1 or f2)")
    alerts = _alerts(con, tmp_path, [event], rule)
    assert [a.event_ids for a in alerts] == [(event["eventID"],)]


def test_prefix_match_for_versioned_lambda_event_names(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    events = [record("UpdateFunctionCode20150331v2", requestParameters={"functionName": "orders-api"}),
              record("UpdateFunctionConfiguration20150331v2", requestParameters={"functionName": "orders-api"})]
    rule = _rule("  sel:\n    eventName|startswith: UpdateFunctionCode\n  condition: sel")
    alerts = _alerts(con, tmp_path, events, rule)
    assert [(a.function, a.event_ids) for a in alerts] == [("orders-api", (events[0]["eventID"],))]


def test_modifiers_and_nested_json_fields(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    events = [
        record("AddPermission20150331v2", requestParameters={"functionName": "f", "principal": "*"}),
        record("AddPermission20150331v2", requestParameters={"functionName": "f", "principal": "s3.amazonaws.com"}),
        record("AddPermission20150331v2", requestParameters={"functionName": "f", "principal": "123456789012"}),
    ]
    star = _rule("  sel:\n    requestParameters.principal: '\\*'\n  condition: sel", n=1)
    regex = _rule("  sel:\n    requestParameters.principal|re: '^\\d{12}$'\n  condition: sel", n=2)
    ends = _rule("  sel:\n    requestParameters.principal|endswith: .AMAZONAWS.COM\n  condition: sel", n=3)
    ingest.ingest(con, [write_ndjson(tmp_path / "ct.ndjson", events)])
    found = {}
    for text in (star, regex, ends):
        for alert in run_rules(con, compile_yaml(text)).alerts:
            found[alert.rule_id] = alert.event_ids
    assert found == {"TEST-1": (events[0]["eventID"],), "TEST-2": (events[2]["eventID"],),
                     "TEST-3": (events[1]["eventID"],)}


def test_fieldref_and_exists(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    self_key = record("CreateAccessKey", "iam.amazonaws.com", requestParameters={"userName": "alice"})
    other_key = record("CreateAccessKey", "iam.amazonaws.com", requestParameters={"userName": "mallory"})
    own_default = record("CreateAccessKey", "iam.amazonaws.com", requestParameters=None)
    rule = _rule("  sel:\n    eventName: CreateAccessKey\n  self:\n    requestParameters.userName|fieldref: "
                 "userIdentity.userName\n  condition: sel and not self")
    alerts = _alerts(con, tmp_path, [self_key, other_key, own_default], rule)
    assert [a.event_ids for a in alerts] == [(other_key["eventID"], own_default["eventID"])]


def test_value_count_correlation(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    reads = [record("GetSecretValue", "secretsmanager.amazonaws.com", requestParameters={"secretId": f"s{i % 4}"})
             for i in range(8)]
    text = """
title: base
name: base_reads
id: 11111111-2222-4333-8444-555555555560
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: GetSecretValue}
  condition: sel
---
title: many secrets
id: 11111111-2222-4333-8444-555555555561
faasguard_id: TEST-CORR
level: medium
correlation:
  type: value_count
  rules: [base_reads]
  group-by: [userIdentity.arn]
  timespan: 1h
  condition: {field: requestParameters.secretId, gte: 4}
"""
    ingest.ingest(con, [write_ndjson(tmp_path / "ct.ndjson", reads)])
    alerts = run_rules(con, compile_yaml(text)).alerts
    assert [(a.rule_id, a.count, a.evidence["measure"], a.severity) for a in alerts] == [
        ("TEST-CORR", 8, 4, Severity.MEDIUM)]
    stricter = text.replace("gte: 4", "gte: 5")
    assert run_rules(con, compile_yaml(stricter)).alerts == []


def test_unsupported_and_foreign_rules_are_skipped_with_a_reason() -> None:
    windows = """
title: windows
id: 11111111-2222-4333-8444-555555555570
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4624}
  condition: sel
"""
    unknown_field = _rule("  sel:\n    noSuchField: x\n  condition: sel")
    assert [r for r, _ in compile_yaml(windows).skipped] == ["<text>: windows"]
    skipped = compile_yaml(unknown_field).skipped
    assert skipped == [("<text>: test rule", "unknown field 'noSuchField' for cloudtrail (DuckDB store)")]


def test_builtin_rules_compile_and_user_folders_add_rules(tmp_path: Path) -> None:
    builtin = load_rules()
    assert builtin.skipped == []
    ids = [r.rule_id for r in builtin.rules]
    assert len(ids) == len(set(ids))
    assert {"FGM-LAMBDA-001", "FGM-LAMBDA-002", "FGM-LAMBDA-004", "FGM-LAMBDA-006", "FGM-LAMBDA-008",
            "FGM-GUARD-001", "FGM-GUARD-003"} <= set(ids)
    (tmp_path / "mine.yml").write_text(_rule("  sel:\n    eventName: GetCallerIdentity\n  condition: sel", n=9))
    (tmp_path / "broken.yml").write_text("title: [unclosed")
    combined = load_rules([tmp_path])
    assert "TEST-9" in [r.rule_id for r in combined.rules]
    assert [Path(src).name for src, _ in combined.skipped] == ["broken.yml"]


@pytest.mark.parametrize("rule_id", ["FGM-LAMBDA-001", "FGM-LAMBDA-004", "FGM-LOG-001"])
def test_builtin_rule_filters_cloudformation_and_failures(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                          rule_id: str) -> None:
    name, source, params = {
        "FGM-LAMBDA-001": ("UpdateFunctionCode20150331v2", "lambda.amazonaws.com", {"functionName": "f"}),
        "FGM-LAMBDA-004": ("AddPermission20150331v2", "lambda.amazonaws.com", {"functionName": "f", "principal": "*"}),
        "FGM-LOG-001": ("StopLogging", "cloudtrail.amazonaws.com", {"name": "trail"}),
    }[rule_id]
    hit = record(name, source, requestParameters=params)
    failed = record(name, source, requestParameters=params, errorCode="AccessDenied")
    ingest.ingest(con, [write_ndjson(tmp_path / "ct.ndjson", [hit, failed])])
    alerts = [a for a in run_rules(con, load_rules()).alerts if a.rule_id == rule_id]
    assert [a.event_ids for a in alerts] == [(hit["eventID"],)]


def test_user_identity_fields_beyond_the_flattened_ones(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with_source = record("AssumeRole", "sts.amazonaws.com", userIdentity={
        "type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/r/s",
        "sessionContext": {"sourceIdentity": "Mallory", "sessionIssuer": {"arn": "arn:aws:iam::123456789012:role/r"}}})
    without = record("AssumeRole", "sts.amazonaws.com")
    rule = _rule("  sel:\n    userIdentity.sessionContext.sourceIdentity: mallory\n  condition: sel", n=1)
    missing = _rule("  sel:\n    userIdentity.noSuchThing: x\n  condition: sel", n=2)
    ingest.ingest(con, [write_ndjson(tmp_path / "ct.ndjson", [with_source, without])])
    ruleset = compile_yaml(rule)
    ruleset.rules.extend(compile_yaml(missing).rules)
    run = run_rules(con, ruleset)
    assert [(a.rule_id, a.event_ids) for a in run.alerts] == [("TEST-1", (with_source["eventID"],))]
    # a field the struct does not have is reported for that rule; the other rules still ran
    assert [rule_id for rule_id, _ in run.errors] == ["TEST-2"]
    assert "noSuchThing" in run.errors[0][1]


def test_cidr_keywords_and_numeric_comparison(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inside = record("ConsoleLogin", "signin.amazonaws.com", sourceIPAddress="10.1.2.3")
    outside = record("ConsoleLogin", "signin.amazonaws.com", sourceIPAddress="11.1.2.3")
    keyword = record("PutObject", "s3.amazonaws.com", requestParameters={"key": "backup/EXFIL-dump.tar"})
    big = record("RunInstances", "ec2.amazonaws.com", requestParameters={"maxCount": 50})
    small = record("RunInstances", "ec2.amazonaws.com", requestParameters={"maxCount": 2})
    ingest.ingest(con, [write_ndjson(tmp_path / "ct.ndjson", [inside, outside, keyword, big, small])])
    rules = {
        "TEST-1": _rule("  sel:\n    sourceIPAddress|cidr: 10.0.0.0/8\n  condition: sel", n=1),
        "TEST-2": _rule("  keywords:\n    - 'exfil-dump'\n  condition: keywords", n=2),
        "TEST-3": _rule("  sel:\n    requestParameters.maxCount|gte: 10\n  condition: sel", n=3),
    }
    found = {}
    for rule_id, text in rules.items():
        ruleset = compile_yaml(text)
        assert ruleset.skipped == [], rule_id
        found[rule_id] = [a.event_ids for a in run_rules(con, ruleset).alerts]
    assert found == {"TEST-1": [(inside["eventID"],)], "TEST-2": [(keyword["eventID"],)],
                     "TEST-3": [(big["eventID"],)]}
