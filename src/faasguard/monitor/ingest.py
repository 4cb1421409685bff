"""Ingest CloudTrail, Lambda logs and runtime-guard events into the store.

CloudTrail is parsed by DuckDB's JSON reader (no per-record Python), in every shape users have:
S3 delivery files ``{"Records": [...]}`` (gzip or not), NDJSON, JSON arrays and EventBridge
"AWS API Call via CloudTrail" envelopes. Large NDJSON files are cut at line boundaries into
chunks; each chunk is inserted and its end offset recorded in one transaction, so a killed ingest
resumes at the last committed chunk. Rows are keyed by CloudTrail ``eventID`` and inserted with an
anti-join, so re-ingesting a file (or a chunk after a crash) adds nothing.

Lambda logs and guard events are smaller and line-oriented: see :mod:`faasguard.monitor.logs`.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import BinaryIO

import duckdb

from faasguard.monitor import logs
from faasguard.monitor.store import USER_IDENTITY_TYPE

DEFAULT_CHUNK_BYTES = 512 * 1024 * 1024
# A chunk is at most this many lines: two DuckDB row groups (122,880 rows each), so every commit
# writes whole row groups (partial ones cost CPU now and compress worse later).
CHUNK_LINES = 2 * 122_880
_SNIFF_BYTES = 256 * 1024
_SUFFIXES = {".json", ".ndjson", ".jsonl", ".gz", ".log", ".txt", ".out"}

ProgressCallback = Callable[[int, int], None]  # (bytes done in this file, file size)


class InputKind(str, Enum):
    CLOUDTRAIL_NDJSON = "cloudtrail-ndjson"
    CLOUDTRAIL_RECORDS = "cloudtrail-records"  # {"Records": [...]} S3 delivery file
    CLOUDTRAIL_ARRAY = "cloudtrail-array"  # [record, record, ...]
    EVENTBRIDGE_NDJSON = "eventbridge-ndjson"  # one EventBridge envelope per line
    EVENTBRIDGE_ARRAY = "eventbridge-array"
    CLOUDTRAIL_DOCUMENTS = "cloudtrail-documents"  # pretty-printed record(s), one after another
    EVENTBRIDGE_DOCUMENTS = "eventbridge-documents"
    LAMBDA_LOGS = "lambda-logs"  # CloudWatch exports: text, JSON log lines, filter-log-events output
    GUARD_EVENTS = "guard-events"
    UNKNOWN = "unknown"


@dataclass
class FileResult:
    path: str
    kind: InputKind
    added: int = 0
    skipped_duplicates: int = 0
    unreadable: int = 0
    resumed_from: int = 0
    already_done: bool = False
    error: str = ""


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error]


# --- file discovery and sniffing ---------------------------------------------------------------


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files under each path (directories recursively, in a stable order)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and (child.suffix.lower() in _SUFFIXES or not child.suffix):
                    yield child
        else:
            yield path


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _open_text(path: Path) -> Iterator[str]:
    if _is_gzip(path):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as zipped:
            yield from zipped
    else:
        with path.open(encoding="utf-8", errors="replace") as handle:
            yield from handle


def _head(path: Path) -> str:
    if _is_gzip(path):
        with gzip.open(path, "rb") as handle:
            data = handle.read(_SNIFF_BYTES)
    else:
        with path.open("rb") as handle:
            data = handle.read(_SNIFF_BYTES)
    return data.decode("utf-8", errors="replace")


def _looks_like_cloudtrail(obj: object) -> bool:
    return isinstance(obj, dict) and "eventName" in obj and ("eventSource" in obj or "eventID" in obj)


def _looks_like_eventbridge(obj: object) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("detail"), dict)
            and ("detail-type" in obj or "detail_type" in obj) and _looks_like_cloudtrail(obj["detail"]))


def sniff(path: Path) -> InputKind:
    """Guess what a file holds from its first bytes (never from its name alone)."""
    head = _head(path).lstrip("\ufeff \t\r\n")
    if not head or "\x00" in head or head.count("\ufffd") > len(head) // 20:
        return InputKind.UNKNOWN  # empty or binary
    if head.startswith("["):
        first = head[1:].lstrip()
        if first.startswith("{"):
            try:
                obj, _ = json.JSONDecoder().raw_decode(first)
            except json.JSONDecodeError:
                return InputKind.CLOUDTRAIL_ARRAY if '"eventName"' in head else InputKind.UNKNOWN
            if _looks_like_eventbridge(obj):
                return InputKind.EVENTBRIDGE_ARRAY
            if _looks_like_cloudtrail(obj):
                return InputKind.CLOUDTRAIL_ARRAY
        return InputKind.UNKNOWN
    if head.startswith("{"):
        first_line = head.split("\n", 1)[0]
        try:
            obj = json.loads(first_line)
        except json.JSONDecodeError:
            obj = None
        if obj is None:  # a pretty-printed document: look at its opening keys
            if head.lstrip("{ \r\n\t").startswith('"Records"'):
                return InputKind.CLOUDTRAIL_RECORDS
            if '"detail-type"' in head and '"eventName"' in head:
                return InputKind.EVENTBRIDGE_DOCUMENTS
            if '"logEvents"' in head or '"events"' in head:
                return InputKind.LAMBDA_LOGS
            if '"eventName"' in head and '"eventSource"' in head:
                return InputKind.CLOUDTRAIL_DOCUMENTS
            return InputKind.UNKNOWN
        if isinstance(obj, dict) and "Records" in obj:
            return InputKind.CLOUDTRAIL_RECORDS
        if _looks_like_eventbridge(obj):
            return InputKind.EVENTBRIDGE_NDJSON
        if _looks_like_cloudtrail(obj):
            return InputKind.CLOUDTRAIL_NDJSON
        if logs.is_guard_event(obj):
            return InputKind.GUARD_EVENTS
        return InputKind.LAMBDA_LOGS  # JSON log lines, filter-log-events or subscription payloads
    return InputKind.LAMBDA_LOGS


# --- CloudTrail through DuckDB -----------------------------------------------------------------

# The CloudTrail record fields read. userIdentity has a documented shape and is parsed straight into
# a struct (no second JSON parse); request/response data is free-form and stays JSON.
_RECORD_FIELDS: tuple[tuple[str, str], ...] = (
    ("eventID", "VARCHAR"), ("eventTime", "VARCHAR"), ("@timestamp", "VARCHAR"), ("eventSource", "VARCHAR"),
    ("eventName", "VARCHAR"), ("eventType", "VARCHAR"), ("eventCategory", "VARCHAR"),
    ("awsRegion", "VARCHAR"), ("sourceIPAddress", "VARCHAR"), ("userAgent", "VARCHAR"),
    ("errorCode", "VARCHAR"), ("errorMessage", "VARCHAR"), ("readOnly", "VARCHAR"),
    ("recipientAccountId", "VARCHAR"), ("requestID", "VARCHAR"), ("userIdentity", USER_IDENTITY_TYPE),
    ("requestParameters", "JSON"), ("responseElements", "JSON"), ("additionalEventData", "JSON"),
    ("resources", "JSON"),
)
def _columns_literal(fields: Iterable[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in fields) + "}"


def _record_struct() -> str:
    parts = [f'"{name}" {kind}' for name, kind in _RECORD_FIELDS]
    return "STRUCT(" + ", ".join(parts) + ")"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _flatten_select(prefix: str, source_sql: str) -> str:
    """The projection from a CloudTrail record (columns at ``prefix``) to ``cloudtrail_events``;
    ``source_sql`` is the SQL for the file the record came from."""

    def f(name: str) -> str:
        return f"{prefix}{_q(name)}"

    ui = f"{prefix}{_q('userIdentity')}"
    time_text = f"coalesce({f('eventTime')}, {f('@timestamp')})"
    function_param = f"({f('requestParameters')}->>'$.functionName')"
    return f"""
      coalesce({f('eventID')}, md5(concat_ws('|', {time_text}, {f('eventSource')}, {f('eventName')},
               {f('requestID')}, {ui}.arn))) AS event_id,
      CASE WHEN {time_text} LIKE '%Z' THEN try_cast({time_text} AS TIMESTAMP)
           ELSE try_cast(try_cast({time_text} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP) END AS event_time,
      {f('eventSource')} AS event_source, {f('eventName')} AS event_name, {f('eventType')} AS event_type,
      {f('eventCategory')} AS event_category, {f('awsRegion')} AS aws_region,
      {f('sourceIPAddress')} AS source_ip, {f('userAgent')} AS user_agent, {f('errorCode')} AS error_code,
      {f('errorMessage')} AS error_message, try_cast({f('readOnly')} AS BOOLEAN) AS read_only,
      {f('recipientAccountId')} AS recipient_account_id,
      CASE WHEN {ui}.type = 'AssumedRole' THEN split_part({ui}.arn, '/', 3) END AS session_name,
      CASE WHEN {f('eventSource')} = 'lambda.amazonaws.com' AND {function_param} IS NOT NULL THEN
        CASE WHEN {function_param} LIKE '%:function:%'
               THEN split_part(split_part({function_param}, ':function:', 2), ':', 1)
             ELSE split_part({function_param}, ':', 1) END
      END AS target_function,
      {ui} AS user_identity, {f('requestParameters')} AS request_parameters,
      {f('responseElements')} AS response_elements, {f('additionalEventData')} AS additional_event_data,
      {f('resources')} AS resources, {source_sql} AS source_file
    """


def _source_relation(kind: InputKind, data_files: list[str]) -> tuple[str, str]:
    """(FROM clause, column prefix) reading ``data_files`` as ``kind``; rows carry ``filename``."""
    path = "[" + ", ".join(sql_literal(f) for f in data_files) + "]"
    # DuckDB sizes its read buffers from the largest object allowed: generous for one big
    # document, bounded when many small files are read together.
    big = 1 << 30 if len(data_files) == 1 else 1 << 27
    record = _record_struct()
    common = "ignore_errors=true, filename=true"
    if kind is InputKind.CLOUDTRAIL_NDJSON:
        cols = _columns_literal(_RECORD_FIELDS)
        return (f"read_json({path}, format='newline_delimited', {common}, columns={cols},"
                " maximum_object_size=67108864)"), ""
    if kind is InputKind.EVENTBRIDGE_NDJSON:
        cols = "{'detail': '" + record + "'}"
        return (f"read_json({path}, format='newline_delimited', {common}, columns={cols},"
                " maximum_object_size=67108864)"), "detail."
    if kind is InputKind.CLOUDTRAIL_RECORDS:
        cols = "{'Records': '" + record + "[]'}"
        return (f"(SELECT unnest(Records) AS r, filename FROM read_json({path}, format='auto', {common},"
                f" columns={cols}, maximum_object_size={big}))"), "r."
    if kind is InputKind.CLOUDTRAIL_ARRAY:
        return (f"(SELECT r, filename FROM read_json({path}, format='array', records=false, {common},"
                f" columns={{'r': '{record}'}}, maximum_object_size={big}))"), "r."
    if kind is InputKind.CLOUDTRAIL_DOCUMENTS:
        cols = _columns_literal(_RECORD_FIELDS)
        return (f"read_json({path}, format='auto', {common}, columns={cols},"
                f" maximum_object_size={big})"), ""
    if kind in (InputKind.EVENTBRIDGE_DOCUMENTS, InputKind.EVENTBRIDGE_ARRAY):
        cols = "{'detail': '" + record + "'}"
        fmt = "array" if kind is InputKind.EVENTBRIDGE_ARRAY else "auto"
        return (f"read_json({path}, format='{fmt}', {common}, columns={cols},"
                f" maximum_object_size={big})"), "detail."
    raise ValueError(f"not a CloudTrail input kind: {kind}")


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


Stats = dict[str, list[int]]  # source file -> [added, duplicates, unreadable]
_UNREADABLE = "~faasguard:unreadable~"  # not a CloudTrail eventID (those are UUIDs)


def _insert_cloudtrail(con: duckdb.DuckDBPyConnection, kind: InputKind, data_files: list[str],
                       source: str | None = None) -> Stats:
    """Insert the records of ``data_files``; returns per-source (added, duplicates, unreadable).

    ``source`` names the file the rows come from when ``data_files`` is one chunk of it; else
    each file is its own source. One pass from the JSON reader into the table (no staging copy);
    duplicates (of stored rows or inside the batch) are removed afterwards.
    """
    relation, prefix = _source_relation(kind, data_files)
    source_sql = sql_literal(source) if source is not None else "filename"
    projection = _flatten_select(prefix, source_sql)
    bad = f'({prefix}"eventName" IS NULL AND {prefix}"eventID" IS NULL)'
    first_row = _scalar(con, "SELECT coalesce(max(rowid), -1) + 1 FROM cloudtrail_events")
    # Unreadable lines/records are inserted under a sentinel id, counted per source and deleted:
    # no second pass over the input is needed to tell them apart.
    con.execute(f"""
        INSERT INTO cloudtrail_events
        SELECT * EXCLUDE (_bad) REPLACE (CASE WHEN _bad THEN '{_UNREADABLE}' ELSE event_id END AS event_id)
        FROM (SELECT {projection}, {bad} AS _bad FROM {relation})""")
    # De-duplicate after the insert: the batch's ids (small) are the hash table, the stored ids are
    # only probed. An anti-join inside the INSERT would hash every stored id for every chunk.
    con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS SELECT rowid AS rid, event_id, source_file"
                f" FROM cloudtrail_events WHERE rowid >= {first_row}")
    drop = con.execute(f"""
        SELECT rid, source_file, 'unreadable' FROM _new WHERE event_id = '{_UNREADABLE}'
        UNION ALL
        SELECT rid, source_file, 'duplicate' FROM _new WHERE event_id IN (
          SELECT event_id FROM cloudtrail_events
          WHERE rowid < {first_row} AND event_id IN (SELECT event_id FROM _new))
        UNION ALL
        SELECT rid, source_file, 'duplicate' FROM (
          SELECT rid, source_file, row_number() OVER (PARTITION BY event_id ORDER BY rid) AS n FROM _new
          WHERE event_id <> '{_UNREADABLE}'
            AND event_id IN (SELECT event_id FROM _new GROUP BY event_id HAVING count(*) > 1))
        WHERE n > 1""").fetchall()
    if drop:
        con.execute("DELETE FROM cloudtrail_events WHERE rowid IN (SELECT unnest(?))", [[r[0] for r in drop]])
    stats: Stats = {str(src): [int(n), 0, 0] for src, n in
                    con.execute("SELECT source_file, count(*) FROM _new GROUP BY 1").fetchall()}
    for _, src, why in drop:
        stats[str(src)][0] -= 1
        stats[str(src)][1 if why == "duplicate" else 2] += 1
    _learn_function_roles(con, first_row)  # rowids of the kept rows are unchanged by the delete
    con.execute("DROP TABLE _new")
    return stats


def _learn_function_roles(con: duckdb.DuckDBPyConnection, first_row: int) -> None:
    """Record execution roles seen in this batch: roles given to functions, roles used by Lambda."""
    con.execute(f"""INSERT OR IGNORE INTO function_roles
        SELECT role_arn, any_value(function_name), any_value(learned_from) FROM (
          SELECT coalesce(response_elements->>'$.role', request_parameters->>'$.role') AS role_arn,
                 target_function AS function_name, event_name AS learned_from
          FROM cloudtrail_events
          WHERE rowid >= {first_row} AND event_source = 'lambda.amazonaws.com' AND error_code IS NULL
            AND (event_name LIKE 'CreateFunction%' OR event_name LIKE 'UpdateFunctionConfiguration%')
          UNION ALL
          SELECT user_identity.sessionContext.sessionIssuer.arn, session_name, 'lambda-runtime-session'
          FROM cloudtrail_events
          WHERE rowid >= {first_row} AND user_identity.sessionContext.sessionIssuer.arn IS NOT NULL
            AND user_agent LIKE '%exec-env/AWS_Lambda%'
        ) WHERE role_arn IS NOT NULL GROUP BY role_arn""")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


# --- chunked, resumable reading of large NDJSON files ------------------------------------------


def _file_key(path: Path, size: int) -> str:
    """Identity of a file's content for resume: its size and the hash of its first and last MiB."""
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(1 << 20))
        if size > (2 << 20):
            handle.seek(size - (1 << 20))
            digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:32]


