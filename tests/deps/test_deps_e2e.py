"""End to end: `faasguard db import` from the shared PyPA advisory folder, then `faasguard scan`
reports an environment secret and a vulnerable dependency with its PYSEC/CVE ids and fixed version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from faasguard.cli import main

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
PYPA_DB = SHARED / "data" / "pypa-advisory-db"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "deps" / "samapp"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def vulndb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not PYPA_DB.is_dir():
        pytest.skip(f"{PYPA_DB} is absent (../shared not available)")
    directory = tmp_path_factory.mktemp("vulndb")
    assert main(["db", "import", str(PYPA_DB), "--vulndb", str(directory)]) == 0
    return directory


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "samapp"
    shutil.copytree(FIXTURE, root)
    template = root / "template.yaml"
    template.write_text(template.read_text().replace(
        "      Runtime: python3.11\n",
        "      Runtime: python3.11\n      Environment:\n        Variables:\n          DB_PASSWORD: hunter" "2\n", 1))
    return root


def test_scan_reports_env_secret_and_vulnerable_dependency(vulndb: Path, project: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    code = main(["scan", str(project), "--vulndb", str(vulndb), "--check", "FG-SEC", "--check", "FG-DEP",
                 "-o", "json", "--output-file", str(out), "--soft-fail"])
    assert code == 0
    report = json.loads(out.read_text())
    findings = report["findings"]
    env = [f for f in findings if f["rule_id"] == "FG-SEC-001"]
    assert [(f["location"]["file"], f["location"]["line"]) for f in env] == [("template.yaml", 13)]
    requests = [f for f in findings if f["rule_id"] == "FG-DEP-001" and f["evidence"]["package"] == "requests"]
    by_id = {f["evidence"]["vulnerability"]: f for f in requests}
    assert "PYSEC-2018-28" in by_id
    assert "CVE-2018-18074" in by_id["PYSEC-2018-28"]["evidence"]["aliases"]
    assert by_id["PYSEC-2018-28"]["evidence"]["fixed_versions"] == ["2.20.0"]
    assert by_id["PYSEC-2018-28"]["evidence"]["reachability"] == "imported"
    assert by_id["PYSEC-2018-28"]["location"] == {**by_id["PYSEC-2018-28"]["location"],
                                                  "file": "src/orders/requirements.txt", "line": 3}
    assert not any(e["kind"] == "database" and e["message"].startswith("unaudited: ") and "OrdersFunction" in
                   e["message"] for e in report.get("errors", []))


def test_scan_without_database_fails_on_unaudited(project: Path, tmp_path: Path) -> None:
    args = ["scan", str(project), "--vulndb", str(tmp_path / "empty"), "--check", "FG-DEP", "-o", "json",
            "--output-file", str(tmp_path / "r.json"), "--fail-on", "critical"]
    assert main([*args, "--fail-on-unaudited"]) == 1
    assert main(args) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert sorted(f["function"] for f in report["findings"] if f["rule_id"] == "FG-DEP-000") == [
        "OrdersFunction", "WebFunction"]
