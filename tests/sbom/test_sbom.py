"""CycloneDX 1.6 SBOM: functions as components with their packages nested, purls, reproducibility."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from typer.testing import CliRunner

from faasguard.cli.app import build
from faasguard.model import Application, Function, Location, Trigger, TriggerKind, Trust
from faasguard.sbom import build_bom, parse_timestamp, to_json

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "deps" / "samapp"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deps"))  # the SAM fixture's model
from helpers_deps import sam_fixture_app  # noqa: E402


def _app() -> Application:
    app = sam_fixture_app()
    web = app.functions[1]
    trigger = Trigger(TriggerKind.HTTP_API, Trust.PUBLIC, Location("template.yaml", 20), method="GET", path="/items")
    return replace(app, functions=(app.functions[0], replace(web, triggers=(trigger,))))


def _sbom(timestamp: str = "2024-01-01T00:00:00Z") -> dict:  # type: ignore[type-arg]
    return json.loads(to_json(build_bom([_app()], FIXTURE, timestamp=parse_timestamp(timestamp))))


def test_functions_with_nested_packages_and_properties() -> None:
    sbom = _sbom()
    assert sbom["specVersion"] == "1.6" and sbom["bomFormat"] == "CycloneDX"
    assert sbom["metadata"]["component"]["bom-ref"] == "application:samapp"
    functions = {c["name"]: c for c in sbom["components"]}
    assert sorted(functions) == ["OrdersFunction", "WebFunction"]
    orders = functions["OrdersFunction"]
    props = {p["name"]: p["value"] for p in orders["properties"]}
    assert (props["faasguard:runtime"], props["faasguard:handler"]) == ("python3.11", "app.handler")
    assert [c["purl"] for c in orders["components"]] == [
        "pkg:pypi/jinja2@2.10", "pkg:pypi/pyyaml", "pkg:pypi/requests@2.19.0", "pkg:pypi/urllib3@1.26.4"]
    urllib3 = orders["components"][3]
    assert {p["name"]: p["value"] for p in urllib3["properties"]}["faasguard:layer"] == "CommonLayer"
    web = functions["WebFunction"]
    assert [p["value"] for p in web["properties"] if p["name"] == "faasguard:trigger"] == [
        "http_api GET /items (public)"]
    assert [c["purl"] for c in web["components"]] == ["pkg:npm/lodash@4.17.15"]
    deps = {d["ref"]: d.get("dependsOn", []) for d in sbom["dependencies"]}
    assert deps["application:samapp"] == ["function:OrdersFunction", "function:WebFunction"]
    assert deps["function:WebFunction"] == ["function:WebFunction|pkg:npm/lodash@4.17.15"]


def test_valid_against_the_cyclonedx_1_6_schema() -> None:
    text = to_json(build_bom([_app()], FIXTURE, timestamp=parse_timestamp("0")))
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None


def test_reproducible_with_fixed_timestamp() -> None:
    first = to_json(build_bom([_app()], FIXTURE, timestamp=parse_timestamp("1700000000")))
    second = to_json(build_bom([_app()], FIXTURE, timestamp=parse_timestamp("1700000000")))
    assert first == second
    assert json.loads(first)["metadata"]["timestamp"] == "2023-11-14T22:13:20+00:00"


def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert parse_timestamp(None) is not None and parse_timestamp(None).isoformat() == "1970-01-02T00:00:00+00:00"
    assert parse_timestamp("2024-05-01T12:00:00").isoformat() == "2024-05-01T12:00:00+00:00"  # type: ignore[union-attr]


def test_two_applications_keep_refs_apart(tmp_path: Path) -> None:
    loc = Location("a/serverless.yml", 1)
    a = Application("a", "serverless", "a", ("a/serverless.yml",), loc, functions=(Function("api", "api", loc),))
    b = Application("b", "serverless", "b", ("b/serverless.yml",), loc, functions=(Function("api", "api", loc),))
    sbom = json.loads(to_json(build_bom([a, b], tmp_path, timestamp=parse_timestamp("0"), root_name="mono")))
    assert sorted(c["bom-ref"] for c in sbom["components"]) == ["function:a/api", "function:b/api"]
    assert sbom["metadata"]["component"]["name"] == "mono"


def test_cli_writes_file_and_is_stable(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "bom.json"
    args = ["sbom", str(FIXTURE), "--timestamp", "2024-01-01T00:00:00Z"]
    first = runner.invoke(build(), args)
    assert first.exit_code == 0, first.output
    second = runner.invoke(build(), [*args, "--output-file", str(out)])
    assert second.exit_code == 0
    assert out.read_text() == first.stdout
    sbom = json.loads(out.read_text())
    assert sorted(c["name"] for c in sbom["components"]) == ["OrdersFunction", "WebFunction"]


def test_cli_rejects_bad_timestamp() -> None:
    result = CliRunner().invoke(build(), ["sbom", str(FIXTURE), "--timestamp", "yesterday"])
    assert result.exit_code == 2
    assert "invalid timestamp" in result.output


def test_scan_output_cyclonedx_is_the_same_sbom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from faasguard.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert main(["sbom", str(FIXTURE), "--output-file", str(tmp_path / "sbom.json")]) == 0
    assert main(["scan", str(FIXTURE), "-o", "cyclonedx", "--output-file", str(tmp_path / "scan.json"),
                 "--soft-fail", "--vulndb", str(tmp_path / "none")]) == 0
    assert (tmp_path / "scan.json").read_text() == (tmp_path / "sbom.json").read_text()
