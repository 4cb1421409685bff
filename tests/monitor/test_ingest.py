"""Ingest: every CloudTrail shape, Lambda logs, guard events; idempotent and resumable."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from faasguard.monitor import ingest, store
from faasguard.monitor.ingest import InputKind

from .conftest import record, shared_data, write_ndjson


def _count(con: duckdb.DuckDBPyConnection, table: str = "cloudtrail_events") -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_every_cloudtrail_shape(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    records = [record("UpdateFunctionCode20150331v2", requestParameters={"functionName": f"arn:aws:lambda:us-east-1:"
                                                                                          f"123456789012:function:fn{i}:7"})
               for i in range(6)]
    s3_file = tmp_path / "111_CloudTrail_us-east-1_20260105T1000Z_abc.json.gz"
    s3_file.write_bytes(gzip.compress(json.dumps({"Records": records[:2]}).encode()))
    plain_records = tmp_path / "records.json"
    plain_records.write_text(json.dumps({"Records": [records[2]]}, indent=2))
    ndjson_gz = tmp_path / "events.ndjson.gz"
    ndjson_gz.write_bytes(gzip.compress((json.dumps(records[3]) + "\n").encode()))
    eventbridge = tmp_path / "eventbridge.jsonl"
    eventbridge.write_text(json.dumps({"version": "0", "detail-type": "AWS API Call via CloudTrail",
                                       "source": "aws.lambda", "detail": records[4]}) + "\n")
    array = tmp_path / "array.json"
    array.write_text(json.dumps([records[5]]))
    extra = [record("StopLogging", "cloudtrail.amazonaws.com") for _ in range(3)]
    (tmp_path / "pretty.json").write_text(json.dumps(extra[0], indent=2) + "\n" + json.dumps(extra[1], indent=2))
    (tmp_path / "pretty-eventbridge.json").write_text(json.dumps(
        {"detail-type": "AWS API Call via CloudTrail", "source": "aws.cloudtrail", "detail": extra[2]}, indent=2))
    report = ingest.ingest(con, [tmp_path])
    kinds = {Path(f.path).name: (f.kind, f.added) for f in report.files}
    assert kinds == {
        s3_file.name: (InputKind.CLOUDTRAIL_RECORDS, 2),
        "records.json": (InputKind.CLOUDTRAIL_RECORDS, 1),
        "events.ndjson.gz": (InputKind.CLOUDTRAIL_NDJSON, 1),
        "eventbridge.jsonl": (InputKind.EVENTBRIDGE_NDJSON, 1),
        "array.json": (InputKind.CLOUDTRAIL_ARRAY, 1),
        "pretty.json": (InputKind.CLOUDTRAIL_DOCUMENTS, 2),
        "pretty-eventbridge.json": (InputKind.EVENTBRIDGE_DOCUMENTS, 1),
    }
    rows = con.execute("SELECT event_id, target_function, event_time FROM cloudtrail_events ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == sorted(r["eventID"] for r in records + extra)
    assert sorted(r[1] for r in rows if r[1]) == [f"fn{i}" for i in range(6)]
    assert all(r[2] is not None for r in rows)


def test_flattened_fields_and_json_columns(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    role_call = record("GetItem", "dynamodb.amazonaws.com", userIdentity={
        "type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/orders-role/orders-api",
        "principalId": "AROAEXAMPLE:orders-api", "sessionContext": {"sessionIssuer": {
            "type": "Role", "arn": "arn:aws:iam::123456789012:role/orders-role", "userName": "orders-role"}}},
        userAgent="Boto3/1.34 exec-env/AWS_Lambda_python3.12", requestParameters={"tableName": "orders"})
    ingest.ingest(con, [write_ndjson(tmp_path / "a.ndjson", [role_call])])
    row = con.execute("SELECT session_name, session_issuer_arn, function_name, actor_function, fg_function_role,"
                      " fg_lambda_runtime, request_parameters->>'$.tableName' FROM cloudtrail").fetchone()
    assert row == ("orders-api", "arn:aws:iam::123456789012:role/orders-role", "orders-api", "orders-api", True,
                   True, "orders")


def test_reingesting_adds_nothing_and_duplicates_inside_a_file_are_dropped(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    first = record("StopLogging", "cloudtrail.amazonaws.com")
    second = record("DeleteTrail", "cloudtrail.amazonaws.com")
    path = write_ndjson(tmp_path / "dup.ndjson", [first, second, first])
    assert ingest.ingest(con, [path]).added == 2
    assert ingest.ingest(con, [path]).files[0].already_done
    copy = write_ndjson(tmp_path / "copy.ndjson", [second, first, record("StartLogging", "cloudtrail.amazonaws.com")])
    assert ingest.ingest(con, [copy]).added == 1
    assert _count(con) == 3


def test_bad_input_is_reported_not_raised(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    (tmp_path / "binary.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    good = record("StopLogging", "cloudtrail.amazonaws.com")
    (tmp_path / "mixed.ndjson").write_text(json.dumps(good) + "\n{not json\n" + '{"eventName": 5, "x": [}\n')
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "random.log").write_bytes(bytes(range(256)) * 20)
    report = ingest.ingest(con, [tmp_path, tmp_path / "missing.json"])
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["binary.gz"].error.startswith("cannot read")
    assert by_name["empty.json"].error == "not recognised as CloudTrail, Lambda logs or guard events"
    assert by_name["random.log"].error == "not recognised as CloudTrail, Lambda logs or guard events"
    assert by_name["missing.json"].error == "no such file"
    assert (by_name["mixed.ndjson"].added, by_name["mixed.ndjson"].unreadable) == (1, 2)


_KILLABLE = """
import sys, time
from faasguard.monitor import ingest, store
con = store.connect(sys.argv[1])
def on_chunk(end):
    print(end, flush=True)
    time.sleep(float(sys.argv[3]))
