"""``@guard``: inspect each event, validate it, enforce behaviour limits, report.

The guard never breaks the handler because of its own bug: every step of the guard's own
work runs inside ``try``; on an internal error the handler runs as if the guard were in
monitor mode, and a ``guard_error`` security event says so. Exceptions raised by the
handler itself are not touched.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping

from faasguard.guard import emit as _emit
from faasguard.guard import events as ev
from faasguard.guard import sandbox as _sandbox
from faasguard.guard.config import GuardConfig
from faasguard.guard.detection import Detection

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any

if TYPE_CHECKING:
    Handler = Callable[[Any, Any], Any]
_RECORD_INDEX = re.compile(r"^\$\.Records\[(\d+)\]")
_current = {"request_id": "", "source": "", "mode": "monitor"}
_SEVERITY_ORDER = {"low": 1, "medium": 2, "high": 3, "critical": 4}


class RequestBlocked(Exception):
    """Raised for non-HTTP events the guard refuses in block mode (the invocation fails)."""

    def __init__(self, detections: list[Detection]) -> None:
        self.detections = detections
        first = max(detections, key=lambda d: _SEVERITY_ORDER.get(d.severity, 0)) if detections else None
        what = f"{first.category} ({first.rule_id}) in {first.field}" if first else "policy"
        super().__init__(f"faasguard blocked this event: {what}")


class _Decision:
    __slots__ = ("source", "detections", "bad_records")

    def __init__(self, source: str, detections: list[Detection], bad_records: set[int]) -> None:
        self.source = source
        self.detections = detections
        self.bad_records = bad_records


def _sandbox_reporter(violation: _sandbox.Violation, action: str) -> None:
    _emit.emit(_emit.security_event(
        "sandbox", field=violation.target, detector=violation.kind, rule_id=violation.rule_id,
        severity=violation.severity, action=action, mode=_current["mode"], excerpt=violation.target,
        message=violation.message, request_id=_current["request_id"], event_source=_current["source"],
    ))


def _guard_error(stage: str, exc: BaseException, config: GuardConfig) -> None:
    _emit.emit(_emit.security_event(
        "guard_error", field=stage, detector="guard", rule_id="FG-GUARD-ERROR", severity="low",
        action="reported", mode=config.mode,
        message=f"guard error during {stage}: {type(exc).__name__}: {exc}; handler ran unguarded for this step",
        request_id=_current["request_id"], event_source=_current["source"],
    ))


class GuardedHandler:
    """The wrapper ``@guard`` returns. Callable like the handler it wraps."""

    def __init__(self, handler: Handler, config: GuardConfig) -> None:
        self.handler = handler
        self.config = config
        self.limits = ev.Limits(max_depth=config.max_depth, max_values=config.max_values,
                                max_body_bytes=config.max_body_bytes)
        self.validator: Callable[[Any], str | None] | None = None
        self._inspect_values: Callable[..., list[Detection]] | None = None
        functools.update_wrapper(self, handler)
        self._init()

    # -- cold start ------------------------------------------------------------------------
    def _init(self) -> None:
        cfg = self.config
        if cfg.inspect:
            try:
                from faasguard.guard.inspection import inspect_values  # compiles the detectors now

                self._inspect_values = inspect_values
            except Exception as exc:  # noqa: BLE001
                _guard_error("init.detectors", exc, cfg)
        if cfg.schema is not None:
            try:
                from faasguard.guard.schema import compile_schema

                self.validator = compile_schema(cfg.schema)
            except Exception as exc:  # noqa: BLE001
                _guard_error("init.schema", exc, cfg)
        if cfg.redact:
            try:
                from faasguard.guard import redact

                redact.refresh()
                redact.install_logging_filter()
                redact.install_stdout_guard()
            except Exception as exc:  # noqa: BLE001
                _guard_error("init.redact", exc, cfg)
        if cfg.sandbox:
            try:
                policy = _sandbox.Policy(mode=cfg.mode, allow_subprocess=cfg.allow_subprocess,
                                         allow_hosts=cfg.allow_hosts, allow_aws=cfg.allow_aws,
                                         writable=cfg.allow_write, strict=cfg.strict)
                _sandbox.install(policy, _sandbox_reporter)
            except Exception as exc:  # noqa: BLE001
                _guard_error("init.sandbox", exc, cfg)

    # -- per invocation --------------------------------------------------------------------
    def __call__(self, event: Any, context: Any = None) -> Any:
        cfg = self.config
        _current["request_id"] = str(getattr(context, "aws_request_id", "") or "")
        _current["mode"] = cfg.mode
        _current["source"] = ""
        _sandbox._state.reported.clear()
        decision: _Decision | None = None
        try:
            decision = self._decide(event)
        except Exception as exc:  # noqa: BLE001 - the guard's bug: run the handler unguarded
            _guard_error("inspect", exc, cfg)
        if decision is None or not decision.detections or not cfg.blocking:
            return self.handler(event, context)
        try:
            return self._enforce(decision, event, context)
        except RequestBlocked:
            raise
        except _HandlerError as wrapped:
            raise wrapped.original from None
        except Exception as exc:  # noqa: BLE001
            _guard_error("enforce", exc, cfg)
            return self.handler(event, context)

    def _decide(self, event: Any) -> _Decision:
        cfg = self.config
        source, values, op_keys = ev.collect(event, None, self.limits)
        _current["source"] = source
        detections: list[Detection] = []
        if self._inspect_values is not None:
            detections = self._inspect_values(values, op_keys, cfg.categories)
        if self.validator is not None:
            detections.extend(self._validate(event, source))
        bad_records: set[int] = set()
        action = "blocked" if cfg.blocking else "reported"
        for d in detections:
            m = _RECORD_INDEX.match(d.field)
            if m:
                bad_records.add(int(m.group(1)))
            kind = "limit" if d.category == "limits" else "schema" if d.category == "schema" else "detection"
            _emit.emit(_emit.security_event(
                kind, field=d.field, detector=d.category, rule_id=d.rule_id, severity=d.severity, action=action,
                mode=cfg.mode, excerpt=d.excerpt, message=d.message, request_id=_current["request_id"],
                event_source=source,
            ))
        return _Decision(source, detections, bad_records)

    def _validate(self, event: Any, source: str) -> list[Detection]:
        assert self.validator is not None
        targets: list[tuple[str, Any]] = []
        if source in ev.HTTP_SOURCES and isinstance(event, dict):
            body = event.get("body")
            if isinstance(body, str) and event.get("isBase64Encoded"):
                import base64

                body = base64.b64decode(body).decode("utf-8", "replace")
            try:
                parsed = json.loads(body) if isinstance(body, str) and body else body
            except ValueError:
                return [Detection("schema", "FG-SCHEMA-002", "$.body", str(body)[:120], "medium",
                                  "body is not JSON")]
            targets.append(("$.body", parsed))
        elif source in (ev.SQS, ev.SNS) and isinstance(event, dict):
            for i, rec in enumerate(event.get("Records") or []):
                raw = rec.get("body") if source == ev.SQS else (rec.get("Sns") or {}).get("Message")
                path = f"$.Records[{i}].body" if source == ev.SQS else f"$.Records[{i}].Sns.Message"
                try:
                    targets.append((path, json.loads(raw) if isinstance(raw, str) else raw))
                except ValueError:
                    return [Detection("schema", "FG-SCHEMA-002", path, str(raw)[:120], "medium",
                                      "message is not JSON")]
        elif source == ev.EVENTBRIDGE and isinstance(event, dict):
            targets.append(("$.detail", event.get("detail")))
        else:
            targets.append(("$", event))
        found = []
        for path, value in targets:
            error = self.validator(value)
            if error:
                found.append(Detection("schema", "FG-SCHEMA-001", path, error[:120], "medium",
                                       f"schema violation: {error}"))
        return found

    def _enforce(self, decision: _Decision, event: Any, context: Any) -> Any:
        cfg = self.config
        if decision.source in ev.HTTP_SOURCES:
            return self._http_response(decision)
        if decision.source == ev.SQS and isinstance(event, dict) and decision.bad_records:
            return self._partial_batch(decision, event, context)
        if cfg.response is not None and callable(cfg.response):
            return cfg.response(decision.detections, decision.source)
        raise RequestBlocked(decision.detections)

    def _http_response(self, decision: _Decision) -> Any:
        cfg = self.config
        if callable(cfg.response):
            return cfg.response(decision.detections, decision.source)
        status = 413 if any(d.category == "limits" for d in decision.detections) else 400
        body = {"message": "Request blocked", "request_id": _current["request_id"]}
        response: dict[str, Any] = {
            "statusCode": status,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body),
            "isBase64Encoded": False,
        }
        if decision.source == ev.ALB:
            response["statusDescription"] = f"{status} {'Payload Too Large' if status == 413 else 'Bad Request'}"
        if isinstance(cfg.response, Mapping):
            response.update(cfg.response)
        return response

    def _partial_batch(self, decision: _Decision, event: dict[str, Any], context: Any) -> Any:
        ids = ev.message_ids(event)
        failures = [{"itemIdentifier": ids[i]} for i in sorted(decision.bad_records) if i < len(ids)]
        clean = [r for i, r in enumerate(event.get("Records") or []) if i not in decision.bad_records]
        if not clean:
            return {"batchItemFailures": failures}
        try:
            result = self.handler({**event, "Records": clean}, context)
        except Exception as exc:
            raise _HandlerError(exc) from exc
        if isinstance(result, dict) and isinstance(result.get("batchItemFailures"), list):
            return {**result, "batchItemFailures": result["batchItemFailures"] + failures}
        return {"batchItemFailures": failures}


class _HandlerError(Exception):
    """Carries the handler's own exception through the guard's error handling unchanged."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


def guard(
    handler: Handler | None = None,
    *,
    mode: str | None = None,
    schema: Mapping[str, Any] | None = None,
    allow_hosts: list[str] | tuple[str, ...] | None = None,
    response: Any = None,
    config: GuardConfig | None = None,
    **options: Any,
) -> Any:
    """Protect a Lambda handler. Use as ``@guard`` or ``@guard(mode="block", ...)``.

    Arguments override ``config`` (default: ``GuardConfig.from_env()``); other keyword
    arguments are ``GuardConfig`` fields (``sandbox``, ``strict``, ``allow_subprocess``, ...).
    """
    base = config or GuardConfig.from_env()
    changes: dict[str, Any] = dict(options)
    if mode is not None:
        changes["mode"] = mode
    if schema is not None:
        changes["schema"] = schema
    if allow_hosts is not None:
        changes["allow_hosts"] = tuple(allow_hosts)
    if response is not None:
        changes["response"] = response
    cfg = base.replace(**changes) if changes else base

    def wrap(fn: Handler) -> GuardedHandler:
        return GuardedHandler(fn, cfg)

    return wrap(handler) if handler is not None else wrap
