"""Security events: one JSON object per line on stdout (CloudWatch Logs picks them up).

Schema (``schema`` = ``faasguard.guard/1``; see docs/guard.md):

``time`` ISO-8601 UTC, ``type`` (detection | sandbox | schema | limit | guard_error),
``function``, ``request_id``, ``event_source``, ``field`` (path in the event, or the
audited operation), ``detector`` (category), ``rule_id``, ``severity``, ``action``
(reported | blocked), ``mode``, ``excerpt`` (at most 120 characters, secrets masked),
``message``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from faasguard.guard.redact import redact

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any

SCHEMA = "faasguard.guard/1"
EXCERPT_CHARS = 120
FIELDS = ("schema", "time", "type", "function", "request_id", "event_source", "field", "detector",
          "rule_id", "severity", "action", "mode", "excerpt", "message")

# Where events go; tests and the benchmark swap it. Default: the real stdout, bypassing any
# wrapper the function installed (the events are already redacted).
_sink: Callable[[str], None] | None = None


def set_sink(sink: Callable[[str], None] | None) -> None:
    global _sink
    _sink = sink


def _write(line: str) -> None:
    if _sink is not None:
        _sink(line)
        return
    stream = sys.__stdout__ or sys.stdout
    stream.write(line + "\n")
    stream.flush()


def _now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def security_event(
    type_: str,
    *,
    field: str = "",
    detector: str = "",
    rule_id: str = "",
    severity: str = "medium",
    action: str = "reported",
    mode: str = "monitor",
    excerpt: str = "",
    message: str = "",
    request_id: str = "",
    event_source: str = "",
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "time": _now(),
        "type": type_,
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""),
        "request_id": request_id,
        "event_source": event_source,
        "field": field[:300],
        "detector": detector,
        "rule_id": rule_id,
        "severity": severity,
        "action": action,
        "mode": mode,
        "excerpt": redact(excerpt[:EXCERPT_CHARS * 2])[:EXCERPT_CHARS],
        "message": redact(message[:500]),
    }


def emit(event: dict[str, Any]) -> None:
    """Write one event; never raises (a logging failure must not break the handler)."""
    try:  # noqa: SIM105 - contextlib.suppress is slower on this hot path
        _write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
    except Exception:  # noqa: BLE001
        pass
