"""Hand-built scan results for the reporter tests (no loaders, no analyzers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.analyzers.base import RuleMeta
from faasguard.model import (
    Application,
    ErrorKind,
    Finding,
    FlowStep,
    Function,
    Location,
    ScanError,
    Severity,
    Trigger,
    TriggerKind,
    Trust,
)
from faasguard.scan import ScanResult
from faasguard.suppress import SuppressedFinding

ROOT = Path("/repo/app")

CODE_RULE = RuleMeta(
    "FG-CODE-001", "Untrusted event data reaches a shell command", Severity.CRITICAL, "code",
    ("CWE-78",), ("OWASP-SLS-A1", "https://owasp.org/www-project-serverless-top-10/"),
    "Pass arguments as a list and never use shell=True with event data.",
)
URL_RULE = RuleMeta(
    "FG-API-004", "Function URL accepts unauthenticated requests", Severity.HIGH, "api",
    ("CWE-306",), ("CSA-SAS-2",), "Set AuthType: AWS_IAM, or put the function behind an authorizer.",
)
SECRET_RULE = RuleMeta(
    "FG-SEC-001", "Plaintext secret in function environment", Severity.HIGH, "secrets",
    ("798",), (), "Move the value to SSM Parameter Store or Secrets Manager and reference it.",
)
DLQ_RULE = RuleMeta("FG-FN-004", "Async trigger without a dead-letter queue", Severity.MEDIUM, "function")
IAM_RULE = RuleMeta("FG-IAM-001", "IAM statement allows every action", Severity.HIGH, "iam", ("CWE-269",))
TRACING_RULE = RuleMeta("FG-LOG-001", "Tracing not enabled", Severity.INFO, "logging")
TIMEOUT_RULE = RuleMeta("FG-FN-002", "Long function timeout", Severity.LOW, "function")

FLOW = (
    FlowStep("", 0, "GET /orders (public)", "trigger"),
    FlowStep("src/handler.py", 12, "event['body']", "source"),
    FlowStep("src/handler.py", 20, "subprocess.run(shell=True)", "sink"),
    FlowStep("", 0, "role allows iam:PassRole on *", "permission"),
)


def _orders_app() -> Application:
    sls = "serverless.yml"
    create = Function(
        id="createOrder", name="orders-dev-createOrder", location=Location(sls, 10), runtime="python3.12",
        handler="src/handler.create", code_path="src", role_id="IamRoleLambdaExecution",
        triggers=(Trigger(TriggerKind.HTTP_API, Trust.PUBLIC, Location(sls, 14), method="get", path="/orders"),),
    )
    worker = Function(
        id="worker", name="orders-dev-worker", location=Location(sls, 25), runtime="python3.12",
        handler="src/worker.run", code_path="src", role_id="IamRoleLambdaExecution",
        triggers=(Trigger(TriggerKind.SNS, Trust.INTERNAL, Location(sls, 29), source_id="OrdersTopic"),),
    )
    return Application("orders", "serverless", ".", (sls,), Location(sls, 1), functions=(create, worker))


def _billing_app() -> Application:
    tpl = "billing/template.yaml"
    fn = Function(id="BillingFunction", name="BillingFunction", location=Location(tpl, 8), runtime="nodejs20.x",
                  handler="index.handler", code_path="billing/src", role_id=None)
    return Application("billing", "sam", "billing", (tpl,), Location(tpl, 1), functions=(fn,))


def _finding(meta: RuleMeta, message: str, location: Location | None, function: str | None, **kw: object) -> Finding:
    return meta.finding(message, location, function, **kw)  # type: ignore[arg-type]


@pytest.fixture
def full_result() -> ScanResult:
    """Two applications, six findings (one data-flow, one with a secret in evidence, one without a
    line, one not tied to a function), two errors, one suppressed, one baselined."""
    orders, billing = _orders_app(), _billing_app()
    findings = [
        _finding(CODE_RULE, "event['body'] reaches subprocess.run(shell=True) in createOrder",
                 Location("src/handler.py", 20, 4, 20), "createOrder", flow=FLOW, key="body->shell",
                 confidence="medium", evidence={"sink": "subprocess.run"}),
        _finding(URL_RULE, "createOrder: GET /orders has no authorizer", Location("serverless.yml", 14),
                 "createOrder", key="GET /orders"),
        _finding(IAM_RULE, "Role IamRoleLambdaExecution allows '*' on '*'", Location("serverless.yml", 40),
                 None, key="IamRoleLambdaExecution", evidence={"role": "IamRoleLambdaExecution"}),
        _finding(SECRET_RULE, "BillingFunction: DB_PASSWORD holds a plaintext secret",
                 Location("billing/template.yaml", 12), "BillingFunction", key="DB_PASSWORD",
                 evidence={"variable": "DB_PASSWORD", "value": "hunter2-very-secret",
                           "nested": {"api_token": "tok_9f8e7d6c5b4a"}}),
        _finding(DLQ_RULE, "worker: SNS trigger without a dead-letter queue", Location("serverless.yml", 29),
                 "worker", key="sns"),
        _finding(TRACING_RULE, "BillingFunction: tracing is not enabled", Location("billing/template.yaml"),
                 "BillingFunction", key="tracing"),
    ]
    errors = [
        ScanError("broken/serverless.yml", "invalid YAML: mapping values are not allowed here", ErrorKind.PARSE, 3),
        ScanError("huge.json", "file is larger than 20 MB", ErrorKind.TOO_LARGE),
    ]
    suppressed = [SuppressedFinding(
        _finding(TIMEOUT_RULE, "createOrder: timeout 900 s", Location("serverless.yml", 12), "createOrder",
                 key="timeout"),
        "batch import needs it", "inline")]
    baselined = [_finding(TRACING_RULE, "createOrder: tracing is not enabled", Location("serverless.yml", 10),
                          "createOrder", key="tracing")]
    rules = {m.id: m for m in (CODE_RULE, URL_RULE, SECRET_RULE, DLQ_RULE, IAM_RULE, TRACING_RULE, TIMEOUT_RULE)}
    return ScanResult(root=ROOT, applications=[orders, billing], findings=findings, errors=errors,
                      suppressed=suppressed, baselined=baselined, rules=rules, duration_s=0.25)


@pytest.fixture
def clean_result() -> ScanResult:
    return ScanResult(root=ROOT, applications=[_orders_app()], findings=[], errors=[])


@pytest.fixture
def errors_only_result() -> ScanResult:
    """Nothing could be read: no applications, no findings, only errors."""
    return ScanResult(root=ROOT, applications=[], findings=[], errors=[
        ScanError("serverless.yml", "invalid YAML: found character '\\t' that cannot start any token",
                  ErrorKind.PARSE, 7),
    ])


@pytest.fixture
def empty_result() -> ScanResult:
    return ScanResult(root=ROOT, applications=[], findings=[], errors=[])
