"""The local OSV index: record parsing, range evaluation, aliases, withdrawn records, import."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from faasguard.vulndb import VulnDB, import_path, resolve_dir
from faasguard.vulndb.osv import cvss3_base_score, cvss_level, parse_record
from faasguard.vulndb.versions import in_range

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
PYPA_DB = SHARED / "data" / "pypa-advisory-db"


def _write(folder: Path, name: str, record: dict) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


PYSEC = {
    "id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "details": "Header injection in demo.",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "Demo_Lib"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.10"},
                                                              {"introduced": "2.0"}, {"fixed": "2.0.3"}]}],
                  "versions": ["1.0", "1.9"]}],
}
GHSA_SAME = {
    "id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2099-0001"], "summary": "Demo header injection",
    "database_specific": {"severity": "HIGH"},
    "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-lib"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.10"}]}]}],
}
WITHDRAWN = {
    "id": "PYSEC-2099-2", "withdrawn": "2099-01-02T00:00:00Z",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-lib"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}],
}
NPM = {
    "id": "GHSA-npm0-0000-0001", "aliases": ["CVE-2099-0100"], "summary": "Prototype pollution",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [{"package": {"ecosystem": "npm", "name": "left-pad-x"},
                  "ranges": [{"type": "SEMVER",
                              "events": [{"introduced": "1.2.0"}, {"last_affected": "1.4.0-beta.2"}]}]}],
}
EXPLICIT_ONLY = {
    "id": "PYSEC-2099-3", "details": "Only listed versions.",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "listed"}, "versions": ["0.3.1", "0.4"]}],
}


@pytest.fixture
def db(tmp_path: Path) -> VulnDB:
    src = tmp_path / "osv"
    _write(src, "demo/PYSEC-2099-1.json", PYSEC)
    _write(src, "demo/GHSA-aaaa-bbbb-cccc.json", GHSA_SAME)
    _write(src, "demo/PYSEC-2099-2.json", WITHDRAWN)
    _write(src, "npm/GHSA-npm0-0000-0001.json", NPM)
    _write(src, "listed/PYSEC-2099-3.json", EXPLICIT_ONLY)
    (src / "broken.yaml").write_text("id: [unclosed\n")
    report = import_path(src, tmp_path / "db")
    assert (report.records, report.withdrawn, len(report.errors)) == (4, 1, 1)
    opened = VulnDB.open(tmp_path / "db")
    assert opened is not None
    return opened


def test_ecosystem_ranges_and_alias_merge(db: VulnDB) -> None:
    vulns = db.vulnerabilities("PyPI", "demo.lib", "1.9.1")
    assert len(vulns) == 1  # PYSEC and GHSA share CVE-2099-0001: one flaw
    v = vulns[0]
    assert v.id == "PYSEC-2099-1"
    assert v.aliases == ("GHSA-aaaa-bbbb-cccc", "CVE-2099-0001")
    assert v.fixed == ("1.10",)
    assert v.severity == "high"  # from the GHSA record
    assert v.summary == "Header injection in demo."  # the preferred id's text


def test_versions_outside_ranges_are_clean(db: VulnDB) -> None:
    assert db.vulnerabilities("PyPI", "demo-lib", "1.10") == []
    assert db.vulnerabilities("PyPI", "demo-lib", "2.0.3") == []
    second = db.vulnerabilities("PyPI", "demo-lib", "2.0.1")
    assert [(v.id, v.fixed) for v in second] == [("PYSEC-2099-1", ("2.0.3",))]


def test_withdrawn_dropped(db: VulnDB) -> None:
    ids = {i for v in db.vulnerabilities("PyPI", "demo-lib", "5.0") for i in v.ids}
    assert "PYSEC-2099-2" not in ids


def test_semver_last_affected_with_prerelease(db: VulnDB) -> None:
    assert [v.id for v in db.vulnerabilities("npm", "left-pad-x", "1.4.0-beta.1")] == ["GHSA-npm0-0000-0001"]
    assert db.vulnerabilities("npm", "left-pad-x", "1.4.0") == []  # a release sorts after its betas
    assert db.vulnerabilities("npm", "left-pad-x", "1.1.9") == []
    v = db.vulnerabilities("npm", "left-pad-x", "1.3.0")[0]
    assert (v.severity, v.fixed) == ("critical", ())


def test_explicit_versions(db: VulnDB) -> None:
    assert [v.id for v in db.vulnerabilities("PyPI", "listed", "0.4.0")] == ["PYSEC-2099-3"]  # PEP 440: 0.4 == 0.4.0
    assert db.vulnerabilities("PyPI", "listed", "0.3.2") == []


def test_meta_and_sources(db: VulnDB) -> None:
    assert db.ecosystems == frozenset({"npm", "pypi"})
    assert db.covers("PyPI") and db.covers("npm") and not db.covers("Go")
    (source,) = db.sources()
    assert (source.records, source.withdrawn, source.errors, len(source.sha256)) == (4, 1, 1, 64)


def test_zip_import_and_later_withdrawal(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("PYSEC-2099-1.json", json.dumps(PYSEC))
    import_path(archive, tmp_path / "db")
    db = VulnDB.open(tmp_path / "db")
    assert db is not None and [v.id for v in db.vulnerabilities("PyPI", "demo-lib", "1.0")] == ["PYSEC-2099-1"]
    db.close()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("PYSEC-2099-1.json", json.dumps({**PYSEC, "withdrawn": "2099-02-01T00:00:00Z"}))
    import_path(archive, tmp_path / "db")
    db = VulnDB.open(tmp_path / "db")
    assert db is not None and db.vulnerabilities("PyPI", "demo-lib", "1.0") == []
    assert len(db.sources()) == 2


def test_yaml_versions_stay_strings(tmp_path: Path) -> None:
    src = tmp_path / "osv"
    src.mkdir()
    (src / "r.yaml").write_text(
        "id: PYSEC-2099-9\naffected:\n- package: {ecosystem: PyPI, name: floaty}\n"
        "  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 1.1\n    - fixed: 1.10\n")
    import_path(src, tmp_path / "db")
    db = VulnDB.open(tmp_path / "db")
    assert db is not None
    assert [v.fixed for v in db.vulnerabilities("PyPI", "floaty", "1.9")] == [("1.10",)]


def test_missing_database_is_none(tmp_path: Path) -> None:
    assert VulnDB.open(tmp_path / "nothing") is None


def test_resolve_dir_env_and_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAASGUARD_VULNDB", str(tmp_path / "env"))
    assert resolve_dir(None) == tmp_path / "env"
    assert resolve_dir(tmp_path / "cli") == tmp_path / "cli"
    monkeypatch.delenv("FAASGUARD_VULNDB")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert resolve_dir(None) == tmp_path / ".cache" / "faasguard" / "vulndb"


@pytest.mark.parametrize(("events", "version", "expected"), [
    ([{"introduced": "0"}, {"fixed": "2.0"}], "1.5", (True, ("2.0",))),
    ([{"introduced": "0"}, {"fixed": "2.0"}], "2.0", (False, ())),
    ([{"introduced": "1.0"}, {"last_affected": "1.5"}], "1.5", (True, ())),
    ([{"introduced": "1.0"}, {"last_affected": "1.5"}], "1.5.1", (False, ())),
    ([{"introduced": "1.0"}], "0.9", (False, ())),
    ([{"introduced": "0"}, {"fixed": "1.0rc1"}], "1.0b2", (True, ("1.0rc1",))),
    ([{"introduced": "0"}, {"fixed": "1.0"}], "not-a-version", (False, ())),
])
def test_pep440_ranges(events: list[dict[str, str]], version: str, expected: tuple[bool, tuple[str, ...]]) -> None:
    result = in_range("PyPI", "ECOSYSTEM", events, version)
    assert (result.affected, result.fixed) == expected


def test_git_ranges_not_evaluated() -> None:
    assert not in_range("PyPI", "GIT", [{"introduced": "0"}], "1.0").affected


def test_cvss_v3_scores() -> None:
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") == 6.1
    assert cvss3_base_score("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N") == 0.0
    assert cvss_level("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H") == "high"  # 7.5


def test_parse_record_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        parse_record({"no": "id"})


@pytest.mark.integration
def test_import_pypa_advisory_db(tmp_path: Path) -> None:
    if not PYPA_DB.is_dir():
        pytest.skip(f"{PYPA_DB} is absent (../shared not available)")
    report = import_path(PYPA_DB, tmp_path / "db")
    assert report.records > 2500 and report.errors == [] and report.ecosystems == {"PyPI"}
    db = VulnDB.open(tmp_path / "db")
    assert db is not None
    found = {v.id: v for v in db.vulnerabilities("PyPI", "requests", "2.19.0")}
    assert "PYSEC-2018-28" in found
    assert found["PYSEC-2018-28"].fixed == ("2.20.0",)
    assert "CVE-2018-18074" in found["PYSEC-2018-28"].aliases
    assert db.vulnerabilities("PyPI", "requests", "2.32.3") == []


def test_hostile_record_shapes_never_stop_an_import(tmp_path: Path) -> None:
    src = tmp_path / "osv"
    weird = [
        {"id": "X-1", "aliases": 5, "severity": "high", "references": "x", "affected": "PyPI"},
        {"id": "X-2", "affected": [{"package": "demo"}, {"package": {"ecosystem": "PyPI", "name": "demo"},
                                                         "ranges": [{"type": "ECOSYSTEM", "events": 3}],
                                                         "versions": "1.0"}]},
        {"id": "X-3", "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"},
                                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": {"a": 1}}, 7]}]}]},
        [1, 2, 3],
        {"id": ["not", "a", "string"]},
    ]
    for i, record in enumerate(weird):
        _write(src, f"r{i}.json", record)  # type: ignore[arg-type]
    (src / "deep.json").write_text("[" * 100000 + "]" * 100000)
    report = import_path(src, tmp_path / "db")
    assert report.records + len(report.errors) == 6
    db = VulnDB.open(tmp_path / "db")
    assert db is not None and db.vulnerabilities("PyPI", "demo", "1.0") == []
