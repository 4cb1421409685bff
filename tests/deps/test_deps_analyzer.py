"""FG-DEP-000/001/002 on the SAM fixture: per-function manifests, layers, reachability, no-DB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_deps import sam_fixture_app

from faasguard.analyzers.base import ScanContext
from faasguard.analyzers.deps import DepsAnalyzer, unaudited_count
from faasguard.model import ErrorKind, Finding, ScanError, Severity
from faasguard.scan import ScanResult
from faasguard.vulndb import import_path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "deps" / "samapp"


def _record(osv_id: str, package: str, fixed: str, ecosystem: str = "PyPI", aliases: tuple[str, ...] = (),
            severity: str | None = None) -> dict[str, object]:
    record: dict[str, object] = {
        "id": osv_id, "aliases": list(aliases), "summary": f"flaw in {package}",
        "affected": [{"package": {"ecosystem": ecosystem, "name": package},
                      "ranges": [{"type": "ECOSYSTEM" if ecosystem == "PyPI" else "SEMVER",
                                  "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]}
    if severity:
        record["database_specific"] = {"severity": severity}
    return record


@pytest.fixture
def vulndb(tmp_path: Path) -> Path:
    src = tmp_path / "osv"
    src.mkdir()
    records = [
        _record("PYSEC-2018-28", "requests", "2.20.0", aliases=("CVE-2018-18074",), severity="HIGH"),
        _record("GHSA-x84v-xcm2-53pg", "requests", "2.20.0", aliases=("CVE-2018-18074",)),
        _record("PYSEC-2019-217", "jinja2", "2.10.1", aliases=("CVE-2019-10906",)),  # unrated: high
        _record("PYSEC-2021-108", "urllib3", "1.26.5", aliases=("CVE-2021-33503",), severity="MODERATE"),
        _record("GHSA-p6mc-m468-83gw", "lodash", "4.17.19", ecosystem="npm", aliases=("CVE-2020-8203",),
                severity="HIGH"),
    ]
    for r in records:
        (src / f"{r['id']}.json").write_text(json.dumps(r))
    import_path(src, tmp_path / "db")
    return tmp_path / "db"


def _run(vulndb: Path) -> tuple[list[Finding], list[ScanError]]:
    ctx = ScanContext(root=FIXTURE, options={"vulndb": str(vulndb)})
    items = list(DepsAnalyzer().analyze(sam_fixture_app(), ctx))
    return ([i for i in items if isinstance(i, Finding)], [i for i in items if isinstance(i, ScanError)])


def test_vulnerabilities_per_function_with_reachability(vulndb: Path) -> None:
    findings, errors = _run(vulndb)
    assert errors == []
    vulns = sorted((f.function, f.evidence["package"], f.evidence["vulnerability"], f.location.file,
                    f.location.line, f.evidence["reachability"], f.severity)
                   for f in findings if f.rule_id == "FG-DEP-001")
    layer_meta = "layers/common/python/lib/python3.11/site-packages/urllib3-1.26.4.dist-info/METADATA"
    assert vulns == [
        ("OrdersFunction", "jinja2", "PYSEC-2019-217", "src/orders/requirements-base.txt", 1, "imported",
         Severity.HIGH),  # unrated, imported through the function's own module lib/render.py
        ("OrdersFunction", "requests", "PYSEC-2018-28", "src/orders/requirements.txt", 3, "imported",
         Severity.HIGH),
        ("OrdersFunction", "urllib3", "PYSEC-2021-108", layer_meta, 1, "not-imported", Severity.LOW),
        ("WebFunction", "lodash", "GHSA-p6mc-m468-83gw", "src/web/package-lock.json", 14, "imported", Severity.HIGH),
    ]
    assert {f.evidence["package"]: f.evidence["layer"] for f in findings if f.rule_id == "FG-DEP-001"} == {
        "jinja2": None, "requests": None, "urllib3": "CommonLayer", "lodash": None}
    requests_finding = next(f for f in findings if f.evidence.get("package") == "requests")
    assert requests_finding.evidence["aliases"] == ["GHSA-x84v-xcm2-53pg", "CVE-2018-18074"]
    assert requests_finding.evidence["fixed_versions"] == ["2.20.0"]
    assert requests_finding.evidence["cve"] == "CVE-2018-18074"
    assert "fixed in 2.20.0" in requests_finding.message


def test_unpinned_requirement_reported(vulndb: Path) -> None:
    findings, _ = _run(vulndb)
    unpinned = [(f.function, f.location.file, f.location.line, f.evidence["spec"])
                for f in findings if f.rule_id == "FG-DEP-002"]
    assert unpinned == [("OrdersFunction", "src/orders/requirements.txt", 5, "pyyaml>=5.1")]


def test_dev_dependencies_not_shipped(vulndb: Path) -> None:
    findings, _ = _run(vulndb)
    assert not any(f.evidence.get("package") == "jest" for f in findings)


def test_no_database_reports_every_dependency_unaudited(tmp_path: Path) -> None:
    findings, errors = _run(tmp_path / "no-db")
    assert not any(f.rule_id == "FG-DEP-001" for f in findings)
    unaudited = {f.function: f.evidence["dependencies"] for f in findings if f.rule_id == "FG-DEP-000"}
    assert unaudited == {"OrdersFunction": 4, "WebFunction": 1}  # requests, jinja2, pyyaml, urllib3 | lodash
    assert [(e.kind, e.function) for e in errors] == [(ErrorKind.DATABASE, "OrdersFunction"),
                                                      (ErrorKind.DATABASE, "WebFunction")]
    assert all(e.message.startswith("unaudited: ") for e in errors)
    result = ScanResult(root=FIXTURE, applications=[sam_fixture_app()], findings=findings, errors=errors)
    assert unaudited_count(result) == 5


def test_database_without_the_ecosystem_leaves_those_unaudited(tmp_path: Path) -> None:
    src = tmp_path / "osv"
    src.mkdir()
    (src / "r.json").write_text(json.dumps(_record("PYSEC-2099-1", "nothing-here", "1.0")))
    import_path(src, tmp_path / "db")
    findings, errors = _run(tmp_path / "db")
    assert [(f.function, f.evidence["ecosystems"]) for f in findings if f.rule_id == "FG-DEP-000"] == [
        ("WebFunction", ["npm"])]
    assert len(errors) == 1 and "no npm advisories" in errors[0].message


def test_clean_scan_has_no_unaudited(vulndb: Path) -> None:
    findings, errors = _run(vulndb)
    result = ScanResult(root=FIXTURE, applications=[], findings=findings, errors=errors)
    assert unaudited_count(result) == 0


def test_corrupt_database_is_unaudited_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "index.sqlite3").write_bytes(b"this is not sqlite" * 100)
    findings, errors = _run(tmp_path / "db")
    assert {f.function for f in findings if f.rule_id == "FG-DEP-000"} == {"OrdersFunction", "WebFunction"}
    assert all("is unreadable or from another faasguard version" in e.message for e in errors)
    assert len(errors) == 2
