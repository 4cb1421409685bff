"""Tuning harness for the guard's detectors (not the benchmark): detection and false-positive
rates on one half of the corpus, with the misses or false positives of chosen categories.

    .venv/bin/python bench/_guard_eval.py even                      # the tuning half
    .venv/bin/python bench/_guard_eval.py odd                       # the held-out half (look, don't tune)
    .venv/bin/python bench/_guard_eval.py even "m:cmdi,f:natural_text" 40
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

from faasguard.guard.detectors import detect

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "payloads"


def selected(item_id: str, half: str) -> bool:
    even = int(item_id[1:]) % 2 == 0
    return half == "all" or even == (half == "even")


def main(argv: list[str]) -> None:
    half = argv[1] if len(argv) > 1 else "even"
    show = argv[2] if len(argv) > 2 else ""
    limit = int(argv[3]) if len(argv) > 3 else 40
    totals: collections.Counter[str] = collections.Counter()
    hits: collections.Counter[str] = collections.Counter()
    misses: dict[str, list[str]] = collections.defaultdict(list)
    with open(CORPUS / "attack.jsonl", encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            if not selected(item["id"], half):
                continue
            category = item["category"]
            totals[category] += 1
            if any(detect(f) for f in item["fields"]):
                hits[category] += 1
            else:
                misses[category].append(item["payload"])
    for category in sorted(totals, key=lambda c: -totals[c]):
        rate = 100 * hits[category] / totals[category]
        print(f"ATT {category:20s} {hits[category]:5d}/{totals[category]:5d} {rate:6.1f}%")
    btotals: collections.Counter[str] = collections.Counter()
    bhits: collections.Counter[str] = collections.Counter()
    false_positives: dict[str, list[tuple[str, str, str]]] = collections.defaultdict(list)
    with open(CORPUS / "benign.jsonl", encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            if not selected(item["id"], half):
                continue
            category = item["category"]
            btotals[category] += 1
            found = [d for f in item["fields"] for d in detect(f)]
            if found:
                bhits[category] += 1
                false_positives[category].append((item["payload"][:150], found[0].category, found[0].rule_id))
    for category in btotals:
        rate = 100 * bhits[category] / btotals[category]
        print(f"FP  {category:20s} {bhits[category]:5d}/{btotals[category]:5d} {rate:6.2f}%")
    for part in filter(None, show.split(",")):
        kind, name = part.split(":")
        source = misses if kind == "m" else false_positives
        for entry in source[name][:limit]:
            print(kind, name, repr(entry)[:200])


if __name__ == "__main__":
    main(sys.argv)
