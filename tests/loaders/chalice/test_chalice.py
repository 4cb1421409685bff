"""Chalice: .chalice/config.json stages and app.py decorators -> the model, and the same kinds of
findings as the SAM twin, by rule and line (code taint and IAM least privilege included)."""

from __future__ import annotations

import sys
from pathlib import Path

from faasguard.loaders import load_tree
from faasguard.model import AuthorizerKind, TriggerKind, Trust
from faasguard.scan import scan

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "terraform"))
from tf_expect import expected, found, rule_ids  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "chalice"
APP = FIXTURES / "app"
RULES = ("FG-API-001", "FG-API-003", "FG-FN-003", "FG-FN-005", "FG-SEC-001", "FG-IAM-002", "FG-IAM-102",
         "FG-IAM-105", "FG-CODE-001", "FG-CODE-007", "FG-PATH-001")
# JSON has no comments, so the lines in .chalice/*.json are listed here.
JSON_LINES = {("FG-FN-003", ".chalice/config.json", 8), ("FG-SEC-001", ".chalice/config.json", 10),
              ("FG-IAM-002", ".chalice/policy-dev.json", 5), ("FG-IAM-102", ".chalice/policy-dev.json", 5),
              ("FG-IAM-105", ".chalice/policy-dev.json", 5)}


def test_chalice_findings_by_rule_and_line() -> None:
    result = scan(APP)
    assert result.errors == []
    assert found(result, RULES) == expected(APP, RULES) | JSON_LINES


def test_chalice_model() -> None:
    loaded = load_tree(APP)
    assert loaded.errors == []
    [app] = loaded.applications
    assert (app.name, app.source_kind, app.stage, app.files) == ("notes", "chalice", "dev",
                                                                  (".chalice/config.json", "app.py"))
    fns = {f.id: f for f in app.functions}
    assert sorted(fns) == ["api_handler", "on_upload"]
    api, upload = fns["api_handler"], fns["on_upload"]
    assert (api.name, api.handler, api.timeout, api.code_path) == ("notes-dev", "app.app", 900, ".")
    assert (upload.name, upload.handler, upload.timeout) == ("notes-dev-on_upload", "app.on_upload", 60)
    assert upload.loc("timeout").line == 14  # the per-function override
    routes = [(t.method, t.path, t.trust, t.authorizer.kind if t.authorizer else None, t.location.line)
              for t in api.triggers]
    assert routes == [("POST", "/run", Trust.PUBLIC, None, 10),
                      ("GET", "/admin", Trust.AUTHENTICATED, AuthorizerKind.IAM, 16)]
    [s3] = upload.triggers
    assert (s3.kind, s3.trust, str(s3.source), s3.location.line) == (TriggerKind.S3, Trust.AUTHENTICATED,
                                                                     "notes-uploads", 21)
    [role] = app.roles
    assert role.functions == ("api_handler", "on_upload")
    assert [(s.actions, s.location.file, s.location.line) for s in role.statements] == [
        (("s3:*",), ".chalice/policy-dev.json", 5),
        (("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), ".chalice/policy-dev.json", 10)]
    assert api.environment["DB_PASSWORD"].literal == "hunter2-Sup3rS3cret!"


def test_chalice_and_sam_twins_find_the_same_kinds_of_problems() -> None:
    chalice, sam = scan(APP), scan(FIXTURES / "twin-sam")
    assert chalice.errors == [] and sam.errors == []
    # Chalice states no runtime (FG-FN-002 reports the framework default); the SAM twin defines the
    # upload bucket itself (no encryption / public access block: FG-DATA-002/003), Chalice names an
    # existing one.
    assert rule_ids(chalice) - {"FG-FN-002"} == rule_ids(sam) - {"FG-DATA-002", "FG-DATA-003"}


def test_stage_option_selects_the_stage(tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(
        '{"app_name": "x", "lambda_timeout": 10, "stages": {"prod": {"lambda_timeout": 20}}}')
    (tmp_path / "app.py").write_text("from chalice import Chalice\napp = Chalice(app_name='x')\n\n"
                                     "@app.lambda_function()\ndef worker(event, context):\n    return 1\n")
    from faasguard.loaders import LoadOptions

    [dev] = load_tree(tmp_path).applications
    [prod] = load_tree(tmp_path, LoadOptions(stage="prod")).applications
    assert [(f.id, f.timeout, f.loc("timeout").line) for f in dev.functions] == [("worker", 10, 1)]
    assert [(f.id, f.timeout, f.name) for f in prod.functions] == [("worker", 20, "x-prod-worker")]


def test_app_py_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text('{"app_name": "x"}')
    (tmp_path / "app.py").write_text("from chalice import Chalice\napp = Chalice(\n")
    loaded = load_tree(tmp_path)
    assert loaded.applications == []
    assert [(e.file, e.kind.value, e.line) for e in loaded.errors] == [("app.py", "parse", 2)]


def test_event_decorators_authorizers_and_external_role(tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(
        '{"app_name": "ev", "manage_iam_role": false,\n "iam_role_arn": "arn:aws:iam::111122223333:role/ev"}')
    (tmp_path / "app.py").write_text('''from chalice import Chalice, Rate

app = Chalice(app_name="ev")


@app.authorizer()
def token_auth(auth_request):
    return None


@app.route("/me", authorizer=token_auth, api_key_required=True)
def me():
    return {}


@app.schedule(Rate(5, unit=Rate.MINUTES))
def tick(event):
    pass


@app.on_sqs_message(queue="jobs", batch_size=5)
def job(event):
    pass


@app.on_sns_message(topic="alerts")
def alert(event):
    pass


@app.on_ws_message()
def message(event):
    pass
''')
    [app] = load_tree(tmp_path).applications
    fns = {f.id: f for f in app.functions}
    assert sorted(fns) == ["alert", "api_handler", "job", "message", "tick", "token_auth"]
    [route] = fns["api_handler"].triggers
    assert (route.trust, route.authorizer.kind if route.authorizer else None, route.api_key_required) == (
        Trust.AUTHENTICATED, AuthorizerKind.LAMBDA, True)
    kinds = {fid: [(t.kind, t.trust, str(t.source) if t.source else None, t.batch_size, t.location.line)
                   for t in fn.triggers] for fid, fn in fns.items() if fid not in ("api_handler", "token_auth")}
    assert kinds == {"tick": [(TriggerKind.SCHEDULE, Trust.INTERNAL, None, None, 16)],
                     "job": [(TriggerKind.SQS, Trust.INTERNAL, "jobs", 5, 21)],
                     "alert": [(TriggerKind.SNS, Trust.INTERNAL, "alerts", None, 26)],
                     "message": [(TriggerKind.WEBSOCKET, Trust.PUBLIC, None, None, 31)]}
    [role] = app.roles
    assert (role.id, role.external, role.location.line) == ("arn:aws:iam::111122223333:role/ev", True, 2)
    assert {f.role_id for f in app.functions} == {"arn:aws:iam::111122223333:role/ev"}


def test_each_flow_is_reported_on_the_function_that_runs_it() -> None:
    result = scan(APP)
    flows = sorted((f.rule_id, f.location.line, f.function) for f in result.findings
                   if f.rule_id.startswith("FG-CODE") and f.location is not None)
    assert flows == [("FG-CODE-001", 13, "api_handler"), ("FG-CODE-007", 23, "on_upload")]