def _copy_range(src: Path, start: int, end: int, dest: str) -> None:
    """Copy bytes [start, end) of ``src`` to ``dest`` (kernel-side when the OS allows)."""
    with src.open("rb") as fin, open(dest, "wb") as fout:
        remaining = end - start
        offset = start
        try:
            while remaining > 0:
                n = os.copy_file_range(fin.fileno(), fout.fileno(), remaining, offset)
                if n <= 0:
                    break
                offset += n
                remaining -= n
        except (AttributeError, OSError):
            fin.seek(offset)
            while remaining > 0:
                block = fin.read(min(remaining, 1 << 22))
                if not block:
                    break
                fout.write(block)
                remaining -= len(block)


def _gzip_chunks(path: Path, chunk_bytes: int, skip: int,
                 tmpdir: str) -> Iterator[tuple[str, int, int | None, int]]:
    """Decompress ``path`` into line-aligned chunk files; yields (chunk file, uncompressed end, line
    count (unknown), compressed bytes read so far)."""
    offset = 0
    carry = b""
    with path.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as handle:
        index = 0
        while True:
            block = handle.read(chunk_bytes)
            data = carry + block
            if not block:
                if data.strip() and offset + len(data) > skip:
                    yield (_write_chunk(tmpdir, index, data[max(0, skip - offset):]), offset + len(data), None,
                           raw.tell())
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            piece, carry = data[:cut], data[cut:]
            end = offset + len(piece)
            if end > skip:
                # the resume offset is a line boundary (an earlier chunk's end): start exactly there
                yield _write_chunk(tmpdir, index, piece[max(0, skip - offset):]), end, None, raw.tell()
                index += 1
            offset = end


