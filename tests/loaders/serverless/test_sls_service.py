"""Functions, settings merge, environment lines, IAM roles and resources of the 'service' fixture."""

from __future__ import annotations

import pytest

from faasguard.model import PackageType, Trust, ValueKind


@pytest.fixture(scope="module")
def loaded():
    from sls_helpers import FIXTURES, load_project
    return load_project(FIXTURES / "service")


def line(loc):
    return (loc.file, loc.line)


def test_application(loaded):
    app, errors = loaded
    assert errors == []
    assert (app.name, app.source_kind, app.root, app.stage, app.region) == ("shop", "serverless", ".", "dev",
                                                                            "eu-west-1")
    assert app.files == ("serverless.yml", "config/env.yml", "iam/statements.yml", "resources/queue.yml")
    assert [f.id for f in app.functions] == ["api", "worker", "image", "perfn", "ownrole", "external"]


def test_function_settings_override_provider(loaded):
    app, _ = loaded
    api = app.function("api")
    assert (api.name, api.runtime, api.timeout, api.memory, api.architectures) == (
        "shop-dev-api", "python3.12", 29, 2048, ("arm64",))
    assert (api.handler, api.code_path, api.reserved_concurrency, api.tracing) == (
        "handler.main", "src/api", 5, "PassThrough")
    assert api.source_kind == "serverless" and api.location.line == 40
    assert {k: api.loc(k).line for k in ("runtime", "timeout", "memory", "tracing", "vpc", "layers", "kms_key",
                                          "reserved_concurrency", "handler", "url", "on_failure")} == {
        "runtime": 6, "timeout": 43, "memory": 44, "tracing": 46, "vpc": 16, "layers": 19, "kms_key": 13,
        "reserved_concurrency": 45, "handler": 41, "url": 50, "on_failure": 56}
    assert api.on_failure.text() == "arn:aws:sqs:eu-west-1:123456789012:failures"
    assert [v.text() for v in api.vpc.subnet_ids] == ["subnet-1", "subnet-2"]
    assert [v.text() for v in api.layers] == ["arn:aws:lambda:eu-west-1:123456789012:layer:common:1"]
    assert api.kms_key.text() == "arn:aws:kms:eu-west-1:123456789012:key/provider"
    # resources.Resources.ApiLogGroup without a Type overrides the generated log group
    assert (api.log_group_id, api.log_retention_days, api.loc("log_retention_days").line) == ("ApiLogGroup", 3, 113)
    assert api.url is not None and api.url.auth_type == "AWS_IAM"
    assert api.url.cors.allow_origins == ("https://shop.example",) and api.url.cors.allow_credentials is True


def test_function_environment_merges_key_by_key_with_lines(loaded):
    app, _ = loaded
    api = app.function("api")
    assert {k: (v.kind, str(v)) for k, v in api.environment.items()} == {
        "STAGE": (ValueKind.LITERAL, "dev"), "TABLE": (ValueKind.LITERAL, "override-table"),
        "API_KEY": (ValueKind.SSM, "${ssm:/shop/api-key}"), "SHARED": (ValueKind.LITERAL, "from-env-file"),
        "LOCAL": (ValueKind.LITERAL, "local-value")}
    assert {k: line(api.loc(f"environment.{k}")) for k in api.environment} == {
        "STAGE": ("serverless.yml", 22), "TABLE": ("serverless.yml", 48), "API_KEY": ("serverless.yml", 24),
        "SHARED": ("serverless.yml", 25), "LOCAL": ("serverless.yml", 49)}
    assert api.environment["SHARED"].location.file == "config/env.yml"
    worker = app.function("worker")
    assert worker.environment["DB_PASSWORD"].text() == "hunter2"
    assert line(worker.loc("environment.DB_PASSWORD")) == ("config/env.yml", 4)
    assert line(worker.loc("environment.TABLE")) == ("serverless.yml", 23)


def test_second_function_settings(loaded):
    app, _ = loaded
    worker = app.function("worker")
    assert (worker.name, worker.runtime, worker.timeout, worker.memory, worker.tracing) == (
        "custom-worker-name", "nodejs20.x", 10, 512, "Active")
    assert worker.loc("tracing").line == 15  # provider.tracing.lambda
    assert worker.dead_letter.text() == "arn:aws:sns:eu-west-1:123456789012:dlq"
    assert worker.loc("dead_letter").line == 63
    assert [v.text() for v in worker.vpc.security_group_ids] == ["sg-own"] and worker.loc("vpc").line == 64
    assert worker.layers == () and worker.loc("layers").line == 67
    assert (worker.log_retention_days, worker.loc("log_retention_days").line) == (90, 68)
    assert worker.kms_key.kind is ValueKind.SSM
    # resources.extensions.WorkerLambdaFunction
    assert (worker.reserved_concurrency, worker.loc("reserved_concurrency").line) == (2, 118)
    assert worker.url is not None and worker.url.auth_type == "NONE" and worker.is_public


