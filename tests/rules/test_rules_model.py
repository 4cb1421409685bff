"""Unit tests of the configuration rules on hand-built models, for the logic that is subtle."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from rule_models import FILE, api, app, fn, loc, ref, res, role, stmt, trigger

from faasguard.analyzers import registry
from faasguard.analyzers.rules._common import is_sensitive_name
from faasguard.analyzers.rules.function.deprecated_runtime import DeprecatedRuntime
from faasguard.analyzers.rules.iam import _actions
from faasguard.model import (
    ApiKind,
    Authorizer,
    AuthorizerKind,
    Cors,
    FunctionUrl,
    ManagedPolicyRef,
    PackageType,
    Permission,
    PolicyTemplateRef,
    ResourceKind,
    Severity,
    Throttling,
    TriggerKind,
    Trust,
    Value,
    ValueKind,
    VpcConfig,
)


def run(rule_id: str, application):  # type: ignore[no-untyped-def]
    rule = next(r for r in registry.rules() if r.id == rule_id)
    return list(rule.check(application))


def lines(findings) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    return sorted((f.rule_id, f.location.line, f.severity.value) for f in findings)


def test_at_least_40_rules_with_complete_metadata() -> None:
    rules = [r for r in registry.rules()
             if r.id.startswith(("FG-FN-0", "FG-API-0", "FG-IAM-0", "FG-DATA-0", "FG-LOG-0"))]
    assert len(rules) >= 40
    for r in rules:
        assert r.title and r.category and r.remediation, r.id
        assert (r.__doc__ or "").strip(), r.id
        assert any(ref.startswith(("CSA-SAS-", "OWASP-SLS-")) for ref in r.references), r.id
        assert all(c.startswith("CWE-") for c in r.cwe), r.id


# ------------------------------------------------------------------ runtime


@pytest.mark.parametrize(("runtime", "today", "expected"), [
    ("python3.8", date(2026, 11, 23), Severity.MEDIUM),   # deprecated 2024-10-14, updates blocked 2027-03-03
    ("python3.8", date(2027, 3, 3), Severity.HIGH),       # update block reached
    ("nodejs22.x", date(2026, 6, 1), None),               # deprecated 2027-04-30: more than 180 days away
    ("nodejs22.x", date(2027, 1, 1), Severity.LOW),       # within the 180-day window
    ("python3.13", date(2026, 11, 23), None),
    ("unknown-runtime", date(2026, 11, 23), None),
])
def test_deprecated_runtime_is_graded_by_date(runtime: str, today: date, expected: Severity | None) -> None:
    f = fn(runtime=runtime, locations={"runtime": loc(12)})
    found = list(DeprecatedRuntime(today=today).check(app(functions=(f,))))
    if expected is None:
        assert found == []
    else:
        assert [(x.location.line, x.severity) for x in found] == [(12, expected)]
        assert runtime in found[0].message


def test_deprecated_runtime_skips_container_images() -> None:
    f = fn(runtime="python2.7", package_type=PackageType.IMAGE)
    assert list(DeprecatedRuntime(today=date(2026, 11, 23)).check(app(functions=(f,)))) == []


def test_runtime_not_set_points_at_the_function() -> None:
    found = run("FG-FN-002", app(functions=(
        fn(line=7), fn("Img", package_type=PackageType.IMAGE),
        fn("Ok", runtime="python3.12", locations={"runtime": loc(3)}),
        fn("Defaulted", line=9, runtime="nodejs14.x"))))
    assert lines(found) == [("FG-FN-002", 7, "low"), ("FG-FN-002", 9, "low")]
    assert "framework default nodejs14.x" in found[1].message


# ------------------------------------------------------------------ timeout


@pytest.mark.parametrize(("timeout", "kinds", "expected"), [
    (901, (), "medium"),
    (900, (TriggerKind.SQS,), None),
    (301, (TriggerKind.FUNCTION_URL,), "medium"),
    (300, (TriggerKind.FUNCTION_URL,), None),
    (30, (TriggerKind.HTTP_API,), "low"),
    (29, (TriggerKind.REST_API,), None),
    (120, (TriggerKind.ALB,), None),
])
def test_timeout_thresholds(timeout: int, kinds: tuple[TriggerKind, ...], expected: str | None) -> None:
    f = fn(timeout=timeout, triggers=tuple(trigger(k) for k in kinds), locations={"timeout": loc(15)})
    found = run("FG-FN-003", app(functions=(f,)))
    assert [x.severity.value for x in found] == ([expected] if expected else [])
    assert all(x.location.line == 15 for x in found)


# ------------------------------------------------------------------ env, vpc, layers


@pytest.mark.parametrize(("name", "sensitive"), [
    ("DB_PASSWORD", True), ("STRIPE_API_KEY", True), ("JWT_SECRET", True), ("GITHUB_TOKEN", True),
    ("SECRET_ARN", False), ("TOKEN_TABLE", False), ("API_KEY_PARAMETER", False), ("TABLE_NAME", False),
    ("LOG_LEVEL", False), ("PASSWORD_MIN_LENGTH", False),
])
def test_sensitive_names(name: str, sensitive: bool) -> None:
    assert is_sensitive_name(name) is sensitive


def test_env_kms_fires_only_without_a_key() -> None:
    env = {"DB_PASSWORD": Value(ValueKind.SSM, ref="/db/pass"), "STAGE": Value.of("dev")}
    bad = fn("Bad", environment=env)
    good = fn("Good", environment=env, kms_key=Value.of("arn:aws:kms:us-east-1:111122223333:key/x"))
    found = run("FG-FN-006", app(functions=(bad, good)))
    assert [(x.function, x.location.line) for x in found] == [("Bad", 10)]
    assert "DB_PASSWORD" in found[0].message and "STAGE" not in found[0].message


def test_vpc_rule_uses_env_names_resources_and_actions() -> None:
    db = res("Db", ResourceKind.OTHER, type="AWS::RDS::DBInstance")
    by_env = fn("ByEnv", environment={"DB_HOST": Value.of("db.internal")})
    by_ref = fn("ByRef", environment={"ENDPOINT": ref("Db", "Endpoint.Address")})
    by_iam = fn("ByIam", role_id="R")
    in_vpc = fn("InVpc", environment={"DB_HOST": Value.of("x")},
                vpc=VpcConfig(subnet_ids=(Value.of("subnet-1"),)))
    plain = fn("Plain", environment={"TABLE_NAME": Value.of("t")})
    r = role("R", statements=(stmt(("rds-db:connect",)),), functions=("ByIam",))
    found = run("FG-FN-007", app(functions=(by_env, by_ref, by_iam, in_vpc, plain), roles=(r,), resources=(db,)))
    assert sorted(x.function for x in found) == ["ByEnv", "ByIam", "ByRef"]
    assert all(x.severity is Severity.INFO for x in found)


def test_foreign_layer_needs_a_known_own_account() -> None:
    layer = Value.of("arn:aws:lambda:us-east-1:999999999999:layer:x:3", loc(18))
    aws_layer = Value.of("arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:7", loc(19))
    f = fn(layers=(layer, aws_layer))
    # Own account unknown: nothing to compare with.
    assert run("FG-FN-010", app(functions=(f,))) == []
    f2 = fn(layers=(layer, aws_layer), dead_letter=Value.of("arn:aws:sqs:us-east-1:111122223333:dlq"))
    found = run("FG-FN-010", app(functions=(f2,)))
    assert [(x.location.line, x.severity) for x in found] == [(18, Severity.MEDIUM)]
    own = Value.of("arn:aws:lambda:us-east-1:111122223333:layer:mine:1", loc(18))
    assert run("FG-FN-010", app(functions=(fn(layers=(own,), dead_letter=f2.dead_letter),))) == []


def test_async_dlq_and_stream_on_failure() -> None:
    s3 = fn("S3", triggers=(trigger(TriggerKind.S3),))
    s3_ok = fn("S3Ok", triggers=(trigger(TriggerKind.S3),), on_failure=Value.of("arn:aws:sqs:r:1:q"))
    sqs = fn("Sqs", triggers=(trigger(TriggerKind.SQS),))
    stream = fn("Stream", triggers=(trigger(TriggerKind.KINESIS, line=33),))
    stream_ok = fn("StreamOk", triggers=(trigger(TriggerKind.DYNAMODB_STREAM, on_failure=Value.of("arn")),))
    a = app(functions=(s3, s3_ok, sqs, stream, stream_ok))
    assert [x.function for x in run("FG-FN-005", a)] == ["S3"]
    assert [(x.function, x.location.line) for x in run("FG-FN-008", a)] == [("Stream", 33)]


def test_sqs_concurrency_and_public_concurrency() -> None:
    low = fn("Low", reserved_concurrency=2, triggers=(trigger(TriggerKind.SQS),))
    off = fn("Off", reserved_concurrency=0, triggers=(trigger(TriggerKind.SQS),))
    pub = fn("Pub", triggers=(trigger(TriggerKind.HTTP_API),))
    capped = fn("Capped", reserved_concurrency=10, triggers=(trigger(TriggerKind.HTTP_API),))
    a = app(functions=(low, off, pub, capped))
    assert [x.function for x in run("FG-FN-011", a)] == ["Low"]
    assert [x.function for x in run("FG-FN-004", a)] == ["Pub"]


def test_code_signing_severity_follows_exposure() -> None:
    pub = fn("Pub", triggers=(trigger(TriggerKind.FUNCTION_URL),))
    internal = fn("Int", triggers=(trigger(TriggerKind.SQS),))
    signed = fn("Signed", code_signing=Value.of("arn:csc"))
    found = {x.function: x.severity for x in run("FG-FN-009", app(functions=(pub, internal, signed)))}
    assert found == {"Pub": Severity.LOW, "Int": Severity.INFO}


# ------------------------------------------------------------------ API


def test_route_authorizer_per_route() -> None:
    public = trigger(TriggerKind.HTTP_API, line=21, method="GET", path="/orders")
    authed = trigger(TriggerKind.HTTP_API, line=22, method="POST", path="/orders", trust=Trust.AUTHENTICATED,
                     authorizer=Authorizer(AuthorizerKind.JWT))
    preflight = trigger(TriggerKind.REST_API, line=23, method="OPTIONS", path="/orders")
    ws_msg = trigger(TriggerKind.WEBSOCKET, line=24, path="sendMessage")
    ws_connect = trigger(TriggerKind.WEBSOCKET, line=25, path="$connect")
    f = fn("Orders", triggers=(public, authed, preflight, ws_msg, ws_connect))
    found = run("FG-API-001", app(functions=(f,)))
    assert [(x.location.line, x.message.split(":")[0]) for x in found] == [(21, "GET /orders"),
                                                                           (25, "WebSocket $connect")]


def test_request_validation_only_for_public_rest_bodies() -> None:
    post = trigger(TriggerKind.REST_API, line=21, method="post", path="/a", api_id="Api")
    get = trigger(TriggerKind.REST_API, line=22, method="get", path="/a", api_id="Api")
    validated = trigger(TriggerKind.REST_API, line=23, method="put", path="/a", api_id="Api", request_validation=True)
    http = trigger(TriggerKind.HTTP_API, line=24, method="post", path="/b")
    f = fn(triggers=(post, get, validated, http))
    assert [x.location.line for x in run("FG-API-003", app(functions=(f,), apis=(api(),)))] == [21]
    assert run("FG-API-003", app(functions=(f,), apis=(api(request_validation=True),))) == []


def test_throttling_and_waf_severity_follow_public_routes() -> None:
    pub = fn("Pub", triggers=(trigger(TriggerKind.REST_API, api_id="Api"),))
    authed = fn("Auth", triggers=(trigger(TriggerKind.REST_API, api_id="Api2", trust=Trust.AUTHENTICATED,
                                          authorizer=Authorizer(AuthorizerKind.IAM)),))
    apis = (api("Api", line=60), api("Api2", line=70), api("Api3", line=80, throttling=Throttling(rate_limit=10)),
            api("Api4", line=90, endpoint_type="PRIVATE", waf=None, usage_plan=True),
            api("Api5", line=95, kind=ApiKind.HTTP, waf=None))
    a = app(functions=(pub, authed), apis=apis)
    assert lines(run("FG-API-004", a)) == [("FG-API-004", 60, "medium"), ("FG-API-004", 70, "low"),
                                          ("FG-API-004", 95, "low")]
    assert lines(run("FG-API-005", a)) == [("FG-API-005", 60, "medium"), ("FG-API-005", 70, "low"),
                                          ("FG-API-005", 80, "low")]


def test_cors_credentials_is_high_and_shared_block_reported_once() -> None:
    shared = Cors(allow_origins=("'*'",), location=loc(5))
    creds = Cors(allow_origins=("*",), allow_credentials=True, location=loc(6))
    narrow = Cors(allow_origins=("https://app.example.com",), allow_credentials=True, location=loc(7))
    f = fn(triggers=(trigger(TriggerKind.HTTP_API, cors=shared), trigger(TriggerKind.HTTP_API, cors=shared)),
           url=FunctionUrl("AWS_IAM", loc(8), cors=creds))
    g = fn("G", triggers=(trigger(TriggerKind.HTTP_API, cors=narrow),))
    assert lines(run("FG-API-006", app(functions=(f, g)))) == [("FG-API-006", 5, "low"), ("FG-API-006", 6, "high")]


def test_permission_rules() -> None:
    url_fn = fn("Url", url=FunctionUrl("NONE", loc(9)))
    perms = (
        Permission("Fn", "*", loc(70)),
        Permission("Fn", "*", loc(71), source_account=Value.of("111122223333")),
        Permission("Url", "*", loc(72), action="lambda:InvokeFunctionUrl", function_url_auth_type="NONE"),
        Permission("Fn", "s3.amazonaws.com", loc(73)),
        Permission("Fn", "sns.amazonaws.com", loc(74), source_arn=Value.of("arn:aws:sns:r:1:t")),
        Permission("Fn", "123456789012", loc(75)),
    )
    a = app(functions=(fn(), url_fn), permissions=perms)
    assert [x.location.line for x in run("FG-API-007", a)] == [70]
    assert [x.location.line for x in run("FG-API-008", a)] == [73]
    assert [x.location.line for x in run("FG-API-002", a)] == [9]


def test_api_key_only() -> None:
    key_only = trigger(TriggerKind.REST_API, line=21, api_key_required=True, trust=Trust.AUTHENTICATED)
    key_and_auth = trigger(TriggerKind.REST_API, line=22, api_key_required=True, trust=Trust.AUTHENTICATED,
                           authorizer=Authorizer(AuthorizerKind.COGNITO))
    assert [x.location.line for x in run("FG-API-009", app(functions=(fn(triggers=(key_only, key_and_auth)),)))] == [21]


# ------------------------------------------------------------------ IAM


@pytest.mark.parametrize(("action", "write", "perm_mgmt", "star_only", "secret"), [
    ("s3:PutObject", True, False, False, False),
    ("s3:Put*", True, False, False, False),
    ("dynamodb:*Item", True, False, False, False),
    ("s3:GetObject", False, False, False, False),
    ("iam:PassRole", True, True, False, False),
    ("iam:CreateRole", True, True, False, False),
    ("iam:GetRole", False, False, False, False),
    ("lambda:AddPermission", True, True, False, False),
    ("xray:PutTraceSegments", True, False, True, False),
    ("logs:PutLogEvents", True, False, True, False),
    ("dynamodb:BatchWriteItem", True, False, False, False),
    ("dynamodb:BatchGetItem", False, False, False, False),
    ("ecr:BatchCheckLayerAvailability", False, False, False, False),
    ("secretsmanager:GetSecretValue", False, False, False, True),
    ("ssm:GetParameter*", False, False, False, True),
    ("kms:Decrypt", False, False, False, True),
    ("kms:*", True, False, False, False),
    ("organizations:LeaveOrganization", True, True, False, False),
])
def test_action_classification(action: str, write: bool, perm_mgmt: bool, star_only: bool, secret: bool) -> None:
    assert _actions.is_write(action) is write
    assert _actions.is_permission_management(action) is perm_mgmt
    assert _actions.needs_star(action) is star_only
    assert _actions.reads_secrets(action) is secret


def test_iam_statement_rules() -> None:
    r = role("R", functions=("Fn",), statements=(
        stmt(("*",), line=31),
        stmt(("*",), resources=("arn:aws:s3:::b/*",), line=32),
        stmt(("s3:*", "logs:*"), line=33),
        stmt(("iam:*",), resources=("arn:aws:iam::1:role/x",), line=34),
        stmt(("s3:PutObject", "s3:GetObject", "xray:PutTraceSegments"), line=35),
        stmt(("iam:PassRole",), line=36),
        stmt(("xray:PutTraceSegments", "cloudwatch:PutMetricData"), line=37),
        stmt(("s3:*",), line=38, effect="Deny"),
        stmt((), line=39, not_actions=("iam:*",)),
        stmt(("s3:GetObject",), resources=(), line=40, not_resources=(Value.of("arn:aws:s3:::secret/*"),)),
        stmt(("secretsmanager:GetSecretValue", "s3:GetObject"), line=41),
    ))
    a = app(functions=(fn(role_id="R"),), roles=(r,))
    assert lines(run("FG-IAM-001", a)) == [("FG-IAM-001", 31, "critical"), ("FG-IAM-001", 32, "high")]
    assert lines(run("FG-IAM-002", a)) == [("FG-IAM-002", 33, "medium"), ("FG-IAM-002", 34, "high")]
    assert lines(run("FG-IAM-003", a)) == [("FG-IAM-003", 35, "medium"), ("FG-IAM-003", 36, "high")]
    assert lines(run("FG-IAM-004", a)) == [("FG-IAM-004", 39, "high"), ("FG-IAM-004", 40, "medium")]
    assert lines(run("FG-IAM-010", a)) == [("FG-IAM-010", 41, "medium")]
    assert {x.function for x in run("FG-IAM-001", a)} == {"Fn"}
    # The role can change IAM and has no boundary.
    assert lines(run("FG-IAM-008", a)) == [("FG-IAM-008", 40, "low")]
    bounded = role("R", functions=("Fn",), statements=r.statements, permissions_boundary=Value.of("arn:b"))
    assert run("FG-IAM-008", app(functions=(fn(role_id="R"),), roles=(bounded,))) == []


def test_shared_role_and_external_role() -> None:
    shared = role("Shared", line=41)
    ext = role("Ext", line=42, external=True, arn=Value.of("arn:aws:iam::111122223333:role/x"))
    a = app(functions=(fn("A", role_id="Shared"), fn("B", role_id="Shared",
                                                     triggers=(trigger(TriggerKind.FUNCTION_URL),)),
                       fn("C", role_id="Ext")), roles=(shared, ext))
    assert lines(run("FG-IAM-005", a)) == [("FG-IAM-005", 41, "medium")]
    assert [(x.function, x.location.line, x.severity) for x in run("FG-IAM-009", a)] == [("C", 42, Severity.INFO)]


def test_managed_policies_and_policy_templates() -> None:
    r = role("R", functions=("Fn",), managed_policies=(
        ManagedPolicyRef("AdministratorAccess", loc(51)),
        ManagedPolicyRef("arn:aws:iam::aws:policy/AmazonS3FullAccess", loc(52)),
        ManagedPolicyRef("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", loc(53)),
        ManagedPolicyRef("MyFullAccess", loc(54), aws_managed=False),
    ), policy_templates=(
        PolicyTemplateRef("S3CrudPolicy", {"BucketName": Value.of("*")}, loc(55)),
        PolicyTemplateRef("DynamoDBCrudPolicy", {"TableName": ref("Table")}, loc(56)),
    ))
    a = app(functions=(fn(role_id="R"),), roles=(r,))
    assert lines(run("FG-IAM-006", a)) == [("FG-IAM-006", 51, "critical"), ("FG-IAM-006", 52, "high")]
    assert lines(run("FG-IAM-007", a)) == [("FG-IAM-007", 55, "high")]


# ------------------------------------------------------------------ data stores


def test_bucket_rules_only_for_trigger_buckets_and_once_per_bucket() -> None:
    pub = res("Pub", ResourceKind.BUCKET, line=61, public=True, locations={"public": loc(62)})
    open_ = res("Open", ResourceKind.BUCKET, line=63)
    safe = res("Safe", ResourceKind.BUCKET, line=64, public=False, public_access_blocked=True, encrypted=True)
    unused = res("Unused", ResourceKind.BUCKET, line=65)
    fns = (fn("A", triggers=(trigger(TriggerKind.S3, source_id="Pub"), trigger(TriggerKind.S3, source_id="Open"))),
           fn("B", triggers=(trigger(TriggerKind.S3, source_id="Open"), trigger(TriggerKind.S3, source_id="Safe"))))
    a = app(functions=fns, resources=(pub, open_, safe, unused))
    assert [(x.location.line, x.function) for x in run("FG-DATA-001", a)] == [(62, "A")]
    assert [(x.location.line, x.function) for x in run("FG-DATA-002", a)] == [(63, None)]
    assert sorted(x.location.line for x in run("FG-DATA-003", a)) == [61, 63]


def test_encryption_rules_use_triggers_env_and_statements() -> None:
    topic = res("Topic", ResourceKind.TOPIC, line=71)
    queue_off = res("QOff", ResourceKind.QUEUE, line=72, encrypted=False)
    queue_default = res("QDef", ResourceKind.QUEUE, line=73)
    table = res("Table", ResourceKind.TABLE, line=74)
    stream = res("Stream", ResourceKind.STREAM, line=75, encrypted=True)
    unused_topic = res("Other", ResourceKind.TOPIC, line=76)
    r = role("R", functions=("Fn",), statements=(
        replace(stmt(("dynamodb:GetItem",)), resources=(ref("Table", "Arn"),)),))
    f = fn(role_id="R", environment={"TOPIC": ref("Topic")},
           triggers=(trigger(TriggerKind.SQS, source_id="QOff"), trigger(TriggerKind.SQS, source_id="QDef"),
                     trigger(TriggerKind.KINESIS, source_id="Stream")))
    a = app(functions=(f,), roles=(r,), resources=(topic, queue_off, queue_default, table, stream, unused_topic))
    assert [x.location.line for x in run("FG-DATA-004", a)] == [71]
    assert [x.location.line for x in run("FG-DATA-005", a)] == [72]
    assert [x.location.line for x in run("FG-DATA-006", a)] == [74]
    assert run("FG-DATA-007", a) == []


def test_redrive_rules() -> None:
    q = res("Q", ResourceKind.QUEUE, line=81)
    q_ok = res("QOk", ResourceKind.QUEUE, line=82, dead_letter=True)
    sns_bad = trigger(TriggerKind.SNS, line=83, source_id="T")
    sns_ok = trigger(TriggerKind.SNS, line=84, source_id="T2",
                     properties={"RedrivePolicy": {"deadLetterTargetArn": "x"}})
    eb_bad = trigger(TriggerKind.EVENTBRIDGE, line=85)
    eb_ok = trigger(TriggerKind.EVENTBRIDGE, line=86, properties={"deadLetterQueueArn": "arn:aws:sqs:r:1:q"})
    f = fn(triggers=(trigger(TriggerKind.SQS, source_id="Q"), trigger(TriggerKind.SQS, source_id="QOk"),
                     sns_bad, sns_ok, eb_bad, eb_ok))
    a = app(functions=(f,), resources=(q, q_ok))
    assert [x.location.line for x in run("FG-DATA-008", a)] == [81]
    assert [x.location.line for x in run("FG-DATA-009", a)] == [83]
    assert [x.location.line for x in run("FG-DATA-010", a)] == [85]


def test_public_queue_feeding_function() -> None:
    q = res("Q", ResourceKind.QUEUE, line=91, public=True)
    t = res("T", ResourceKind.TOPIC, line=92, public=False)
    f = fn(triggers=(trigger(TriggerKind.SQS, source_id="Q"), trigger(TriggerKind.SNS, source_id="T")))
    assert [x.location.line for x in run("FG-DATA-011", app(functions=(f,), resources=(q, t)))] == [91]


# ------------------------------------------------------------------ logging


def test_log_retention_uses_the_log_group_resource() -> None:
    group = res("Logs", ResourceKind.LOG_GROUP, line=101)
    kept = res("Kept", ResourceKind.LOG_GROUP, line=102, retention_days=30)
    a = app(functions=(fn("A", log_group_id="Logs"), fn("B", log_group_id="Kept"), fn("C", line=12),
                       fn("D", log_retention_days=14)), resources=(group, kept))
    assert [(x.function, x.location.line) for x in run("FG-LOG-001", a)] == [("A", 101), ("C", 12)]


def test_api_logging_and_tracing_by_api_kind() -> None:
    apis = (api("Rest", line=111), api("Http", ApiKind.HTTP, line=112),
            api("Ws", ApiKind.WEBSOCKET, line=113),
            api("Done", line=114, access_logging=True, execution_logging=True, tracing=True))
    a = app(apis=apis)
    assert [x.location.line for x in run("FG-LOG-002", a)] == [111, 112, 113]
    assert [x.location.line for x in run("FG-LOG-003", a)] == [111, 113]
    assert [x.location.line for x in run("FG-LOG-004", a)] == [111]


def test_function_tracing() -> None:
    a = app(functions=(fn("A", tracing="Active"), fn("B", tracing="PassThrough"), fn("C")))
    found = run("FG-LOG-005", a)
    assert [(x.function, x.location.file) for x in found] == [("B", FILE), ("C", FILE)]


# ------------------------------------------------------------------ scale


def test_rules_stay_linear_on_large_apps() -> None:
    """3,000 functions with their own roles, queues and tables: every rule must finish quickly
    (a per-resource scan over all functions and roles took minutes before the index)."""
    import time

    n = 3000
    functions, roles, resources = [], [], []
    for i in range(n):
        resources += [res(f"Q{i}", ResourceKind.QUEUE), res(f"T{i}", ResourceKind.TABLE)]
        roles.append(role(f"R{i}", functions=(f"F{i}",),
                          statements=(replace(stmt(("dynamodb:GetItem",)), resources=(ref(f"T{i}", "Arn"),)),)))
        functions.append(fn(f"F{i}", role_id=f"R{i}", environment={"TABLE": ref(f"T{i}")},
                            triggers=(trigger(TriggerKind.SQS, source_id=f"Q{i}"),
                                      trigger(TriggerKind.REST_API, api_id="Api", method="POST", path=f"/p{i}"))))
    big = app(functions=tuple(functions), roles=tuple(roles), resources=tuple(resources), apis=(api(),))
    started = time.perf_counter()
    counts = {r.id: len(list(r.check(big))) for r in registry.rules() if r.id.startswith(("FG-FN", "FG-API",
                                                                                       "FG-IAM-0", "FG-DATA",
                                                                                       "FG-LOG"))}
    elapsed = time.perf_counter() - started
    assert counts["FG-DATA-006"] == n and counts["FG-DATA-008"] == n and counts["FG-API-001"] == n
    assert counts["FG-IAM-005"] == 0
    assert elapsed < 10, f"rules took {elapsed:.1f} s on {n} functions"
