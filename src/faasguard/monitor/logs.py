"""Lambda function logs and runtime-guard security events.

Accepted shapes (all gzip or not):

- CloudWatch Logs exports to S3: ``<timestamp> <message>`` per line;
- ``aws logs tail`` output: ``<timestamp> <log stream> <message>``;
- ``aws logs filter-log-events`` / ``get-log-events`` JSON output (``{"events": [...]}``) and
  subscription-filter payloads (``{"logGroup": ..., "logEvents": [...]}``), one per line or whole;
- Lambda's JSON log format: ``platform.start`` / ``platform.report`` records and application
  lines ``{"timestamp", "level", "requestId", "message"}``;
- the runtime guard's security events: one JSON object per line (or as the message of a log line).

``START``/``END``/``REPORT`` lines become one row per invocation (duration, billed duration,
memory, init duration, status: ok / error / timeout); other lines are kept as log lines with
their level. The function comes from the log group (``/aws/lambda/NAME``), a JSON field, the
path (``.../aws/lambda/NAME/...``) or the ``--function`` option. Row ids hash the content, so
re-ingesting a file adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

_TS = r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
_LINE_WITH_TIME = re.compile(_TS + r"\s+(.*)$", re.S)
_STREAM_PREFIX = re.compile(r"^(\d{4}/\d{2}/\d{2}/\[[^\]]*\]\S+)\s+(.*)$", re.S)  # aws logs tail
_START = re.compile(r"^START RequestId: (\S+)")
_END = re.compile(r"^END RequestId: (\S+)")
_REPORT = re.compile(r"^REPORT RequestId: (\S+)\s+(.*)$", re.S)
_REPORT_FIELD = re.compile(r"(Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration|Status):\s*([\w.]+)")
_TIMEOUT = re.compile(r"Task timed out after ([\d.]+) seconds")
_TEXT_LOG = re.compile(r"^(\S{36})\s+(ERROR|WARN|WARNING|INFO|DEBUG|CRITICAL|FATAL)\s*(.*)$", re.S)
_TEXT_LOG_WITH_LEVEL = re.compile(r"^\[(ERROR|WARN|WARNING|INFO|DEBUG|CRITICAL|FATAL)\]\s+\S+\s+(\S{36})\s*(.*)$", re.S)
_PATH_FUNCTION = re.compile(r"aws/lambda/([A-Za-z0-9_.-]+)")
_GUARD_ACTIONS = {"reported", "blocked", "report", "block", "monitor", "allowed", "failed_open", "error"}


def is_guard_event(obj: object) -> bool:
    """The runtime guard's security events (schema ``faasguard.guard/1``, docs/guard.md)."""
    if not isinstance(obj, dict):
        return False
    marker = str(obj.get("schema") or obj.get("source") or obj.get("logger") or "")
    if marker.startswith("faasguard"):
        return True
    return (str(obj.get("action", "")).lower() in _GUARD_ACTIONS
            and ("detector" in obj or "rule_id" in obj) and ("function" in obj or "request_id" in obj))


@dataclass
class _Invocation:
    function: str
    request_id: str
    start: str | None = None
    duration: float | None = None
    billed: float | None = None
    memory: int | None = None
    max_memory: int | None = None
    init: float | None = None
    status: str = "ok"


@dataclass
class _Batch:
    source_file: str
    invocations: dict[tuple[str, str], _Invocation] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    guard: list[dict[str, Any]] = field(default_factory=list)
    unreadable: int = 0


def _hash(*parts: object) -> str:
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:32]