def _write_chunk(tmpdir: str, index: int, data: bytes) -> str:
    name = os.path.join(tmpdir, f"chunk-{index}.ndjson")
    with open(name, "wb") as out:
        out.write(data)
    return name


def _progress_row(con: duckdb.DuckDBPyConnection, key: str) -> tuple[int, bool, int] | None:
    row = con.execute("SELECT byte_offset, done, events FROM ingest_progress WHERE file_key = ?", [key]).fetchone()
    return (int(row[0]), bool(row[1]), int(row[2] or 0)) if row else None


def _save_progress(con: duckdb.DuckDBPyConnection, key: str, path: Path, size: int, kind: InputKind,
                   offset: int, done: bool, events: int) -> None:
    con.execute("""INSERT INTO ingest_progress VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)
        ON CONFLICT (file_key) DO UPDATE SET byte_offset = excluded.byte_offset, done = excluded.done,
        events = excluded.events, path = excluded.path, updated_at = excluded.updated_at""",
                [key, str(path), size, kind.value, offset, done, events])


def _ingest_cloudtrail_file(con: duckdb.DuckDBPyConnection, path: Path, kind: InputKind, result: FileResult,
                            chunk_bytes: int, progress: ProgressCallback | None,
                            on_chunk: Callable[[int], None] | None) -> None:
    size = path.stat().st_size
    key = _file_key(path, size)
    state = _progress_row(con, key)
    if state and state[1]:
        result.already_done = True
        return
    start = state[0] if state else 0
    events = state[2] if state else 0
    result.resumed_from = start
    source = str(path)
    ndjson = kind in (InputKind.CLOUDTRAIL_NDJSON, InputKind.EVENTBRIDGE_NDJSON)
    if not ndjson:  # a single document: one unit of work
        with _readable_name(path) as readable:
            con.execute("BEGIN TRANSACTION")
            try:
                stats = _insert_cloudtrail(con, kind, [readable], source)
                added, dup, bad = stats.get(source, [0, 0, 0])
                _save_progress(con, key, path, size, kind, size, True, events + added)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        result.added, result.skipped_duplicates, result.unreadable = added, dup, bad
        if progress:
            progress(size, size)
        return
    with tempfile.TemporaryDirectory(prefix="faasguard-ingest-") as tmpdir:
        if _is_gzip(path):
            # Offsets of gzip input count uncompressed bytes; the whole file is read to find them.
            chunks: Iterator[tuple[str, int, int | None, int]] = _gzip_chunks(path, chunk_bytes, start, tmpdir)
        else:
            chunks = _plain_chunks(path, size, start, chunk_bytes, tmpdir)
        for chunk_file, end, _lines, position in _prefetch(chunks):
            con.execute("BEGIN TRANSACTION")
            try:
                added, dup, bad = _insert_cloudtrail(con, kind, [chunk_file], source).get(source, [0, 0, 0])
                events += added
                _save_progress(con, key, path, size, kind, end, False, events)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            os.unlink(chunk_file)
            result.added += added
            result.skipped_duplicates += dup
            result.unreadable += bad
            if progress:
                progress(min(position, size), size)
            if on_chunk:
                on_chunk(end)
    _save_progress(con, key, path, size, kind, size, True, events)


