from pathlib import Path

from faasguard.baseline import read_baseline, write_baseline
from faasguard.model import Application, Finding, Location, Severity, Suppression
from faasguard.suppress import Suppressor


def _finding(rule: str, file: str, line: int, function: str | None = "fn", key: str = "") -> Finding:
    return Finding(rule_id=rule, title="t", severity=Severity.HIGH, message=f"{rule} at {line}",
                   location=Location(file, line), function=function, key=key)


def _app(*suppressions: Suppression) -> Application:
    return Application(name="a", source_kind="sam", root=".", files=(), location=Location("t.yaml", 1),
                       suppressions=suppressions)


def test_inline_suppressions_on_the_line_or_the_comment_line_above(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "provider:\n"
        "  timeout: 900  # faasguard: ignore[FG-FN-002] batch job, measured\n"
        "  # faasguard: ignore[FG-FN-001, FG-API-*] legacy runtime until Q3\n"
        "  runtime: python3.7\n"
        "  memorySize: 128 # faasguard: ignore[FG-OTHER-001]\n"
    )
    (tmp_path / "handler.py").write_text("import os\nos.system(cmd)  # nosec\nprint(1)\n")
    findings = [
        _finding("FG-FN-002", "serverless.yml", 2),
        _finding("FG-FN-001", "serverless.yml", 4),
        _finding("FG-API-003", "serverless.yml", 4),
        _finding("FG-FN-009", "serverless.yml", 5),  # another rule is suppressed on that line, not this one
        _finding("FG-CODE-001", "handler.py", 2),
        _finding("FG-CODE-001", "handler.py", 3),
    ]
    kept, suppressed = Suppressor(tmp_path, [_app()]).apply(findings)
    assert [(f.rule_id, f.location.line) for f in kept if f.location] == [("FG-FN-009", 5), ("FG-CODE-001", 3)]
    assert [(s.finding.rule_id, s.reason) for s in suppressed] == [
        ("FG-FN-002", "batch job, measured"),
        ("FG-FN-001", "legacy runtime until Q3"),
        ("FG-API-003", "legacy runtime until Q3"),
        ("FG-CODE-001", "# nosec"),
    ]


def test_metadata_skips_apply_to_their_resource_only(tmp_path: Path) -> None:
    skip = Suppression("FG-FN-002", "Worker", "long batch job", Location("template.yaml", 9))
    findings = [_finding("FG-FN-002", "template.yaml", 12, "Worker"),
                _finding("FG-FN-002", "template.yaml", 30, "Api")]
    kept, suppressed = Suppressor(tmp_path, [_app(skip)]).apply(findings)
    assert [f.function for f in kept] == ["Api"]
    assert [(s.finding.function, s.source, s.reason) for s in suppressed] == [("Worker", "metadata", "long batch job")]


def test_audit_mode_ignores_every_suppression(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("a: 1 # faasguard: ignore\n")
    skip = Suppression("*", "fn", "", Location("t.yaml", 1))
    kept, suppressed = Suppressor(tmp_path, [_app(skip)], inline=False).apply([_finding("FG-X-1", "t.yaml", 1)])
    assert (len(kept), suppressed) == (1, [])


def test_baseline_round_trip_uses_stable_hashed_fingerprints(tmp_path: Path) -> None:
    secret_finding = _finding("FG-SEC-001", "serverless.yml", 7, key="sha256:abcd")
    moved = _finding("FG-SEC-001", "serverless.yml", 42, key="sha256:abcd")  # same problem, line moved
    path = tmp_path / "baseline.json"
    assert write_baseline(path, [secret_finding, moved]) == 1
    text = path.read_text()
    assert "hunter2" not in text and "sha256:abcd" not in text
    assert read_baseline(path) == frozenset({moved.fingerprint})
