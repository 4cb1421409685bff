"""Zappa: lenient zappa_settings.json (comments, trailing commas), stages and ``extends``, events,
the role Zappa creates; the same findings as the serverless-wsgi twin, by rule and line."""

from __future__ import annotations

import sys
from pathlib import Path

from faasguard.loaders import LoadOptions, load_tree
from faasguard.loaders.zappa import strip_lenient_json
from faasguard.model import ErrorKind, TriggerKind, Trust
from faasguard.scan import scan

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "terraform"))
from tf_expect import expected, found, rule_ids  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "zappa"
APP = FIXTURES / "app"
RULES = ("FG-FN-001", "FG-FN-003", "FG-SEC-001", "FG-CODE-001", "FG-PATH-001", "FG-API-001")


def test_zappa_findings_by_rule_and_line() -> None:
    result = scan(APP)
    assert result.errors == []
    # FG-API-001 points at app_function (the key that makes Zappa put the app behind API Gateway)
    assert found(result, RULES) == expected(APP, RULES) | {("FG-API-001", "zappa_settings.json", 4)}


def test_zappa_model() -> None:
    loaded = load_tree(APP)
    assert loaded.errors == []
    [app] = loaded.applications
    assert (app.name, app.source_kind, app.stage) == ("notes", "zappa", "prod")
    [fn] = app.functions
    assert (fn.id, fn.handler, fn.runtime, fn.timeout, fn.memory, fn.code_path) == (
        "notes-prod", "app.app", "python3.8", 900, 512, ".")
    assert [(t.kind, t.trust, t.route, t.location.line) for t in fn.triggers] == [
        (TriggerKind.REST_API, Trust.PUBLIC, "ANY /{proxy+}", 4), (TriggerKind.SQS, Trust.INTERNAL, "sqs", 15)]
    assert fn.triggers[1].batch_size == 5
    [role] = app.roles
    assert (role.id, role.external, role.functions) == ("notes-prod-ZappaLambdaExecutionRole", False, ("notes-prod",))
    assert ("s3:*",) in [s.actions for s in role.statements]


def test_extends_and_stage_option() -> None:
    [app] = load_tree(APP, LoadOptions(stage="dev")).applications
    [fn] = app.functions
    assert (fn.id, fn.runtime, fn.timeout, fn.loc("timeout").line, fn.loc("runtime").line) == (
        "notes-dev", "python3.8", 30, 22, 6)


def test_lenient_json_keeps_lines_and_columns() -> None:
    text = '{\n  // c\n  "a": "x // not a comment", # hash\n  "b": [1, 2,],\n  /* x\n y */ "c": 3,\n}\n'
    cleaned = strip_lenient_json(text)
    assert cleaned.count("\n") == text.count("\n") and len(cleaned) == len(text)
    import json

    assert json.loads(cleaned) == {"a": "x // not a comment", "b": [1, 2], "c": 3}


def test_unparseable_settings_report_the_line_and_code_is_still_analyzed(tmp_path: Path) -> None:
    (tmp_path / "zappa_settings.json").write_text(
        '{\n  "prod": {\n    "app_function": "app.app",\n    "timeout_seconds": 30 30\n  }\n}\n')
    (tmp_path / "app.py").write_text(
        "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/x')\n"
        "def x():\n    os.system(request.args['c'])\n    return ''\n")
    result = scan(tmp_path)
    assert [(e.file, e.kind, e.line) for e in result.errors] == [("zappa_settings.json", ErrorKind.PARSE, 4)]
    assert [(f.rule_id, f.location.file, f.location.line) for f in result.findings
            if f.rule_id == "FG-CODE-001" and f.location is not None] == [("FG-CODE-001", "app.py", 7)]


def test_zappa_and_serverless_wsgi_twins_find_the_same_problems() -> None:
    zappa, sls = scan(APP), scan(FIXTURES / "twin-serverless")
    assert zappa.errors == [] and sls.errors == []
    assert rule_ids(zappa) == rule_ids(sls)


def test_yaml_settings_and_external_role(tmp_path: Path) -> None:
    (tmp_path / "zappa_settings.yml").write_text(
        "dev:\n  app_function: app.app\n  role_arn: arn:aws:iam::111122223333:role/z\n"
        "  apigateway_enabled: false\n  events:\n    - function: app.tick\n      expression: rate(1 hour)\n")
    [app] = load_tree(tmp_path).applications
    [fn] = app.functions
    assert [(t.kind, t.properties["schedule"], t.location.line) for t in fn.triggers] == [
        (TriggerKind.SCHEDULE, "rate(1 hour)", 6)]
    [role] = app.roles
    assert (role.external, fn.role_id, role.location.line) == (True, "arn:aws:iam::111122223333:role/z", 3)
    assert app.apis == ()