def _chunk_end(handle: BinaryIO, offset: int, size: int, max_lines: int, max_bytes: int) -> tuple[int, int]:
    """(end, newlines) of the chunk starting at ``offset``: ``max_lines`` lines or about ``max_bytes``."""
    handle.seek(offset)
    position, newlines = offset, 0
    limit = offset + max_bytes
    while position < size:
        block = handle.read(min(1 << 23, size - position))
        if not block:
            break
        count = block.count(b"\n")
        if newlines + count >= max_lines or position + len(block) >= limit:
            cursor = 0
            while (nl := block.find(b"\n", cursor)) >= 0:  # walk this block line by line
                cursor = nl + 1
                newlines += 1
                if newlines >= max_lines or position + cursor >= limit:
                    return position + cursor, newlines
        else:
            newlines += count
        position += len(block)
    return size, newlines


def _plain_chunks(path: Path, size: int, start: int, chunk_bytes: int,
                 tmpdir: str) -> Iterator[tuple[str, int, int | None, int]]:
    """Line-aligned chunks of ``CHUNK_LINES`` lines (whole DuckDB row groups) or ``chunk_bytes``;
    yields (chunk file, end offset, line count, end offset)."""
    index = 0
    offset = start
    with path.open("rb") as handle:
        handle.seek(size - 1)
        unterminated = handle.read(1) != b"\n"
        while offset < size:
            end, newlines = _chunk_end(handle, offset, size, CHUNK_LINES, chunk_bytes)
            name = os.path.join(tmpdir, f"chunk-{index}.ndjson")
            _copy_range(path, offset, end, name)
            yield name, end, newlines + (1 if end == size and unterminated else 0), end
            offset = end
            index += 1


