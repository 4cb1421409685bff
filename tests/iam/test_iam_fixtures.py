"""The fixture apps with known needs: generated policies, diff and findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from iam_helpers import FIXTURES, analyse, policy_actions, policy_pairs

from faasguard.analyzers.iam.analysis import FunctionIam
from faasguard.scan import ScanOptions, scan

LOGS = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
XRAY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
SQS_POLL = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}

EXPECTED = {
    "createOrder": LOGS | XRAY | {"dynamodb:PutItem", "s3:PutObject", "sns:Publish"},
    "listOrders": LOGS | XRAY | {"dynamodb:Query", "dynamodb:GetItem"},
    "processQueue": LOGS | XRAY | SQS_POLL | {"sqs:SendMessage", "ssm:GetParameter"},
    "ThumbnailFunction": LOGS | {"s3:GetObject", "s3:PutObject", "dynamodb:UpdateItem"},
    "ReportFunction": LOGS | {"secretsmanager:GetSecretValue", "lambda:InvokeFunction"},
    "WorkerFunction": LOGS | SQS_POLL | {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                        "dynamodb:DeleteItem"},
}


@pytest.fixture(scope="module")
def results() -> dict[str, FunctionIam]:
    return analyse(FIXTURES)


@pytest.mark.parametrize("function", sorted(EXPECTED))
def test_generated_policy_is_exactly_the_expected_action_set(results: dict[str, FunctionIam], function: str) -> None:
    fi = results[function]
    assert policy_actions(fi) == EXPECTED[function]
    assert fi.confidence == "high" and fi.code_analysed


def test_resources_are_traced_through_the_template(results: dict[str, FunctionIam]) -> None:
    assert policy_pairs(results["createOrder"]) >= {
        ("dynamodb:PutItem", "${OrdersTable.Arn}"),  # TABLE=${self:custom.table} -> TableName of OrdersTable
        ("s3:PutObject", "${ReceiptsBucket.Arn}/*"),  # BUCKET=!Ref ReceiptsBucket
        ("sns:Publish", "${OrdersTopic}"),  # Ref of a topic is its ARN
    }
    assert policy_pairs(results["listOrders"]) >= {
        ("dynamodb:Query", "${OrdersTable.Arn}/index/*"), ("dynamodb:GetItem", "${OrdersTable.Arn}")}
    assert policy_pairs(results["processQueue"]) >= {
        ("sqs:SendMessage", "${OutQueue.Arn}"), ("sqs:ReceiveMessage", "${InQueue.Arn}"),
        ("ssm:GetParameter", "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/config")}
    assert policy_pairs(results["ReportFunction"]) >= {
        ("secretsmanager:GetSecretValue", "${ApiSecret}"), ("lambda:InvokeFunction", "${WorkerFunction.Arn}")}
    # the source bucket is read from the S3 event: the bucket of the function's one S3 trigger
    thumb = results["ThumbnailFunction"]
    get = next(r for r in thumb.needed if r.action == "s3:GetObject")
    assert (get.resource, get.note) == ("${UploadBucket.Arn}/*", "")
    assert get.reason == "sam_media/thumbnail/app.py:13 s3.HeadObject"


def test_logs_resource_names_the_function_log_group(results: dict[str, FunctionIam]) -> None:
    logs = {r.resource for r in results["createOrder"].needed if r.action.startswith("logs:")}
    assert logs == {"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
                    ":log-group:/aws/lambda/orders-dev-createOrder:*"}


def test_excess_and_missing(results: dict[str, FunctionIam]) -> None:
    worker = results["WorkerFunction"]
    assert {e.action for e in worker.diff.excess} == {
        "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction", "sts:GetCallerIdentify",
        "sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessageBatch"}
    assert {m.action for m in worker.diff.missing} == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                                       "dynamodb:DeleteItem"}
    report = results["ReportFunction"]
    assert [(m.action, m.resource) for m in report.diff.missing] == [("lambda:InvokeFunction", "${WorkerFunction.Arn}")]
    excess = {e.action for e in report.diff.excess}
    assert "s3:GetObject" in excess and "secretsmanager:GetSecretValue" not in excess
    assert not any(a.startswith("logs:") for a in excess)  # the basic execution role is needed
    thumb = results["ThumbnailFunction"]
    assert {e.action for e in thumb.diff.excess} == {
        "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
        "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan",
        "s3:DeleteObject", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:GetObjectVersion",
        "s3:ListBucket", "s3:PutLifecycleConfiguration", "s3:PutObjectAcl"}
    # S3CrudPolicy covers the media bucket, not the upload bucket the trigger delivers from
    assert [(m.action, m.resource) for m in thumb.diff.missing] == [("s3:GetObject", "${UploadBucket.Arn}/*")]
    # serverless grants the SQS poller and X-Ray itself: not missing
    assert [m.action for m in results["processQueue"].diff.missing] == ["ssm:GetParameter"]
    assert results["createOrder"].diff.missing == []


def _iam_findings() -> list[tuple[str, str, str | None]]:
    result = scan(FIXTURES, ScanOptions())
    return sorted((f.rule_id, str(f.location), f.function) for f in result.findings if f.rule_id.startswith("FG-IAM-1"))


def test_findings_with_rule_ids_and_lines() -> None:
    assert _iam_findings() == [
        ("FG-IAM-101", "sam_media/template.yaml:57", "WorkerFunction"),
        ("FG-IAM-102", "sam_media/template.yaml:82", "ReportFunction"),
        ("FG-IAM-102", "sls_orders/serverless.yml:17", "createOrder"),
        ("FG-IAM-103", "sam_media/template.yaml:22", "ThumbnailFunction"),  # S3CrudPolicy has s3:PutObjectAcl
        ("FG-IAM-103", "sls_orders/serverless.yml:17", "createOrder"),
        ("FG-IAM-104", "sam_media/template.yaml:57", "WorkerFunction"),
        ("FG-IAM-105", "sam_media/template.yaml:22", "ThumbnailFunction"),
        ("FG-IAM-105", "sam_media/template.yaml:54", "WorkerFunction"),
        ("FG-IAM-105", "sam_media/template.yaml:82", "ReportFunction"),
        ("FG-IAM-105", "sls_orders/serverless.yml:17", "createOrder"),
        ("FG-IAM-105", "sls_orders/serverless.yml:17", "listOrders"),
        ("FG-IAM-105", "sls_orders/serverless.yml:17", "processQueue"),
        ("FG-IAM-106", "sam_media/template.yaml:12", "ThumbnailFunction"),  # reads the upload bucket
        ("FG-IAM-106", "sam_media/template.yaml:45", "WorkerFunction"),
        ("FG-IAM-106", "sam_media/template.yaml:70", "ReportFunction"),
        ("FG-IAM-106", "sls_orders/serverless.yml:14", "processQueue"),
    ]


def test_finding_messages() -> None:
    result = scan(FIXTURES, ScanOptions())
    by = {(f.rule_id, f.function): f for f in result.findings}
    esc = by[("FG-IAM-101", "WorkerFunction")]
    assert esc.severity.value == "critical"
    assert "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction on *" in esc.message
    typo = by[("FG-IAM-104", "WorkerFunction")]
    assert "'sts:GetCallerIdentify' is not an IAM action; did you mean sts:GetCallerIdentity?" in typo.message
    excess = by[("FG-IAM-105", "createOrder")]
    assert excess.evidence["count"] == 278 and "dynamodb:DeleteTable" in excess.evidence["excess"]
    assert "the role is shared with listOrders, processQueue (272 of them are used by none of its functions)" \
        in excess.message
    unused = excess.evidence["unused_by_every_function"]
    assert "dynamodb:GetItem" not in unused and "sqs:SendMessage" not in unused and "dynamodb:DeleteTable" in unused
    missing = by[("FG-IAM-106", "ReportFunction")]
    assert missing.evidence["missing"] == [{"action": "lambda:InvokeFunction", "resource": "${WorkerFunction.Arn}",
                                            "reason": "sam_media/report/report/main.py:9 lambda.Invoke"}]


def test_scan_is_fast(tmp_path: Path) -> None:
    import time

    start = time.perf_counter()
    scan(FIXTURES, ScanOptions())
    assert time.perf_counter() - start < 20
