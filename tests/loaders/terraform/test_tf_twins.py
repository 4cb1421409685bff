"""The Terraform fixture app (a local module, the terraform-aws-modules/lambda registry module,
archive_file code, jsonencode and policy-document IAM) gives the findings its serverless.yml twin
gives, on the Terraform lines, including code taint and IAM least privilege."""

from __future__ import annotations

from pathlib import Path

from tf_expect import expected, found, rule_ids

from faasguard.scan import scan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "terraform"
APP = FIXTURES / "app"
TWIN = FIXTURES / "twin-serverless"
RULES = ("FG-FN-001", "FG-FN-003", "FG-SEC-001", "FG-API-001", "FG-DATA-008", "FG-IAM-002", "FG-IAM-102",
         "FG-IAM-103", "FG-IAM-105", "FG-CODE-001", "FG-PATH-001")


def test_terraform_app_findings_by_rule_and_line() -> None:
    result = scan(APP)
    assert result.errors == []
    assert found(result, RULES) == expected(APP, RULES)


def test_terraform_app_model() -> None:
    result = scan(APP)
    [app] = result.applications
    assert (app.source_kind, app.name) == ("terraform", "app")
    assert sorted(app.files) == ["main.tf", "modules/queue/main.tf", "worker.tf"]
    fns = {f.id: f for f in app.functions}
    assert sorted(fns) == ["aws_lambda_function.api", "module.worker"]
    api, worker = fns["aws_lambda_function.api"], fns["module.worker"]
    assert (api.name, api.code_path, api.handler, api.role_id) == ("shop-dev-api", "src/api", "app.handler",
                                                                   "aws_iam_role.api")
    assert (worker.name, worker.code_path, worker.runtime, worker.log_retention_days) == (
        "shop-dev-worker", "src/worker", "python3.12", 14)
    assert api.log_group_id == "aws_cloudwatch_log_group.api" and api.log_retention_days == 14
    table = api.environment["TABLE"]
    assert (table.kind.value, table.ref, table.raw) == ("resource_attribute", "aws_dynamodb_table.items",
                                                        "${aws_dynamodb_table.items}")
    [route] = api.triggers
    assert (route.kind.value, route.trust.value, route.route, route.location.line) == (
        "http_api", "public", "GET /items/{id}", 84)
    [sqs] = worker.triggers
    assert (sqs.kind.value, sqs.source_id, sqs.batch_size, sqs.location.file, sqs.location.line) == (
        "sqs", "module.queue.aws_sqs_queue.this", 10, "worker.tf", 34)
    [perm] = app.permissions
    assert (perm.function_id, perm.principal, perm.location.line) == ("aws_lambda_function.api",
                                                                      "apigateway.amazonaws.com", 94)
    role = app.role("module.worker.aws_iam_role.lambda")
    assert role is not None and role.functions == ("module.worker",)
    assert [(s.sid, s.actions, s.location.line) for s in role.statements if s.policy_name != "logs"] == [
        ("s3", ("s3:*",), 21),
        ("queue", ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"), 26)]


def test_terraform_and_serverless_twins_find_the_same_kinds_of_problems() -> None:
    tf, sls = scan(APP), scan(TWIN)
    assert tf.errors == [] and sls.errors == []
    # Serverless shares one role between the functions (FG-IAM-005) and grants CloudWatch Logs
    # itself; the Terraform role of the api function has no logs permission (FG-IAM-106).
    assert rule_ids(tf) - {"FG-IAM-106"} == rule_ids(sls) - {"FG-IAM-005"}
    assert "FG-IAM-106" in rule_ids(tf) and "FG-IAM-005" in rule_ids(sls)