_DONE = object()


def _prefetch(chunks: Iterator[tuple[str, int, int | None, int]]) -> Iterator[tuple[str, int, int | None, int]]:
    """Cut the next chunk in a thread while DuckDB (which releases the GIL) loads this one."""
    slots: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in chunks:
                while not stop.is_set():
                    try:
                        slots.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            slots.put(exc)

    worker = threading.Thread(target=produce, name="faasguard-chunker", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=5)


@contextlib.contextmanager
def _readable_name(path: Path) -> Iterator[str]:
    """DuckDB picks gzip by extension: gzip input without ``.gz`` is read from a renamed copy."""
    if not (_is_gzip(path) and not path.name.endswith(".gz")):
        yield str(path)
        return
    handle, name = tempfile.mkstemp(prefix="faasguard-", suffix=".json.gz")
    os.close(handle)
    try:
        shutil.copyfile(path, name)
        yield name
    finally:
        os.unlink(name)


# --- entry point -------------------------------------------------------------------------------

_CLOUDTRAIL_KINDS = {InputKind.CLOUDTRAIL_NDJSON, InputKind.CLOUDTRAIL_RECORDS, InputKind.CLOUDTRAIL_ARRAY,
                     InputKind.EVENTBRIDGE_NDJSON, InputKind.EVENTBRIDGE_ARRAY, InputKind.CLOUDTRAIL_DOCUMENTS,
                     InputKind.EVENTBRIDGE_DOCUMENTS}


