"""faasguard's own serverless rules on hand-made CloudTrail events: what fires and what does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from faasguard.monitor import ingest
from faasguard.monitor.detect import Alert, run_rules
from faasguard.monitor.sigma_sql import load_rules

from .conftest import record, write_ndjson

ROLE = "arn:aws:iam::123456789012:role/orders-api-role"
LAMBDA_UA = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.12.1 exec-env/AWS_Lambda_python3.12"


def _role_identity(session: str = "orders-api") -> dict[str, Any]:
    return {"type": "AssumedRole", "arn": f"arn:aws:sts::123456789012:assumed-role/orders-api-role/{session}",
            "principalId": f"AROAEXAMPLE:{session}", "accountId": "123456789012",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": ROLE, "userName": "orders-api-role"}}}


def _alerts(con: duckdb.DuckDBPyConnection, tmp_path: Path, events: list[dict[str, Any]]) -> list[Alert]:
    ingest.ingest(con, [write_ndjson(tmp_path / "ct.ndjson", events)])
    return run_rules(con, load_rules()).alerts


def _by_rule(alerts: list[Alert]) -> dict[str, list[tuple[str | None, tuple[str, ...]]]]:
    out: dict[str, list[tuple[str | None, tuple[str, ...]]]] = {}
    for alert in alerts:
        out.setdefault(alert.rule_id, []).append((alert.function, alert.event_ids))
    return out


def test_execution_role_credentials_used_outside_lambda(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inside = record("GetItem", "dynamodb.amazonaws.com", userIdentity=_role_identity(), userAgent=LAMBDA_UA,
                    sourceIPAddress="3.80.1.2")
    outside = record("ListBuckets", "s3.amazonaws.com", userIdentity=_role_identity(),
                     userAgent="aws-cli/2.15.0 Python/3.11.6", sourceIPAddress="198.51.100.7")
    enumerate_secrets = record("ListSecrets", "secretsmanager.amazonaws.com", userIdentity=_role_identity(),
                               userAgent="aws-cli/2.15.0 Python/3.11.6", sourceIPAddress="198.51.100.7")
    kms_on_behalf = record("Decrypt", "kms.amazonaws.com", userIdentity=_role_identity(),
                           userAgent="lambda.amazonaws.com", sourceIPAddress="lambda.amazonaws.com")
    by_rule = _by_rule(_alerts(con, tmp_path, [inside, outside, enumerate_secrets, kms_on_behalf]))
    assert by_rule["FGM-LAMBDA-008"] == [("orders-api", (outside["eventID"], enumerate_secrets["eventID"]))]
    assert by_rule["FGM-LAMBDA-009"] == [("orders-api", (enumerate_secrets["eventID"],))]


def test_role_learned_from_create_function_without_runtime_traffic(con: duckdb.DuckDBPyConnection,
                                                                   tmp_path: Path) -> None:
    create = record("CreateFunction20150331", requestParameters={"functionName": "orders-api", "role": ROLE},
                    responseElements={"functionName": "orders-api", "role": ROLE})
    stolen = record("GetCallerIdentity", "sts.amazonaws.com", userIdentity=_role_identity(),
                    userAgent="python-requests/2.31", sourceIPAddress="203.0.113.50")
    by_rule = _by_rule(_alerts(con, tmp_path, [create, stolen]))
    assert by_rule == {"FGM-LAMBDA-008": [("orders-api", (stolen["eventID"],))]}


@pytest.mark.parametrize("rule_id,event,fires", [
    ("FGM-LAMBDA-002", record("UpdateFunctionConfiguration20150331v2", requestParameters={
        "functionName": "f", "layers": ["arn:aws:lambda:us-east-1:999999999999:layer:x:1"]}), True),
    ("FGM-LAMBDA-002", record("UpdateFunctionConfiguration20150331v2", requestParameters={
        "functionName": "f", "timeout": 30}), False),
    ("FGM-LAMBDA-003", record("UpdateFunctionConfiguration20150331v2", requestParameters={
        "functionName": "f", "environment": {"variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/x"}}}), True),
    ("FGM-LAMBDA-005", record("AddPermission20150331v2", requestParameters={
        "functionName": "f", "principal": "999999999999", "action": "lambda:InvokeFunction"}), True),
    ("FGM-LAMBDA-005", record("AddPermission20150331v2", requestParameters={
        "functionName": "f", "principal": "s3.amazonaws.com", "action": "lambda:InvokeFunction"}), False),
    ("FGM-LAMBDA-004", record("AddPermission20150331v2", requestParameters={
        "functionName": "f", "principal": "*", "sourceArn": "arn:aws:s3:::bucket"}), False),
    ("FGM-LAMBDA-006", record("UpdateFunctionUrlConfig20211031", requestParameters={
        "functionName": "f", "authType": "AWS_IAM"}), False),
    ("FGM-LAMBDA-007", record("CreateEventSourceMapping20150331", requestParameters={
        "functionName": "f", "eventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q"}), True),
    ("FGM-LOG-005", record("DeleteLogGroup", "logs.amazonaws.com", requestParameters={
        "logGroupName": "/aws/lambda/orders-api"}), True),
    ("FGM-LOG-005", record("DeleteLogGroup", "logs.amazonaws.com", requestParameters={
        "logGroupName": "/ecs/web"}), False),
    ("FGM-EXFIL-004", record("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", requestParameters={
        "groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                                        "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
     False),
    ("FGM-EXFIL-004", record("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", requestParameters={
        "groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
                                                        "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
     True),
])
def test_rule_fires_or_not(con: duckdb.DuckDBPyConnection, tmp_path: Path, rule_id: str, event: dict[str, Any],
                           fires: bool) -> None:
    hits = [a for a in _alerts(con, tmp_path, [event]) if a.rule_id == rule_id]
    assert [a.event_ids for a in hits] == ([(event["eventID"],)] if fires else [])