def _iso_from_millis(value: object) -> str | None:
    try:
        return datetime.fromtimestamp(float(value) / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _function_from(*candidates: object) -> str | None:
    for candidate in candidates:
        if not candidate:
            continue
        text = str(candidate)
        match = _PATH_FUNCTION.search(text)
        if match:
            return match.group(1)
    return None


def _invocation(batch: _Batch, function: str, request_id: str) -> _Invocation:
    key = (function, request_id)
    inv = batch.invocations.get(key)
    if inv is None:
        inv = batch.invocations[key] = _Invocation(function, request_id)
    return inv


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None  # no NaN/inf


def _handle_message(batch: _Batch, function: str, time: str | None, message: str) -> None:
    """One log message of ``function`` (text, Lambda JSON or guard event)."""
    message = message.rstrip("\r\n")
    stripped = message.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            _handle_json(batch, function, time, obj)
            return
    if (m := _START.match(stripped)) is not None:
        inv = _invocation(batch, function, m.group(1))
        inv.start = inv.start or time
        return
    if _END.match(stripped):
        return
    if (m := _REPORT.match(stripped)) is not None:
        inv = _invocation(batch, function, m.group(1))
        fields = dict(_REPORT_FIELD.findall(m.group(2)))
        inv.duration = _number(fields.get("Duration"))
        inv.billed = _number(fields.get("Billed Duration"))
        inv.memory = int(_number(fields.get("Memory Size")) or 0) or None
        inv.max_memory = int(_number(fields.get("Max Memory Used")) or 0) or None
        inv.init = _number(fields.get("Init Duration"))
        status = fields.get("Status", "").lower()
        if status == "timeout":
            inv.status = "timeout"
        elif status == "error" and inv.status == "ok":
            inv.status = "error"
        inv.start = inv.start or time
        return
    request_id = None
    level = "INFO"
    if (m := _TEXT_LOG.match(stripped)) is not None:
        request_id, level, message = m.group(1), m.group(2), m.group(3)
    elif (m := _TEXT_LOG_WITH_LEVEL.match(stripped)) is not None:
        level, request_id, message = m.group(1), m.group(2), m.group(3)
    timeout = _TIMEOUT.search(stripped)
    if timeout:
        level = "ERROR"
        tid = re.search(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", stripped)
        if tid:
            request_id = tid.group(1)
            _invocation(batch, function, request_id).status = "timeout"
    elif level in ("ERROR", "CRITICAL", "FATAL") and request_id:
        inv = _invocation(batch, function, request_id)
        if inv.status == "ok":
            inv.status = "error"
    if not stripped:
        return
    batch.lines.append({"id": _hash(function, time, request_id, message), "function_name": function,
                        "request_id": request_id, "log_time": time, "level": level.upper(),
                        "message": message[:4000], "data": None, "source_file": batch.source_file})


def _handle_json(batch: _Batch, function: str, time: str | None, obj: dict[str, Any]) -> None:
    fn = str(obj.get("function") or obj.get("function_name") or obj.get("functionName") or function)
    if is_guard_event(obj):
        batch.guard.append(_guard_row(obj, fn, time, batch.source_file))
        return
    kind = obj.get("type")
    raw_record = obj.get("record")
    record: dict[str, Any] = raw_record if isinstance(raw_record, dict) else {}
    when = str(obj.get("time") or obj.get("timestamp") or time or "") or None
    if kind == "platform.start" and record.get("requestId"):
        inv = _invocation(batch, fn, str(record["requestId"]))
        inv.start = inv.start or when
        return
    if kind in ("platform.report", "platform.runtimeDone") and record.get("requestId"):
        inv = _invocation(batch, fn, str(record["requestId"]))
        raw_metrics = record.get("metrics")
        metrics: dict[str, Any] = raw_metrics if isinstance(raw_metrics, dict) else {}
        if kind == "platform.report":
            inv.duration = _number(metrics.get("durationMs"))
            inv.billed = _number(metrics.get("billedDurationMs"))
            memory, max_memory = _number(metrics.get("memorySizeMB")), _number(metrics.get("maxMemoryUsedMB"))
            inv.memory = int(memory) if memory is not None else None
            inv.max_memory = int(max_memory) if max_memory is not None else None
            inv.init = _number(metrics.get("initDurationMs"))
        status = str(record.get("status", "success")).lower()
        if status == "timeout":
            inv.status = "timeout"
        elif status in ("error", "failure") and inv.status == "ok":
            inv.status = "error"
        return
    level = str(obj.get("level") or obj.get("levelname") or "INFO").upper()
    request_id = obj.get("requestId") or obj.get("request_id") or obj.get("AWSRequestId") \
        or obj.get("function_request_id")
    if level in ("ERROR", "CRITICAL", "FATAL") and request_id:
        inv = _invocation(batch, fn, str(request_id))
        if inv.status == "ok":
            inv.status = "error"
    message = obj.get("message") if isinstance(obj.get("message"), str) else json.dumps(obj.get("message"))
    batch.lines.append({"id": _hash(fn, when, request_id, json.dumps(obj, sort_keys=True)), "function_name": fn,
                        "request_id": request_id, "log_time": when, "level": level,
                        "message": (message or "")[:4000], "data": json.dumps(obj),
                        "source_file": batch.source_file})


def _guard_row(obj: dict[str, Any], function: str, time: str | None, source_file: str) -> dict[str, Any]:
    def text(*keys: str) -> str | None:
        for key in keys:
            value = obj.get(key)
            if value not in (None, ""):
                return str(value)
        return None

    excerpt = text("excerpt")
    kind = text("type", "kind") or ("sandbox" if obj.get("detector") == "sandbox" else None)
    return {
        "id": text("event_id", "id") or _hash(json.dumps(obj, sort_keys=True)),
        "event_time": text("time", "timestamp") or time,
        "function_name": function,
        "request_id": text("request_id", "requestId"),
        "event_source": text("event_source", "source_type"),
        "field": text("field", "path"),
        "detector": text("detector"),
        "category": text("category", "detector"),
        "rule_id": text("rule_id"),
        "severity": (text("severity") or "medium").lower(),
        "action": (text("action") or "").lower() or None,
        "kind": kind,  # detection | schema | limit | sandbox | guard_error
        "excerpt": excerpt[:500] if excerpt else None,
        "data": json.dumps(obj),
        "source_file": source_file,
    }


def _parse(lines: Iterable[str], source_file: str, default_function: str) -> _Batch:
    batch = _Batch(source_file)
    buffered: list[str] = []
    for raw in lines:
        line = raw.strip("\r\n")
        if not line.strip():
            continue
        stripped = line.lstrip()
        if stripped.startswith("{") and ('"logEvents"' in stripped or '"events"' in stripped):
            buffered.append(line)
            try:
                doc = json.loads("\n".join(buffered))
            except json.JSONDecodeError:
                continue
            buffered.clear()
            _handle_document(batch, doc, default_function)
            continue
        if buffered:  # inside a pretty-printed document
            buffered.append(line)
            try:
                doc = json.loads("\n".join(buffered))
            except json.JSONDecodeError:
                if len(buffered) > 2_000_000:
                    batch.unreadable += len(buffered)
                    buffered.clear()
                continue
            buffered.clear()
            _handle_document(batch, doc, default_function)
            continue
        if stripped == "{":
            buffered.append(line)
            continue
        _handle_line(batch, line, default_function)
    if buffered:
        batch.unreadable += len(buffered)
    return batch


def _handle_document(batch: _Batch, doc: object, function: str) -> None:
    if not isinstance(doc, dict):
        batch.unreadable += 1
        return
    group_function = _function_from(doc.get("logGroup"), doc.get("logGroupName")) or function
    for item in doc.get("logEvents") or doc.get("events") or []:
        if not isinstance(item, dict):
            batch.unreadable += 1
            continue
        fn = _function_from(item.get("logGroupName")) or group_function
        _handle_message(batch, fn, _iso_from_millis(item.get("timestamp")), str(item.get("message", "")))


def _handle_line(batch: _Batch, line: str, function: str) -> None:
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError:
            batch.unreadable += 1
            return
        if isinstance(obj, dict) and ("logEvents" in obj or "events" in obj):
            _handle_document(batch, obj, function)
        elif isinstance(obj, dict):
            _handle_json(batch, function, None, obj)
        else:
            batch.unreadable += 1
        return
    time = None
    m = _LINE_WITH_TIME.match(stripped)
    if m:
        time, stripped = m.group(1), m.group(2)
        s = _STREAM_PREFIX.match(stripped)
        if s:
            stripped = s.group(2)
    _handle_message(batch, function, time, stripped)


_INVOCATION_COLUMNS = {"id": "VARCHAR", "function_name": "VARCHAR", "request_id": "VARCHAR",
                       "start_time": "VARCHAR", "duration_ms": "DOUBLE", "billed_ms": "DOUBLE",
                       "memory_mb": "INTEGER", "max_memory_mb": "INTEGER", "init_ms": "DOUBLE",
                       "status": "VARCHAR", "source_file": "VARCHAR"}
_LINE_COLUMNS = {"id": "VARCHAR", "function_name": "VARCHAR", "request_id": "VARCHAR", "log_time": "VARCHAR",
                 "level": "VARCHAR", "message": "VARCHAR", "data": "VARCHAR", "source_file": "VARCHAR"}
_GUARD_COLUMNS = {"id": "VARCHAR", "event_time": "VARCHAR", "function_name": "VARCHAR", "request_id": "VARCHAR",
                  "event_source": "VARCHAR", "field": "VARCHAR", "detector": "VARCHAR", "category": "VARCHAR",
                  "rule_id": "VARCHAR", "severity": "VARCHAR", "action": "VARCHAR", "kind": "VARCHAR",
                  "excerpt": "VARCHAR", "data": "VARCHAR", "source_file": "VARCHAR"}
_TIME_COLUMNS = {"start_time", "log_time", "event_time"}


def _bulk_insert(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str],
                 rows: list[dict[str, Any]]) -> int:
    """Insert rows through a temporary NDJSON file (DuckDB's reader, not per-row statements)."""
    if not rows:
        return 0
    handle, name = tempfile.mkstemp(prefix="faasguard-rows-", suffix=".ndjson")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, default=str))
                out.write("\n")
        spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
        select = ", ".join(
            (f"CASE WHEN {c} LIKE '%Z' OR {c} NOT LIKE '%+%' THEN try_cast({c} AS TIMESTAMP) ELSE "
             f"try_cast(try_cast({c} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP) END")
            if c in _TIME_COLUMNS else c for c in columns)
        result = con.execute(
            f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) SELECT {select} FROM "
            f"read_json('{name}', format='newline_delimited', columns={spec})").fetchone()
        return int(result[0]) if result else 0
    finally:
        os.unlink(name)


def ingest_log_file(con: duckdb.DuckDBPyConnection, path: Path, lines: Iterable[str],
                    function: str | None = None) -> tuple[int, int, int]:
    """Parse and store one log file; returns (rows added, duplicate rows, unreadable lines)."""
    default_function = function or _function_from(str(path)) or "unknown"
    batch = _parse(lines, str(path), default_function)
    invocations = [
        {"id": _hash(i.function, i.request_id), "function_name": i.function, "request_id": i.request_id,
         "start_time": i.start, "duration_ms": i.duration, "billed_ms": i.billed, "memory_mb": i.memory,
         "max_memory_mb": i.max_memory, "init_ms": i.init, "status": i.status, "source_file": str(path)}
        for i in batch.invocations.values()
    ]
    total = len(invocations) + len(batch.lines) + len(batch.guard)
    con.execute("BEGIN TRANSACTION")
    try:
        added = _bulk_insert(con, "lambda_invocations", _INVOCATION_COLUMNS, invocations)
        added += _bulk_insert(con, "lambda_log_lines", _LINE_COLUMNS, batch.lines)
        added += _bulk_insert(con, "guard_events", _GUARD_COLUMNS, batch.guard)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return added, total - added, batch.unreadable
