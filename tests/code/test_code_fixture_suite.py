"""The labelled fixture suite: every (rule, file, line) the analyzer reports equals the
`# expect:` markers, for the source x sink matrix and the hand-written cases."""

from __future__ import annotations

import ast
from collections import Counter

import pytest
from code_helpers import FIXTURES, application, expected, function, matrix_app, run, trigger, triples

CASES = FIXTURES / "cases"


def _handlers(module: str) -> list[str]:
    tree = ast.parse((CASES / f"{module}.py").read_text())
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("render")]


def test_matrix_source_by_sink_exact() -> None:
    findings, errors = run(matrix_app())
    assert errors == []
    want = expected((FIXTURES / "matrix").glob("*.py"))
    assert triples(findings) == want
    # every event source kind and framework appears with every sink kind it supports
    per_rule = Counter(rule for rule, _, _ in want)
    assert per_rule["FG-CODE-001"] == 17 and per_rule["FG-CODE-010"] == 7 and len(want) == 168


def test_matrix_spot_checks() -> None:
    findings, _ = run(matrix_app())
    got = triples(findings)
    assert ("FG-CODE-001", "matrix/s3.py", 21) in got
    assert ("FG-CODE-004", "matrix/apigw_v1.py", 39) in got
    assert ("FG-CODE-007", "matrix/chalice_app.py", 33) in got
    assert ("FG-CODE-006", "matrix/powertools_app.py", 35) in got
    # the bucket name of an S3 event is AWS's, not the uploader's
    assert not any(f == "matrix/chalice_app.py" and line == 34 for _, f, line in got)


@pytest.mark.parametrize("module, kind", [
    ("propagation", "http_api"), ("more_sinks", "http_api"), ("second_order", "sqs"), ("sensitive", "http_api"),
    ("lint_cases", "http_api"),
])
def test_cases_exact(module: str, kind: str) -> None:
    fns = [function(name, f"{module}.{name}", "cases", [trigger(kind)]) for name in _handlers(module)]
    findings, errors = run(application(fns))
    assert errors == []
    files = [CASES / f"{module}.py"] + (sorted((CASES / "lib").glob("*.py")) if module == "propagation" else [])
    assert triples(findings) == expected(files)


def test_negatives_report_nothing() -> None:
    kinds = {"s3_bucket_name": "s3", "scheduled": "schedule"}
    fns = [function(n, f"negatives.{n}", "cases", [trigger(kinds.get(n, "http_api"))]) for n in _handlers("negatives")]
    assert len(fns) == 18
    findings, errors = run(application(fns))
    assert errors == []
    assert [(f.rule_id, f.location.line, f.message) for f in findings] == []


def test_second_order_is_low_confidence_and_internal() -> None:
    fns = [function("process", "second_order.process", "cases", [trigger("http_api")])]
    findings, _ = run(application(fns))
    by_line = {f.location.line: f for f in findings}
    assert set(by_line) == {16, 18, 20}
    assert all(f.confidence == "low" for f in findings)
    assert by_line[16].evidence["trust"] == "internal"
    assert by_line[16].severity.value == "low"  # HIGH, lowered for internal and for low confidence


def test_inter_procedural_flow_steps() -> None:
    fns = [function("across", "propagation.across_modules", "cases", [trigger("http_api", line=12)])]
    findings, _ = run(application(fns))
    (finding,) = findings
    where = (finding.rule_id, finding.location.file, finding.location.line)
    assert where == ("FG-CODE-001", "cases/lib/commands.py", 11)
    kinds = [s.kind for s in finding.flow]
    assert kinds[0] == "trigger" and kinds[1] == "source" and kinds[-1] == "sink"
    assert (finding.flow[0].file, finding.flow[0].line) == ("template.yaml", 12)
    assert (finding.flow[1].file, finding.flow[1].line) == ("cases/propagation.py", 55)
    assert [(s.file, s.line, s.note) for s in finding.flow if s.kind == "propagation"] == [
        ("cases/propagation.py", 55, "call build_command() in cases/lib/commands.py"),
        ("cases/lib/commands.py", 7, "returned"),
        ("cases/propagation.py", 55, "cmd = build_command(event['queryStringParameters']['file'])"),
        ("cases/propagation.py", 56, "call run_quietly() in cases/lib/commands.py"),
    ]
    assert finding.evidence["source"] == "event['queryStringParameters']['file']"
    assert finding.severity.value == "critical"  # HIGH raised for a public trigger


def test_trust_sets_severity() -> None:
    def severity(kind: str) -> str:
        fns = [function("f", "propagation.tuple_unpacking", "cases", [trigger(kind)])]
        findings, _ = run(application(fns))
        return findings[0].severity.value

    assert severity("http_api") == "critical"
    assert severity("eventbridge") == "medium"


def test_function_without_triggers_is_internal_low_confidence() -> None:
    findings, _ = run(application([function("f", "propagation.tuple_unpacking", "cases", [])]))
    (f,) = findings
    assert f.confidence == "low" and f.evidence["trust"] == "internal"
    assert f.flow[0].kind == "trigger" and "invoked directly" in f.flow[0].note


def test_exception_text_only_matters_when_a_client_gets_the_response() -> None:
    fns = [function("api", "sensitive.leaks_exception", "cases", [trigger("http_api")]),
           function("queue", "sensitive.leaks_exception", "cases", [trigger("sqs")])]
    findings, _ = run(application(fns))
    assert sorted((f.function, f.location.line) for f in findings if f.rule_id == "FG-CODE-013") == [
        ("api", 24), ("api", 26)]
