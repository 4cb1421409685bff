"""Secrets never reach the logs: values of secret-named variables, AWS keys, JWTs, URL passwords."""

import io
import json
import logging
from typing import Any

import pytest

from faasguard.guard import emit, guard, redact
from faasguard.guard.redact import RedactingStream, Redactor

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


def test_redactor_masks_each_kind() -> None:
    r = Redactor({"DB_PASSWORD": "hunter2secret", "STRIPE_API_KEY": "sk_test_abcdef", "AWS_REGION": "us-east-1",
                  "SHORT_TOKEN": "abc"})
    text = (f"pw hunter2secret key sk_test_abcdef region us-east-1 short abc "
            f"url postgres://bob:pw123@db/x id AKIAIOSFODNN7EXAMPLE jwt {JWT} "
            f"form password=abc&x=1 aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert r.redact(text) == (
        "pw *** key *** region us-east-1 short abc url postgres://bob:***@db/x id *** jwt *** "
        "form password=***&x=1 aws_secret_access_key=***")


def test_logging_filter_masks_messages_and_args(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_SECRET", "s3cr3t-value-1")
    redact.refresh()
    stream = io.StringIO()
    logger = logging.getLogger("faasguard-test-redact")
    handler = logging.StreamHandler(stream)
    handler.addFilter(redact.make_logging_filter())
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("connecting with %s and %s", "s3cr3t-value-1", JWT)
    logger.removeHandler(handler)
    assert stream.getvalue() == "connecting with *** and ***\n"


def test_stdout_guard_masks_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PASS", "pa55word-xyz")
    redact.refresh()
    sink = io.StringIO()
    stream = RedactingStream(sink)
    print("dsn: pa55word-xyz", file=stream)  # type: ignore[arg-type]
    assert sink.getvalue() == "dsn: ***\n"


def test_security_events_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "tok-1234567890")
    redact.refresh()
    lines: list[str] = []
    emit.set_sink(lines.append)
    try:
        @guard(mode="monitor", sandbox=False, redact=False)
        def handler(event: Any, context: Any) -> Any:
            return "ok"

        handler({"q": "<script>fetch('/x?t=tok-1234567890')</script>"}, None)
    finally:
        emit.set_sink(None)
    [event] = [json.loads(x) for x in lines]
    assert "tok-1234567890" not in json.dumps(event)
    assert event["excerpt"] == "<script>fetch('/x?t=***')</script>"
    assert len(event["excerpt"]) <= emit.EXCERPT_CHARS
