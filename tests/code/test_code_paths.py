"""Attack paths: role reading (wildcards, managed policies, external roles) and the one
finding that joins trigger -> source -> sink -> permissions, with its severity."""

from __future__ import annotations

from code_helpers import IAC, application, function, role, run, trigger

from faasguard.analyzers.code import role_capabilities
from faasguard.analyzers.code.paths import action_matches, path_severity
from faasguard.model import Location, Role, Severity, Trust


def test_action_matching_with_wildcards() -> None:
    assert action_matches("iam:Pass*", "iam:PassRole")
    assert action_matches("IAM:*", "iam:PassRole")
    assert action_matches("*", "s3:GetObject")
    assert not action_matches("s3:Get*", "s3:PutObject")


def test_role_capabilities() -> None:
    fns = [function("a", "x.h", ".", role_id="Admin"), function("b", "x.h", ".", role_id="Narrow"),
           function("c", "x.h", ".", role_id="Ext"), function("d", "x.h", ".", role_id="Pass"),
           function("e", "x.h", ".")]
    roles = [role("Admin", managed=("arn:aws:iam::aws:policy/AdministratorAccess",)),
             role("Narrow", "s3:GetObject", resource="arn:aws:s3:::b/*", managed=("AWSLambdaBasicExecutionRole",)),
             Role("Ext", Location(IAC, 3), external=True),
             role("Pass", "iam:Pass*", "logs:PutLogEvents")]
    app = application(fns, roles)
    admin = role_capabilities(app, fns[0])
    assert admin is not None and admin.powerful and admin.reasons == ("managed policy AdministratorAccess",)
    narrow = role_capabilities(app, fns[1])
    assert narrow is not None and not narrow.powerful and narrow.meaningful
    ext = role_capabilities(app, fns[2])
    assert ext is not None and not ext.known and ext.meaningful
    passing = role_capabilities(app, fns[3])
    assert passing is not None and passing.reasons == ("iam:PassRole (as iam:Pass*) on *",)
    assert role_capabilities(app, fns[4]) is None
    logs_only = application([fns[1]], [role("Narrow", "logs:CreateLogStream", "logs:PutLogEvents")])
    caps = role_capabilities(logs_only, fns[1])
    assert caps is not None and not caps.meaningful


def test_path_severity_rises_and_falls() -> None:
    admin = role_capabilities(application([function("a", "x.h", ".", role_id="R")], [role("R", "*")]),
                              function("a", "x.h", ".", role_id="R"))
    narrow = role_capabilities(application([function("a", "x.h", ".", role_id="R")], [role("R", "s3:GetObject")]),
                               function("a", "x.h", ".", role_id="R"))
    assert admin is not None and narrow is not None
    assert path_severity(Trust.PUBLIC, "command", admin) is Severity.CRITICAL
    assert path_severity(Trust.PUBLIC, "command", narrow) is Severity.HIGH
    assert path_severity(Trust.PUBLIC, "ssrf", narrow) is Severity.MEDIUM
    assert path_severity(Trust.AUTHENTICATED, "command", admin) is Severity.HIGH
    assert path_severity(Trust.INTERNAL, "command", admin) is Severity.MEDIUM
    assert path_severity(Trust.INTERNAL, "path", narrow) is Severity.INFO


def test_attack_path_finding_joins_the_chain() -> None:
    fn = function("run", "propagation.tuple_unpacking", "cases", [trigger("http_api", line=12, method="get",
                                                                          path="/nc")], role_id="R")
    app = application([fn], [role("R", "iam:PassRole", "s3:GetObject", line=44)])
    findings, errors = run(app)
    assert errors == []
    by_rule = {f.rule_id: f for f in findings}
    assert set(by_rule) == {"FG-CODE-001", "FG-PATH-001"}
    path, code = by_rule["FG-PATH-001"], by_rule["FG-CODE-001"]
    assert (path.location.file, path.location.line) == (code.location.file, code.location.line) == (
        "cases/propagation.py", 16)
    assert path.severity is Severity.CRITICAL
    assert [s.kind for s in path.flow] == ["trigger", "source", "propagation", "sink", "permission"]
    assert path.flow[:-1] == code.flow
    assert (path.flow[0].file, path.flow[0].line, path.flow[0].note) == (
        "template.yaml", 12, "public http_api trigger: GET /nc")
    assert (path.flow[-1].file, path.flow[-1].line) == ("template.yaml", 44)
    assert path.flow[-1].note == "role R allows iam:PassRole, s3:GetObject on * (inline)"
    assert path.evidence["powerful"] is True and path.evidence["sink_rule"] == "FG-CODE-001"
    assert "role R (iam:PassRole on *)" in path.message


def test_no_attack_path_without_meaningful_role_or_for_non_path_sinks() -> None:
    logs_role = [role("R", "logs:PutLogEvents")]
    fns = [function("cmd", "propagation.tuple_unpacking", "cases", [trigger("http_api")], role_id="R"),
           function("sql", "propagation.wrong_sanitizer", "cases", [trigger("http_api")], role_id="S")]
    findings, _ = run(application(fns, logs_role + [role("S", "*")]))
    assert sorted((f.function, f.rule_id) for f in findings) == [("cmd", "FG-CODE-001"), ("sql", "FG-CODE-003")]


def test_external_role_gives_path_with_unknown_permissions() -> None:
    fn = function("run", "propagation.tuple_unpacking", "cases", [trigger("sqs")], role_id="Ext")
    findings, _ = run(application([fn], [Role("Ext", Location(IAC, 3), external=True)]))
    (path,) = [f for f in findings if f.rule_id == "FG-PATH-001"]
    assert path.severity is Severity.LOW  # HIGH, internal trigger lowers twice, not known to be powerful
    assert path.flow[-1].kind == "permission" and "permissions unknown" in path.flow[-1].note
    assert (path.flow[-1].file, path.flow[-1].line) == ("template.yaml", 3)
