"""CDK synth output: cdk.out/*.template.json loaded as CloudFormation, the function's code asset
mapped to its directory, and the same findings as the SAM twin (code taint and IAM included)."""

from __future__ import annotations

import sys
from pathlib import Path

from faasguard.loaders import load_tree
from faasguard.loaders.discovery import walk
from faasguard.scan import scan

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "terraform"))
from tf_expect import expected, found, rule_ids  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cdk"
APP = FIXTURES / "app"
TEMPLATE = "cdk.out/NotesStack.template.json"
RULES = ("FG-FN-001", "FG-FN-003", "FG-SEC-001", "FG-API-002", "FG-IAM-002", "FG-IAM-102", "FG-CODE-001",
         "FG-PATH-001")


def test_only_synthesized_templates_are_read_from_cdk_out() -> None:
    files = sorted(c.file for c in walk(APP))
    assert files == ["cdk.json", TEMPLATE]


def test_cdk_findings_by_rule_and_line() -> None:
    result = scan(APP)
    assert result.errors == []
    json_lines = {("FG-FN-001", TEMPLATE, 41), ("FG-FN-003", TEMPLATE, 42), ("FG-SEC-001", TEMPLATE, 45),
                  ("FG-API-002", TEMPLATE, 60), ("FG-IAM-002", TEMPLATE, 21), ("FG-IAM-102", TEMPLATE, 21)}
    # the staged copy in cdk.out matches lambda/ exactly: the code findings are on the source
    marks = {m for m in expected(APP, RULES) if not m[1].startswith("cdk.out/")}
    assert ("FG-CODE-001", "lambda/index.py", 6) in marks
    assert found(result, RULES) == marks | json_lines


def test_code_asset_is_mapped_to_its_source_directory() -> None:
    loaded = load_tree(APP)
    [app] = loaded.applications
    assert [(f.id, f.code_path, f.handler) for f in app.functions] == [
        ("NotesFn9C8D7E6F", "lambda", "index.handler")]


def test_staged_asset_without_a_matching_source_is_used_as_is(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(APP / "cdk.out", tmp_path / "cdk.out")
    (tmp_path / "lambda").mkdir()
    (tmp_path / "lambda" / "index.py").write_text("def handler(event, context):\n    return 1\n")  # edited since
    [app] = load_tree(tmp_path).applications
    assert [f.code_path for f in app.functions] == ["cdk.out/asset.4f1c2e9a"]


def test_asset_outside_the_scan_is_never_read(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    text = (APP / TEMPLATE).read_text().replace('"asset.4f1c2e9a"', '"/etc"')
    (out / "S.template.json").write_text(text)
    [app] = load_tree(tmp_path).applications
    assert [f.code_path for f in app.functions] == [None]


def test_cdk_and_sam_twins_find_the_same_kinds_of_problems() -> None:
    cdk, sam = scan(APP), scan(FIXTURES / "twin-sam")
    assert cdk.errors == [] and sam.errors == []
    assert rule_ids(cdk) == rule_ids(sam)