ingest.ingest(con, [sys.argv[2]], chunk_bytes=int(sys.argv[4]), on_chunk=on_chunk)
print("done", flush=True)
"""


def test_killed_ingest_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    from faasguard.monitor.synthetic import cloudtrail_lines

    lines = list(cloudtrail_lines(3000, seed=3))
    source = tmp_path / "big.ndjson"
    source.write_text("\n".join(lines) + "\n")
    db = tmp_path / "store.duckdb"
    chunk = source.stat().st_size // 6
    proc = subprocess.Popen([sys.executable, "-c", _KILLABLE, str(db), str(source), "30", str(chunk)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    committed = int(proc.stdout.readline())  # one chunk committed; the process now sleeps mid-file
    proc.kill()
    proc.wait()
    assert 0 < committed < source.stat().st_size

    con = store.connect(db)
    partial = _count(con)
    assert 0 < partial < 3000
    report = ingest.ingest(con, [source], chunk_bytes=chunk)
    assert report.files[0].resumed_from == committed
    assert partial + report.added == 3000
    assert con.execute("SELECT count(*), count(DISTINCT event_id) FROM cloudtrail_events").fetchone() == (3000, 3000)
    expected = sorted(json.loads(line)["eventID"] for line in lines)
    assert [r[0] for r in con.execute("SELECT event_id FROM cloudtrail_events ORDER BY 1").fetchall()] == expected
    con.close()


def test_lambda_log_exports(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rid1, rid2, rid3 = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
                        "33333333-3333-4333-8333-333333333333")
    text = "\n".join([
        f"2026-01-05T10:00:00.000Z START RequestId: {rid1} Version: $LATEST",
        f"2026-01-05T10:00:00.100Z {rid1}\tINFO\tprocessing order",
        f"2026-01-05T10:00:00.200Z END RequestId: {rid1}",
        f"2026-01-05T10:00:00.200Z REPORT RequestId: {rid1}\tDuration: 102.50 ms\tBilled Duration: 103 ms\t"
        f"Memory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 250.10 ms",
        f"2026-01-05T10:01:00.000Z START RequestId: {rid2} Version: $LATEST",
        f"2026-01-05T10:01:00.050Z {rid2}\tERROR\tInvoke Error \tboom",
        f"2026-01-05T10:01:00.060Z REPORT RequestId: {rid2}\tDuration: 12.00 ms\tBilled Duration: 12 ms\t"
        f"Memory Size: 128 MB\tMax Memory Used: 71 MB",
        f"2026-01-05T10:02:00.000Z START RequestId: {rid3} Version: $LATEST",
        f"2026-01-05T10:02:03.010Z {rid3} Task timed out after 3.00 seconds",
        f"2026-01-05T10:02:03.010Z REPORT RequestId: {rid3}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
        f"Memory Size: 128 MB\tMax Memory Used: 90 MB",
    ])
    folder = tmp_path / "aws" / "lambda" / "orders-api"
    folder.mkdir(parents=True)
    (folder / "000000.gz").write_bytes(gzip.compress(text.encode()))
    report = ingest.ingest(con, [folder / "000000.gz"])
    assert report.files[0].kind is InputKind.LAMBDA_LOGS
    rows = con.execute("SELECT function_name, request_id, duration_ms, billed_ms, memory_mb, max_memory_mb, init_ms,"
                       " status FROM lambda_invocations ORDER BY start_time").fetchall()
    assert rows == [("orders-api", rid1, 102.5, 103.0, 128, 70, 250.1, "ok"),
                    ("orders-api", rid2, 12.0, 12.0, 128, 71, None, "error"),
                    ("orders-api", rid3, 3000.0, 3000.0, 128, 90, None, "timeout")]
    levels = con.execute("SELECT level, count(*) FROM lambda_log_lines GROUP BY 1 ORDER BY 1").fetchall()
    assert levels == [("ERROR", 2), ("INFO", 1)]
    assert ingest.ingest(con, [folder / "000000.gz"]).added == 0


def test_filter_log_events_json_and_lambda_json_format(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    doc = {"events": [
        {"logStreamName": "2026/01/05/[$LATEST]abc", "timestamp": 1767607200000,
         "message": json.dumps({"time": "2026-01-05T10:00:00.000Z", "type": "platform.report", "record": {
             "requestId": "r-1", "status": "timeout", "metrics": {
                 "durationMs": 3000.0, "billedDurationMs": 3000, "memorySizeMB": 256, "maxMemoryUsedMB": 80}}})},
        {"logStreamName": "2026/01/05/[$LATEST]abc", "timestamp": 1767607201000,
         "message": json.dumps({"timestamp": "2026-01-05T10:00:01Z", "level": "ERROR", "requestId": "r-2",
                                "message": "db down"})},
    ]}
    path = tmp_path / "filter.json"
    path.write_text(json.dumps(doc, indent=2))
    ingest.ingest(con, [path], function="billing")
    assert con.execute("SELECT function_name, request_id, duration_ms, memory_mb, status FROM lambda_invocations "
                       "ORDER BY request_id").fetchall() == [("billing", "r-1", 3000.0, 256, "timeout"),
                                                             ("billing", "r-2", None, None, "error")]


def test_guard_events(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    events = [
        {"schema": "faasguard.guard/1", "time": "2026-01-05T10:00:00.120Z", "type": "detection",
         "function": "orders-api", "request_id": "r1", "event_source": "apigw_http", "field": "$.body<json>.q",
         "detector": "sqli", "rule_id": "FG-SQLI-003", "severity": "high", "action": "blocked", "mode": "block",
         "excerpt": "' OR 1=1--", "message": "boolean comparison after a value"},
        {"schema": "faasguard.guard/1", "time": "2026-01-05T10:00:05.000Z", "type": "sandbox",
         "function": "orders-api", "request_id": "r2", "event_source": "apigw_http", "field": "/bin/sh -c id",
         "detector": "process", "rule_id": "FG-SBX-PROC-001", "severity": "critical", "action": "blocked",
         "mode": "block", "excerpt": "/bin/sh -c id", "message": "child process"},
    ]
    path = tmp_path / "guard.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    report = ingest.ingest(con, [path])
    assert (report.files[0].kind, report.added) == (InputKind.GUARD_EVENTS, 2)
    assert ingest.ingest(con, [path]).added == 0
    rows = con.execute("SELECT function_name, kind, detector, category, rule_id, action, field, event_time"
                       " FROM guard_events ORDER BY event_time").fetchall()
    assert rows == [
        ("orders-api", "detection", "sqli", "sqli", "FG-SQLI-003", "blocked", "$.body<json>.q",
         datetime(2026, 1, 5, 10, 0, 0, 120000)),
        ("orders-api", "sandbox", "process", "process", "FG-SBX-PROC-001", "blocked", "/bin/sh -c id",
         datetime(2026, 1, 5, 10, 0, 5)),
    ]


def test_guard_events_inside_cloudwatch_log_lines(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    event = {"schema": "faasguard.guard/1", "time": "2026-01-05T10:00:00.000Z", "type": "detection",
             "function": "orders-api", "request_id": "r1", "detector": "xss", "rule_id": "FG-XSS-001",
             "severity": "medium", "action": "reported"}
    path = tmp_path / "export.txt"
    path.write_text(f"2026-01-05T10:00:00.000Z {json.dumps(event)}\n")
    ingest.ingest(con, [path])
    assert con.execute("SELECT function_name, detector FROM guard_events").fetchall() == [("orders-api", "xss")]


@pytest.mark.integration
@pytest.mark.parametrize("name,expected", [("invictus_aws_dataset.ndjson", 2900),
                                           ("stratus_detonation_logs.ndjson", 310),
                                           ("otrf_ec2_proxy_s3_exfiltration.ndjson", 103)])
def test_shared_datasets_ingest_idempotently(tmp_path: Path, name: str, expected: int) -> None:
    source = shared_data() / name
    con = store.connect(tmp_path / "s.duckdb")
    assert ingest.ingest(con, [source]).added == expected
    assert ingest.ingest(con, [source]).files[0].already_done
    copy = tmp_path / name  # same content under another name: nothing new either
    copy.write_bytes(source.read_bytes())
    assert ingest.ingest(con, [copy]).added == 0
    assert con.execute("SELECT count(*), count(DISTINCT event_id), count(event_time) FROM cloudtrail_events"
                       ).fetchone() == (expected, expected, expected)
    con.close()


@pytest.mark.integration
@pytest.mark.parametrize("name,expected", [("invictus_aws_dataset.ndjson", 2900),
                                           ("stratus_detonation_logs.ndjson", 310),
                                           ("otrf_ec2_proxy_s3_exfiltration.ndjson", 103)])
def test_shared_dataset_resumes_after_kill(tmp_path: Path, name: str, expected: int) -> None:
    source = shared_data() / name
    db = tmp_path / "store.duckdb"
    chunk = source.stat().st_size // 8
    proc = subprocess.Popen([sys.executable, "-c", _KILLABLE, str(db), str(source), "30", str(chunk)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = int(proc.stdout.readline())
    proc.kill()
    proc.wait()
    time.sleep(0.1)
    con = store.connect(db)
    partial = _count(con)
    report = ingest.ingest(con, [source], chunk_bytes=chunk)
    assert report.files[0].resumed_from == first
    assert 0 < partial < expected and partial + report.added == expected
    assert con.execute("SELECT count(*), count(DISTINCT event_id) FROM cloudtrail_events").fetchone() == (
        expected, expected)
    con.close()


def test_gzip_ndjson_resumes_from_the_uncompressed_offset(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    records = [record("GetObject", "s3.amazonaws.com") for _ in range(40)]
    body = "".join(json.dumps(r) + "\n" for r in records).encode()
    path = tmp_path / "events.ndjson.gz"
    path.write_bytes(gzip.compress(body))
    half = body.index(b"\n", len(body) // 2) + 1
    # what an interrupted run leaves behind: the first half stored and its offset recorded
    ingest.ingest(con, [write_ndjson(tmp_path / "first-half.ndjson", records[: body[:half].count(b"\n")])])
    size = path.stat().st_size
    ingest._save_progress(con, ingest._file_key(path, size), path, size, InputKind.CLOUDTRAIL_NDJSON, half, False,
                          body[:half].count(b"\n"))
    report = ingest.ingest(con, [path], chunk_bytes=len(body) // 5)
    assert (report.files[0].resumed_from, report.added, report.files[0].skipped_duplicates) == (
        half, 40 - body[:half].count(b"\n"), 0)
    assert _count(con) == 40


def test_chunking_keeps_lines_whole_and_counts_them(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    records = [record("GetObject", "s3.amazonaws.com") for _ in range(25)]
    text = "\n".join(json.dumps(r) for r in records)  # no newline after the last record
    path = tmp_path / "unterminated.ndjson"
    path.write_text(text)
    with path.open("rb") as handle:
        end, newlines = ingest._chunk_end(handle, 0, path.stat().st_size, max_lines=10, max_bytes=1 << 30)
    assert (newlines, text.encode()[:end].count(b"\n"), text.encode()[end - 1:end]) == (10, 10, b"\n")
    report = ingest.ingest(con, [path], chunk_bytes=len(text) // 4)
    assert (report.added, report.files[0].unreadable, report.files[0].skipped_duplicates) == (25, 0, 0)


def test_many_small_files_are_batched_and_a_bad_one_is_isolated(con: duckdb.DuckDBPyConnection,
                                                                tmp_path: Path) -> None:
    all_records = []
    for i in range(30):
        records = [record("GetObject", "s3.amazonaws.com") for _ in range(4)]
        all_records.extend(records)
        (tmp_path / f"123456789012_CloudTrail_us-east-1_20260105T10{i:02d}Z_a.json.gz").write_bytes(
            gzip.compress(json.dumps({"Records": records}).encode()))
    # valid gzip header, truncated body: DuckDB fails on this one file only
    (tmp_path / "123456789012_CloudTrail_us-east-1_20260105T1099Z_broken.json.gz").write_bytes(
        gzip.compress(json.dumps({"Records": [record("GetObject", "s3.amazonaws.com")]}).encode())[:40])
    report = ingest.ingest(con, [tmp_path])
    good = [f for f in report.files if "broken" not in f.path]
    assert [(f.kind, f.added, f.error) for f in good] == [(InputKind.CLOUDTRAIL_RECORDS, 4, "")] * 30
    broken = next(f for f in report.files if "broken" in f.path)
    assert broken.added == 0 and broken.error != ""
    assert con.execute("SELECT count(*), count(DISTINCT source_file) FROM cloudtrail_events").fetchone() == (120, 30)
    assert [r[0] for r in con.execute("SELECT event_id FROM cloudtrail_events ORDER BY 1").fetchall()] == sorted(
        r["eventID"] for r in all_records)
    again = ingest.ingest(con, [tmp_path])
    assert sum(f.already_done for f in again.files) == 30 and again.added == 0


def test_aws_logs_tail_output_and_subscription_payloads(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rid = "44444444-4444-4444-8444-444444444444"
    tail = tmp_path / "tail.txt"
    tail.write_text(
        f"2026-01-05T10:00:00.000000+00:00 2026/01/05/[$LATEST]0123abcd START RequestId: {rid} Version: $LATEST\n"
        f"2026-01-05T10:00:00.300000+00:00 2026/01/05/[$LATEST]0123abcd REPORT RequestId: {rid}\t"
        "Duration: 250.00 ms\tBilled Duration: 250 ms\tMemory Size: 512 MB\tMax Memory Used: 100 MB\n")
    ingest.ingest(con, [tail], function="resize")
    rid2 = "55555555-5555-4555-8555-555555555555"
    payload = {"messageType": "DATA_MESSAGE", "logGroup": "/aws/lambda/checkout", "logStream": "s",
               "logEvents": [{"id": "1", "timestamp": 1767607200000,
                              "message": f"REPORT RequestId: {rid2}\tDuration: 5.00 ms\tBilled Duration: 5 ms\t"
                                         "Memory Size: 128 MB\tMax Memory Used: 40 MB"}]}
    sub = tmp_path / "subscription.json.gz"
    sub.write_bytes(gzip.compress(json.dumps(payload).encode()))
    ingest.ingest(con, [sub])
    rows = con.execute("SELECT function_name, request_id, start_time, duration_ms, memory_mb FROM lambda_invocations"
                       " ORDER BY function_name").fetchall()
    assert rows == [("checkout", rid2, datetime(2026, 1, 5, 10, 0), 5.0, 128),
                    ("resize", rid, datetime(2026, 1, 5, 10, 0), 250.0, 512)]
