"""Shared by the loader twin tests: ``# expect: RULE[, RULE]`` markers in fixture files, and the
findings of a scan as (rule id, file, line), so a finding on a wrong line fails as surely as a
missing one."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from faasguard.scan import ScanResult

_EXPECT = re.compile(r"(?:#|//)\s*expect:\s*(FG-[A-Z]+-\d{3}(?:\s*,\s*FG-[A-Z]+-\d{3})*)")


def expected(case: Path, rules: Iterable[str]) -> set[tuple[str, str, int]]:
    wanted = set(rules)
    marks = set()
    for path in sorted(case.rglob("*")):
        if not path.is_file() or path.suffix not in (".tf", ".py", ".json", ".yml", ".yaml"):
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = _EXPECT.search(line)
            if m:
                marks |= {(r.strip(), path.relative_to(case).as_posix(), no) for r in m.group(1).split(",")
                          if r.strip() in wanted}
    return marks


def found(result: ScanResult, rules: Iterable[str]) -> set[tuple[str, str, int]]:
    wanted = set(rules)
    return {(f.rule_id, f.location.file, f.location.line) for f in result.findings
            if f.rule_id in wanted and f.location is not None}


def rule_ids(result: ScanResult) -> set[str]:
    return {f.rule_id for f in result.findings}
