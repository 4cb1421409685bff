"""Attack paths: the role read through the IAM engine (wildcards expanded against the action
database, Deny statements, managed policy contents, platform grants, external roles) and the one
finding that joins trigger -> source -> sink -> permissions, with its severity."""

from __future__ import annotations

import pytest
from code_helpers import IAC, application, function, role, run, statement, trigger

from faasguard.analyzers.code import role_capabilities
from faasguard.analyzers.code.paths import ESCALATION, PLATFORM, path_severity
from faasguard.analyzers.iam import allows, analyse_function, granted_once
from faasguard.model import ErrorKind, Finding, Function, Location, ManagedPolicyRef, Role, Severity, Trust

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
PASS_AND_CREATE = ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")


def _nc(role_id: str = "R", kind: str = "http_api") -> Function:
    return function("run", "propagation.tuple_unpacking", "cases", [trigger(kind, line=12, method="get", path="/nc")],
                    role_id=role_id)


def _path(roles: list[Role], kind: str = "http_api") -> Finding:
    fn = _nc(kind=kind)
    findings, errors = run(application([fn], roles))
    assert errors == []
    (path,) = [f for f in findings if f.rule_id == "FG-PATH-001"]
    return path


def _permissions(path: Finding) -> list[tuple[int, str]]:
    return [(s.line, s.note) for s in path.flow if s.kind == "permission"]


