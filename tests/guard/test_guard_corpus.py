"""Integration: the guard on the shared corpora (../shared). Regression floors, not the benchmark
(bench/guard_vs_peers.py measures everything; these check a fixed sample stays where it is)."""

import collections
import json
from pathlib import Path
from typing import Any

import pytest

from faasguard.guard import inspect, source_of
from faasguard.guard.detectors import detect

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
PAYLOADS = SHARED / "corpus" / "payloads"

pytestmark = pytest.mark.integration


def _load(name: str) -> list[dict[str, Any]]:
    path = PAYLOADS / name
    if not path.exists():
        pytest.skip(f"{path} not found: the shared corpus is not checked out next to the repository")
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_aws_sample_events_are_recognised_and_clean() -> None:
    events = _load("aws_events.jsonl")
    sources = collections.Counter(source_of(e["event"]) for e in events)
    assert sources == {"unknown": 92, "apigw_http": 13, "cognito": 13, "apigw_rest": 12, "s3": 7, "eventbridge": 6,
                       "cloudformation": 4,
                       "sqs": 6, "alb": 5, "kinesis": 4, "function_url": 4, "dynamodb": 2, "sns": 2}
    flagged = [e["source_path"] for e in events if inspect(e["event"])]
    assert flagged == []


def test_detection_floors_and_false_positive_ceilings_on_a_sample() -> None:
    attacks = _load("attack.jsonl")[::5]
    benign = _load("benign.jsonl")[::5]
    hit: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for item in attacks:
        total[item["category"]] += 1
        hit[item["category"]] += any(detect(f) for f in item["fields"])
    rate = {c: 100 * hit[c] / total[c] for c in total}
    # floors a little under the measured rates, so a regression shows
    floors = {"sqli": 85, "path_traversal": 88, "xss": 86, "cmdi": 70, "ssti": 85, "deserialization": 85,
              "ssrf": 75, "nosqli": 80}
    assert {c: round(rate[c], 1) for c in floors if rate[c] < floors[c]} == {}
    fp: collections.Counter[str] = collections.Counter()
    seen: collections.Counter[str] = collections.Counter()
    for item in benign:
        seen[item["category"]] += 1
        fp[item["category"]] += any(detect(f) for f in item["fields"])
    ceilings = {"aws_event_field": 0.5, "natural_text": 0.4, "synthetic_field": 0.1}
    assert {c: fp[c] for c in ceilings if 100 * fp[c] / seen[c] > ceilings[c]} == {}