def test_image_function(loaded):
    app, _ = loaded
    image = app.function("image")
    assert (image.package_type, image.runtime, image.handler, image.code_path) == (
        PackageType.IMAGE, None, None, "build/image.zip")


def test_provider_role_shared_by_functions_without_their_own(loaded):
    app, _ = loaded
    role = app.role("IamRoleLambdaExecution")
    assert role is not None and not role.external
    assert role.functions == ("api", "worker", "image")
    assert role.location.line == 27 and role.name == "shop-dev-eu-west-1-lambdaRole"
    first, second = role.statements
    assert (first.effect, first.actions, line(first.location)) == (
        "Allow", ("dynamodb:GetItem", "dynamodb:PutItem"), ("serverless.yml", 29))
    assert first.resources[0].kind is ValueKind.RESOURCE_ATTRIBUTE
    assert (first.resources[0].ref, first.resources[0].attribute) == ("OrdersTable", "Arn")
    assert (second.actions, line(second.location)) == (("s3:GetObject",), ("iam/statements.yml", 2))
    assert second.resource_texts == ("arn:aws:s3:::shop-dev-uploads/*",)
    assert [(m.name, m.aws_managed, m.location.line) for m in role.managed_policies] == [
        ("arn:aws:iam::aws:policy/AmazonS3FullAccess", True, 36), ("CustomPolicy", False, 37)]
    assert role.permissions_boundary.text() == "arn:aws:iam::123456789012:policy/boundary"


def test_other_roles(loaded):
    app, _ = loaded
    per_fn = app.role("PerfnIamRoleLambdaExecution")
    assert per_fn.functions == ("perfn",) and per_fn.name == "shop-perfn-role"
    assert [(s.actions, s.on_any_resource, s.location.line) for s in per_fn.statements] == [
        (("sqs:SendMessage",), True, 80)]
    own = app.role("OwnRole")
    assert own is not None and own.functions == ("ownrole",) and not own.external
    assert own.location.line == 103
    external = app.role("arn:aws:iam::123456789012:role/legacy")
    assert external is not None and external.external and external.functions == ("external",)
    assert external.name == "legacy"
    assert {f.id: f.loc("role_id").line for f in app.functions} == {
        "api": 27, "worker": 27, "image": 27, "perfn": 79, "ownrole": 85, "external": 88}
    assert {f.id: f.role_id for f in app.functions} == {
        "api": "IamRoleLambdaExecution", "worker": "IamRoleLambdaExecution", "image": "IamRoleLambdaExecution",
        "perfn": "PerfnIamRoleLambdaExecution", "ownrole": "OwnRole",
        "external": "arn:aws:iam::123456789012:role/legacy"}


def test_resources_from_list_and_included_file(loaded):
    app, _ = loaded
    queue = app.resource("JobsQueue")
    assert queue is not None and line(queue.location) == ("resources/queue.yml", 2)
    assert app.resource("OrdersTable").location.line == 91
    (suppression,) = app.suppressions
    assert (suppression.rule_id, suppression.scope, suppression.reason) == ("FG-DATA-001", "JobsQueue", "test queue")
    assert suppression.location.file == "resources/queue.yml"


def test_public_rest_route(loaded):
    app, _ = loaded
    trigger, url = app.function("api").triggers
    assert (trigger.route, trigger.trust, trigger.location.line) == ("GET /orders", Trust.PUBLIC, 58)
    # `url: {authorizer: aws_iam}` is a trigger too, guarded by IAM
    assert (url.kind.value, url.trust, url.properties["auth_type"]) == ("function_url", Trust.AUTHENTICATED, "AWS_IAM")


def test_stage_option(fixture_app):
    app, _ = fixture_app("service", stage="prod")
    api = app.function("api")
    assert app.stage == "prod" and api.name == "shop-prod-api" and api.environment["STAGE"].text() == "prod"
    stmt = app.role("IamRoleLambdaExecution").statements[1]
    assert stmt.resource_texts == ("arn:aws:s3:::shop-prod-uploads/*",)
