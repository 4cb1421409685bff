"""Each configuration rule against tiny bad and good fixtures of each IaC flavour (cfn-lint style).

Layout: ``tests/fixtures/rules/<RULE-ID>/{serverless-bad,serverless-good,sam-bad,sam-good}/``. A bad
fixture marks every line the rule must report with a trailing ``# expect: <RULE-ID>`` comment; the
test asserts the exact set of (rule id, file, line), so a finding on a wrong line fails as surely as
a missing one. Good fixtures have no markers and must give no finding.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from faasguard.analyzers import registry
from faasguard.analyzers.base import Rule
from faasguard.analyzers.rules.function.deprecated_runtime import DeprecatedRuntime
from faasguard.loaders import load_tree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
VARIANTS = ("serverless-bad", "serverless-good", "sam-bad", "sam-good")
CONFIG_RULE_PREFIXES = ("FG-FN-0", "FG-API-0", "FG-IAM-0", "FG-DATA-0", "FG-LOG-0")
# Rules that only one flavour can express.
FLAVOUR_SPECIFIC = {
    "FG-IAM-007": ("sam-bad", "sam-good"),  # SAM policy templates
}
# (rule, variant) -> reason, for fixtures a loader can't load yet (kept strict: they must start passing).
XFAIL: dict[tuple[str, str], str] = {}

_EXPECT = re.compile(r"#\s*expect:\s*(FG-[A-Z]+-\d{3}(?:\s*,\s*FG-[A-Z]+-\d{3})*)")


def _rule(rule_id: str) -> Rule:
    if rule_id == DeprecatedRuntime.id:
        # Pin "today" so that the fixtures don't change verdict as runtimes age.
        return DeprecatedRuntime(today=date(2026, 11, 23))
    return next(r for r in registry.rules() if r.id == rule_id)


def _expected(case: Path, rule_id: str) -> set[tuple[str, str, int]]:
    marks = set()
    for path in sorted(case.rglob("*")):
        if not path.is_file():
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = _EXPECT.search(line)
            if m and rule_id in [x.strip() for x in m.group(1).split(",")]:
                marks.add((rule_id, path.relative_to(case).as_posix(), no))
    return marks


def _cases() -> list[object]:
    params = []
    for case in sorted(p for p in FIXTURES.glob("FG-*/*") if p.is_dir()):
        rule_id, variant = case.parent.name, case.name
        reason = XFAIL.get((rule_id, variant))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=f"{rule_id}/{variant}", marks=marks))
    return params


@pytest.mark.parametrize("case", _cases())
def test_rule_fixture(case: Path) -> None:
    rule_id, variant = case.parent.name, case.name
    rule = _rule(rule_id)
    loaded = load_tree(case)
    assert loaded.errors == [], loaded.errors
    assert any(app.functions for app in loaded.applications), "the fixture loaded no function"
    found = {(f.rule_id, f.location.file, f.location.line)
             for app in loaded.applications for f in rule.check(app) if f.location is not None}
    expected = _expected(case, rule_id)
    if variant.endswith("-good"):
        assert expected == set(), "good fixtures carry no expect markers"
    else:
        assert expected, "bad fixtures mark at least one expected line"
    assert found == expected


def test_every_rule_has_its_fixtures() -> None:
    missing = []
    for rule in registry.rules():
        if not rule.id.startswith(CONFIG_RULE_PREFIXES):
            continue
        for variant in FLAVOUR_SPECIFIC.get(rule.id, VARIANTS):
            if not (FIXTURES / rule.id / variant).is_dir():
                missing.append(f"{rule.id}/{variant}")
    assert missing == []
