"""``faasguard db import/update/status`` (update against a local HTTP server: no internet)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from faasguard.cli.db_cmd import app
from faasguard.vulndb import VulnDB

RECORD = {
    "id": "GHSA-test-0000-0001", "aliases": ["CVE-2099-1111"], "summary": "Test flaw",
    "affected": [{"package": {"ecosystem": "npm", "name": "tiny-lib"},
                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}]}],
}


@pytest.fixture
def osv_server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "www"
    (root / "npm").mkdir(parents=True)
    with zipfile.ZipFile(root / "npm" / "all.zip", "w") as zf:
        zf.writestr("GHSA-test-0000-0001.json", json.dumps(RECORD))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_update_downloads_records_checksum_and_source(osv_server: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAASGUARD_OSV_BASE_URL", osv_server)
    result = CliRunner().invoke(app, ["update", "--ecosystem", "npm", "--vulndb", str(tmp_path / "db")])
    assert result.exit_code == 0, result.output
    db = VulnDB.open(tmp_path / "db")
    assert db is not None
    (source,) = db.sources()
    assert (source.source, source.kind, source.records) == (f"{osv_server}/npm/all.zip", "update", 1)
    zip_path = tmp_path / "db" / "downloads" / "npm-all.zip"
    import hashlib

    assert source.sha256 == hashlib.sha256(zip_path.read_bytes()).hexdigest()
    assert [v.fixed for v in db.vulnerabilities("npm", "tiny-lib", "1.2.2")] == [("1.2.3",)]


def test_update_failure_keeps_existing_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAASGUARD_OSV_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    result = CliRunner().invoke(app, ["update", "--ecosystem", "PyPI", "--vulndb", str(tmp_path / "db")])
    assert result.exit_code == 1
    assert "update failed" in result.output
    assert VulnDB.open(tmp_path / "db") is None


def test_import_and_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "osv"
    src.mkdir()
    (src / "a.json").write_text(json.dumps(RECORD))
    monkeypatch.setenv("FAASGUARD_VULNDB", str(tmp_path / "db"))
    runner = CliRunner()
    missing = runner.invoke(app, ["status"])
    assert missing.exit_code == 1 and "no vulnerability database" in missing.output
    imported = runner.invoke(app, ["import", str(src)])
    assert imported.exit_code == 0, imported.output
    assert imported.output.startswith("imported 1 advisories (npm)")
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0
    assert "advisories: 1  ecosystems: npm" in status.output


def test_import_of_nonsense_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01not a zip")
    result = CliRunner().invoke(app, ["import", str(junk), "--vulndb", str(tmp_path / "db")])
    assert result.exit_code == 2
    assert "neither a folder of OSV records nor an OSV zip" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
