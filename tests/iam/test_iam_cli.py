"""``faasguard iam``: the formats, and the public json shape."""

from __future__ import annotations

import json

from iam_helpers import FIXTURES
from test_iam_fixtures import EXPECTED
from typer.testing import CliRunner

from faasguard.cli.app import build


def _run(*args: str) -> str:
    result = CliRunner().invoke(build(), ["iam", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_format_is_the_documented_public_shape() -> None:
    data = json.loads(_run(str(FIXTURES), "--format", "json"))
    entries = {e["function"]: e for e in data["functions"]}
    assert set(entries) == set(EXPECTED)
    report = entries["ReportFunction"]
    assert set(report) == {"application", "function", "role", "confidence", "notes", "needed", "granted", "excess",
                           "missing", "policy"}
    assert report["role"] == "SharedRole" and report["confidence"] == "high"
    assert {"action": "lambda:InvokeFunction", "resource": "${WorkerFunction.Arn}",
            "reason": "sam_media/report/report/main.py:9 lambda.Invoke"} in report["needed"]
    assert {"action": "logs:CreateLogGroup", "resource": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
            ":log-group:/aws/lambda/${AWS::StackName}-ReportFunction-*:*", "reason": "logs"} in report["needed"]
    assert report["missing"] == [{"action": "lambda:InvokeFunction", "resource": "${WorkerFunction.Arn}",
                                  "reason": "sam_media/report/report/main.py:9 lambda.Invoke"}]
    assert {"action": "secretsmanager:GetSecretValue", "resource": ["${ApiSecret}"], "source": "inline read-api-secret",
            "location": "sam_media/template.yaml:88", "effect": "Allow"} in report["granted"]
    assert report["policy"]["Version"] == "2012-10-17"
    assert {a for st in report["policy"]["Statement"] for a in st["Action"]} == EXPECTED["ReportFunction"]
    poll = entries["processQueue"]["needed"]
    assert {"action": "sqs:ReceiveMessage", "resource": "${InQueue.Arn}", "reason": "trigger sqs"} in poll


def test_serverless_format() -> None:
    out = _run(str(FIXTURES / "sls_orders"), "--format", "serverless", "--function", "listOrders")
    assert out == (
        "plugins:\n  - serverless-iam-roles-per-function\nfunctions:\n  listOrders:\n    iamRoleStatements:\n"
        "      - Effect: Allow\n        Action:\n          - dynamodb:GetItem\n        Resource:\n"
        "          - !Sub ${OrdersTable.Arn}\n"
        "      - Effect: Allow\n        Action:\n          - dynamodb:Query\n        Resource:\n"
        "          - !Sub ${OrdersTable.Arn}/index/*\n")


def test_serverless_v4_shape(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    shutil.copytree(FIXTURES / "sls_orders", tmp_path / "app")
    yml = tmp_path / "app" / "serverless.yml"
    yml.write_text(yml.read_text().replace("frameworkVersion: '3'", "frameworkVersion: '4'"))
    out = _run(str(tmp_path / "app"), "-f", "serverless", "--function", "listOrders")
    assert out.startswith("functions:\n  listOrders:\n    iam:\n      role:\n        statements:\n")


def test_sam_format_uses_exact_templates() -> None:
    out = _run(str(FIXTURES / "sam_media"), "--format", "sam", "--function", "ReportFunction")
    assert out == ("Resources:\n  ReportFunction:\n    Properties:\n      Policies:\n"
                   "        - AWSSecretsManagerGetSecretValuePolicy:\n            SecretArn: !Ref ApiSecret\n"
                   "        - LambdaInvokePolicy:\n            FunctionName: !Ref WorkerFunction\n")


def test_cloudformation_and_terraform_formats() -> None:
    cfn = json.loads(_run(str(FIXTURES / "sam_media"), "-f", "cloudformation-json", "--function", "ReportFunction"))
    role = cfn["Resources"]["ReportFunctionLeastPrivilegeRole"]
    assert role["Type"] == "AWS::IAM::Role"
    doc = role["Properties"]["Policies"][0]["PolicyDocument"]
    invoke = {"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
              "Resource": [{"Fn::Sub": "${WorkerFunction.Arn}"}]}
    assert invoke in doc["Statement"]
    tf = _run(str(FIXTURES / "sls_orders"), "-f", "terraform", "--function", "createOrder")
    assert 'data "aws_iam_policy_document" "create_order" {' in tf
    assert 'resources = ["${aws_dynamodb_table.orders_table.arn}"]' in tf
    assert 'resources = ["${aws_s3_bucket.receipts_bucket.arn}/*"]' in tf


def test_table_format_and_errors() -> None:
    out = _run(str(FIXTURES / "sam_media"), "--function", "WorkerFunction")
    assert out.startswith("sam_media / WorkerFunction  role=WorkerFunctionRole  confidence=high\n")
    assert "  excess (7): iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction" in out
    bad = CliRunner().invoke(build(), ["iam", str(FIXTURES), "--format", "yaml"])
    assert bad.exit_code == 2 and "unknown format" in bad.output
    missing = CliRunner().invoke(build(), ["iam", "/nonexistent/path"])
    assert missing.exit_code == 2
