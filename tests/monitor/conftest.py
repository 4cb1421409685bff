"""Shared helpers for the monitor tests: tiny CloudTrail records and a fresh store."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from faasguard.monitor import store

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CLOUDTRAIL_DATA = SHARED / "data" / "cloudtrail"

_ids = itertools.count(1)


def record(event_name: str, event_source: str = "lambda.amazonaws.com", **fields: Any) -> dict[str, Any]:
    """A minimal CloudTrail record; ``fields`` override or add top-level keys."""
    n = next(_ids)
    base: dict[str, Any] = {
        "eventVersion": "1.09",
        "eventID": f"00000000-0000-4000-8000-{n:012d}",
        "eventTime": f"2026-01-05T10:{n // 60 % 60:02d}:{n % 60:02d}Z",
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice",
                         "userName": "alice", "accountId": "123456789012"},
        "requestParameters": {},
        "responseElements": None,
        "eventType": "AwsApiCall",
        "recipientAccountId": "123456789012",
    }
    base.update(fields)
    return base


def write_ndjson(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.memory()
    yield connection
    connection.close()


def shared_data() -> Path:
    if not (CLOUDTRAIL_DATA / "stratus_detonation_logs.ndjson").is_file():
        pytest.skip(f"labelled CloudTrail data not found at {CLOUDTRAIL_DATA} (../shared is absent)")
    return CLOUDTRAIL_DATA