# Small files (CloudTrail writes one S3 object per account, region and ~5 minutes) are read many
# at a time: one DuckDB statement and one transaction per batch instead of per file.
SMALL_FILE_BYTES = 8 * 1024 * 1024
BATCH_FILES = 512
BATCH_BYTES = 256 * 1024 * 1024


@dataclass
class _Pending:
    path: Path
    result: FileResult
    size: int
    key: str


def _batchable(path: Path, kind: InputKind, size: int, chunk_bytes: int) -> bool:
    """Small whole files; NDJSON bigger than one chunk goes through the resumable chunked path."""
    return kind in _CLOUDTRAIL_KINDS and size <= min(SMALL_FILE_BYTES, chunk_bytes) and (
        path.name.endswith(".gz") or not _is_gzip(path))


def _flush(con: duckdb.DuckDBPyConnection, kind: InputKind, batch: list[_Pending]) -> None:
    """Ingest a batch of small files of one kind in one transaction (each file marked done)."""
    keys = [item.key for item in batch]
    done = {k for (k,) in con.execute("SELECT file_key FROM ingest_progress WHERE done AND file_key IN "
                                      "(SELECT unnest(?))", [keys]).fetchall()}
    todo = []
    for item in batch:
        if item.key in done:
            item.result.already_done = True
        else:
            todo.append(item)
    if not todo:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        stats = _insert_cloudtrail(con, kind, [str(item.path) for item in todo])
        rows = []
        for item in todo:
            added, dup, bad = stats.get(str(item.path), [0, 0, 0])
            item.result.added, item.result.skipped_duplicates, item.result.unreadable = added, dup, bad
            rows.append((item.key, str(item.path), item.size, kind.value, item.size, True, added))
        _save_progress_rows(con, rows)
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")
        if len(todo) == 1:
            raise
        for item in todo:  # one bad file must not sink the batch: isolate it
            try:
                _flush(con, kind, [item])
            except duckdb.Error as exc:
                item.result.error = f"cannot parse: {str(exc).splitlines()[0]}"