def test_pass_role_with_lambda_wildcard_is_critical_and_listed_first() -> None:
    roles = [role("R", "dynamodb:PutItem", resource=TABLE, line=40,
                  statements=(statement(42, "s3:GetObject"), statement(44, "iam:PassRole"),
                              statement(46, "lambda:*")))]
    path = _path(roles)
    assert path.severity is Severity.CRITICAL  # public trigger + command injection + escalation
    assert (path.location.file, path.location.line) == ("cases/propagation.py", 16)
    assert [s.kind for s in path.flow] == ["trigger", "source", "propagation", "sink"] + ["permission"] * 4
    # escalation first (statement order among equals), then data reads on *, then writes
    assert _permissions(path) == [
        (44, "role R allows iam:PassRole on * (policy AppPolicy): can create and invoke a function with a more "
             "privileged role (+2 more)"),
        (46, "role R allows lambda:UpdateFunctionCode, lambda:CreateFunction, lambda:InvokeFunction, "
             "lambda:CreateEventSourceMapping (+1 more) (via lambda:*) on * (policy AppPolicy): can replace the "
             "code of functions that run with other roles (+3 more)"),
        (42, "role R allows s3:GetObject on * (policy AppPolicy): can read data of every resource"),
        (40, f"role R allows dynamodb:PutItem on {TABLE} (policy AppPolicy)"),
    ]
    assert path.message.endswith(
        "-> role R (lambda:UpdateFunctionCode on *: replace the code of functions that run with other roles; "
        "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction on *: create and invoke a function with a "
        "more privileged role (+2 more))")
    ev = path.evidence
    assert ev["powerful"] is True and ev["permissions_known"] is True and ev["sink_rule"] == "FG-CODE-001"
    assert {"actions": list(PASS_AND_CREATE), "detail": "create and invoke a function with a more privileged role",
            "on_any": True} in ev["escalations"]
    assert [e["actions"] for e in ev["escalations"]] == [
        ["lambda:UpdateFunctionCode"], list(PASS_AND_CREATE),
        ["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
        ["iam:PassRole", "lambda:UpdateFunctionConfiguration"]]
    assert ev["exfiltration"] == ["s3:GetObject", "lambda:GetFunction"]


def test_pass_role_alone_is_not_an_escalation() -> None:
    path = _path([role("R", "iam:PassRole", "s3:GetObject", line=44)])
    assert path.severity is Severity.HIGH
    assert path.evidence["powerful"] is False and path.evidence["escalations"] == []
    assert _permissions(path) == [
        (44, "role R allows s3:GetObject on * (policy AppPolicy): can read data of every resource")]
    assert path.message.endswith("-> role R (reads every resource: s3:GetObject)")


def test_deny_on_the_dangerous_actions_takes_the_power_away() -> None:
    deny = statement(44, "iam:PassRole", "lambda:UpdateFunctionCode", effect="Deny")
    app = application([_nc()], [role("R", "iam:PassRole", "lambda:*", statements=(deny,))])
    fn = app.functions[0]
    assert not allows(app, fn, "iam:PassRole") and allows(app, fn, "lambda:CreateFunction")
    caps = role_capabilities(app, fn)
    assert caps is not None and not caps.powerful and caps.escalations == () and caps.known
    path = _path([role("R", "iam:PassRole", "lambda:*", statements=(deny,))])
    assert path.severity is Severity.HIGH
    assert _permissions(path) == [
        (40, "role R allows lambda:GetFunction on * (policy AppPolicy): can read data of every resource")]


def test_deny_on_one_resource_or_with_a_condition_leaves_the_power() -> None:
    narrow = statement(44, "iam:PassRole", "lambda:UpdateFunctionCode", effect="Deny",
                       resource="arn:aws:iam::123456789012:role/admin")
    assert _path([role("R", "iam:PassRole", "lambda:*", statements=(narrow,))]).severity is Severity.CRITICAL
    from dataclasses import replace

    conditional = replace(statement(44, "lambda:*", effect="Deny"),
                          conditions={"Bool": {"aws:SecureTransport": "false"}})
    caps = role_capabilities(application([_nc()], [role("R", "lambda:*", statements=(conditional,))]),
                             _nc())
    assert caps is not None and caps.powerful
    assert [e.actions for e in caps.escalations] == [("lambda:UpdateFunctionCode",)]


def test_external_role_says_permissions_unknown() -> None:
    path = _path([Role("R", Location(IAC, 3), external=True)], kind="sqs")
    assert path.severity is Severity.LOW  # HIGH, internal trigger lowers twice, not known to be powerful
    assert _permissions(path) == [(3, "role R is defined outside the application: permissions unknown")]
    assert path.message.endswith("-> role R (permissions unknown)")
    assert path.evidence["permissions_known"] is False and path.evidence["powerful"] is False


def test_managed_policy_contents_are_known() -> None:
    path = _path([role("R", managed=("arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",))])
    assert path.severity is Severity.HIGH
    reads = "dynamodb:Scan, dynamodb:Query, dynamodb:GetItem, dynamodb:BatchGetItem"
    assert _permissions(path) == [
        (45, f"role R allows {reads} on * (managed policy AmazonDynamoDBReadOnlyAccess): can read data of every "
             "resource"),
        (45, "role R allows cloudwatch:GetInsightRuleReport on "
             "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights* "
             "(managed policy AmazonDynamoDBReadOnlyAccess)")]
    assert path.message.endswith(f"-> role R (reads every resource: {reads})")
    assert path.evidence["permissions_known"] is True
    assert path.evidence["exfiltration"] == reads.split(", ")


def test_admin_managed_policy_and_power_user_are_powerful() -> None:
    admin = _path([role("R", managed=("arn:aws:iam::aws:policy/AdministratorAccess",))])
    assert admin.severity is Severity.CRITICAL
    assert _permissions(admin) == [
        (45, "role R allows * on * (managed policy AdministratorAccess): can do anything in the account")]
    assert admin.evidence["powers"] == ["* on *: any action on any resource"]
    power = role_capabilities(application([_nc()], [role("R", managed=("PowerUserAccess",))]), _nc())
    assert power is not None and power.powerful and not power.admin
    assert [e.actions for e in power.escalations] == [("lambda:UpdateFunctionCode",), ("sts:AssumeRole",)]
    assert power.grants[0].shown == ("lambda:UpdateFunctionCode", "sts:AssumeRole")


def test_unknown_managed_policy_is_named() -> None:
    path = _path([role("R", "s3:GetObject", resource="arn:aws:s3:::b/*",
                       managed=("arn:aws:iam::123456789012:policy/TeamPolicy",))])
    assert _permissions(path) == [(40, "role R allows s3:GetObject on arn:aws:s3:::b/* (policy AppPolicy)"),
                                  (45, "role R has managed policy TeamPolicy: contents unknown")]
    assert path.message.endswith("-> role R (s3:GetObject; permissions partly unknown: TeamPolicy)")
    assert path.evidence["permissions_known"] is False


def test_literal_escalation_and_secret_reads_count_although_config_rules_report_them() -> None:
    caps = role_capabilities(application([_nc()], [role("R", "iam:PutRolePolicy", "secretsmanager:GetSecretValue")]),
                             _nc())
    assert caps is not None and caps.powerful
    assert caps.reasons == ("iam:PutRolePolicy on *: write an inline admin policy on a role",)
    assert caps.data_reads == ("secretsmanager:GetSecretValue",)


def test_star_on_one_resource_is_not_admin() -> None:
    caps = role_capabilities(application([_nc()], [role("R", "*", resource="arn:aws:s3:::b/*")]), _nc())
    assert caps is not None and not caps.powerful and not caps.admin and caps.meaningful


def test_platform_grants_come_last_and_are_not_steps() -> None:
    fn = function("run", "propagation.tuple_unpacking", "cases", [trigger("http_api")], role_id="runRole")
    sam_role = Role("runRole", Location(IAC, 5), source_kind="sam",
                    statements=(statement(20, "s3:PutObject", resource="arn:aws:s3:::b/*"),),
                    managed_policies=(ManagedPolicyRef("AWSLambdaBasicExecutionRole", Location(IAC, 5)),))
    app = application([fn], [sam_role])
    caps = role_capabilities(app, fn)
    assert caps is not None and [g.rank for g in caps.grants][-1] == PLATFORM
    findings, _ = run(app)
    (path,) = [f for f in findings if f.rule_id == "FG-PATH-001"]
    assert _permissions(path) == [(20, "role runRole allows s3:PutObject on arn:aws:s3:::b/* (policy AppPolicy)")]
    logs_only = Role("runRole", Location(IAC, 5), source_kind="sam",
                     managed_policies=(ManagedPolicyRef("AWSLambdaBasicExecutionRole", Location(IAC, 5)),))
    caps = role_capabilities(application([fn], [logs_only]), fn)
    assert caps is not None and not caps.meaningful


def test_no_role_no_capabilities_and_logs_only_role_is_not_meaningful() -> None:
    assert role_capabilities(application([function("e", "x.h", ".")]), function("e", "x.h", ".")) is None
    caps = role_capabilities(application([_nc()], [role("R", "logs:CreateLogStream", "logs:PutLogEvents")]),
                             _nc())
    assert caps is not None and not caps.meaningful and caps.known


def test_path_severity_rises_and_falls() -> None:
    fn = function("a", "x.h", ".", role_id="R")
    admin = role_capabilities(application([fn], [role("R", "*")]), fn)
    narrow = role_capabilities(application([fn], [role("R", "s3:GetObject")]), fn)
    assert admin is not None and narrow is not None and admin.admin and admin.grants[0].rank == ESCALATION
    assert path_severity(Trust.PUBLIC, "command", admin) is Severity.CRITICAL
    assert path_severity(Trust.PUBLIC, "command", narrow) is Severity.HIGH
    assert path_severity(Trust.PUBLIC, "ssrf", narrow) is Severity.MEDIUM
    assert path_severity(Trust.AUTHENTICATED, "command", admin) is Severity.HIGH
    assert path_severity(Trust.INTERNAL, "command", admin) is Severity.MEDIUM
    assert path_severity(Trust.INTERNAL, "path", narrow) is Severity.INFO


def test_attack_path_finding_joins_the_chain() -> None:
    path = _path([role("R", "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction", line=44)])
    fn = _nc()
    findings, _ = run(application([fn], [role("R", "s3:PutObject", resource="arn:aws:s3:::b/*")]))
    code = next(f for f in findings if f.rule_id == "FG-CODE-001")
    assert path.severity is Severity.CRITICAL
    assert path.flow[:-1] == code.flow
    assert (path.flow[0].file, path.flow[0].line, path.flow[0].note) == (
        "template.yaml", 12, "public http_api trigger: GET /nc")
    assert _permissions(path) == [
        (44, "role R allows iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction on * (policy AppPolicy): "
             "can create and invoke a function with a more privileged role")]
    assert "-> role R (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction on *: create and invoke" in (
        path.message)


def test_no_attack_path_without_meaningful_role_or_for_non_path_sinks() -> None:
    logs_role = [role("R", "logs:PutLogEvents")]
    fns = [function("cmd", "propagation.tuple_unpacking", "cases", [trigger("http_api")], role_id="R"),
           function("sql", "propagation.wrong_sanitizer", "cases", [trigger("http_api")], role_id="S")]
    findings, _ = run(application(fns, logs_role + [role("S", "*")]))
    assert sorted((f.function, f.rule_id) for f in findings) == [("cmd", "FG-CODE-001"), ("sql", "FG-CODE-003")]


def test_role_is_read_once_per_scan_and_iam_results_are_reused() -> None:
    from code_helpers import FIXTURES

    fn = _nc()
    app = application([fn], [role("R", "iam:PassRole", "lambda:*")])
    shared: dict[str, object] = {}
    run(app, shared=shared)
    granted = shared["iam.granted"][("app", "run")]
    caps = shared["code.capabilities"][("app", "run")]
    assert granted_once(app, fn, shared) is granted
    assert role_capabilities(app, fn, shared) is caps
    # when the IAM analyzer ran first, its per-function result is what the code analyzer reads
    done = analyse_function(app, fn, FIXTURES)
    assert granted_once(app, fn, {"iam.functions": {("app", "run"): done}}) is done.granted


def test_a_failure_reading_the_role_keeps_the_code_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    import faasguard.analyzers.code.paths as paths

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(paths, "granted_once", broken)
    findings, errors = run(application([_nc()], [role("R", "lambda:*")]))
    assert [(f.rule_id, f.location.line) for f in findings] == [("FG-CODE-001", 16)]
    assert [(e.kind, e.function, e.message) for e in errors] == [
        (ErrorKind.INTERNAL, "run", "run: reading role R for attack paths failed: RuntimeError('boom')")]