def _save_progress_rows(con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[object, ...]]) -> None:
    """Many progress rows in one statement."""
    con.execute("""INSERT INTO ingest_progress
        SELECT k, p, s, kd, o, d, e, now()::TIMESTAMP FROM (SELECT unnest(?) AS k, unnest(?) AS p, unnest(?) AS s,
               unnest(?) AS kd, unnest(?) AS o, unnest(?) AS d, unnest(?) AS e)
        ON CONFLICT (file_key) DO UPDATE SET byte_offset = excluded.byte_offset, done = excluded.done,
        events = excluded.events, path = excluded.path, updated_at = excluded.updated_at""",
                [[r[i] for r in rows] for i in range(7)])


def ingest(con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path], *, function: str | None = None,
           chunk_bytes: int = DEFAULT_CHUNK_BYTES, progress: Callable[[Path], ProgressCallback | None] | None = None,
           on_chunk: Callable[[int], None] | None = None) -> IngestReport:
    """Ingest every file under ``paths``; a bad file is reported and the others go on."""
    report = IngestReport()
    # files interrupted mid-way resume through the chunked path, never in a batch
    partial = {k for (k,) in con.execute(
        "SELECT file_key FROM ingest_progress WHERE NOT done AND byte_offset > 0").fetchall()}
    pending: dict[InputKind, list[_Pending]] = {}
    pending_bytes: dict[InputKind, int] = {}

    def flush(kind: InputKind) -> None:
        batch = pending.pop(kind, [])
        pending_bytes.pop(kind, None)
        if not batch:
            return
        try:
            _flush(con, kind, batch)
        except (OSError, duckdb.Error) as exc:
            for item in batch:
                item.result.error = item.result.error or f"cannot read: {str(exc).splitlines()[0]}"

    for path in expand_paths(paths):
        result = FileResult(str(path), InputKind.UNKNOWN)
        report.files.append(result)
        try:
            if not path.is_file():
                result.error = "no such file"
                continue
            result.kind = sniff(path)
            size = path.stat().st_size
            if _batchable(path, result.kind, size, chunk_bytes):
                key = _file_key(path, size)
                if key not in partial:  # a file interrupted mid-way resumes through the chunked path
                    pending.setdefault(result.kind, []).append(_Pending(path, result, size, key))
                    pending_bytes[result.kind] = pending_bytes.get(result.kind, 0) + size
                    if len(pending[result.kind]) >= BATCH_FILES or pending_bytes[result.kind] >= BATCH_BYTES:
                        flush(result.kind)
                    continue
            callback = progress(path) if progress else None
            if result.kind in _CLOUDTRAIL_KINDS:
                _ingest_cloudtrail_file(con, path, result.kind, result, chunk_bytes, callback, on_chunk)
            elif result.kind in (InputKind.LAMBDA_LOGS, InputKind.GUARD_EVENTS):
                counts = logs.ingest_log_file(con, path, _open_text(path), function=function)
                result.added, result.skipped_duplicates, result.unreadable = counts
            else:
                result.error = "not recognised as CloudTrail, Lambda logs or guard events"
        except (OSError, UnicodeError, EOFError, gzip.BadGzipFile) as exc:
            result.error = f"cannot read: {exc}"
        except duckdb.Error as exc:
            result.error = f"cannot parse: {str(exc).splitlines()[0]}"
        except Exception as exc:  # noqa: BLE001 - a bug of ours must not stop the other files
            result.error = f"internal error ({type(exc).__name__}: {exc}); please report it"
    for kind in list(pending):
        flush(kind)
    return report
