"""Bad input: each broken or hostile file gives one error entry naming it; the rest is scanned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faasguard.model import ErrorKind
from faasguard.scan import scan

GOOD_SERVERLESS = """\
service: good
provider:
  name: aws
  runtime: python3.12
functions:
  hello:
    handler: handler.hello
"""

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


def _app_with(tmp_path: Path, name: str, content: bytes | str) -> Path:
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "serverless.yml").write_text(GOOD_SERVERLESS)
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)
    return tmp_path


CASES = {
    "invalid-yaml": ("broken/template.yaml", "Resources:\n  Fn: [unclosed\n", ErrorKind.PARSE, "invalid YAML"),
    "invalid-json": ("broken/template.json", '{"Resources": {', ErrorKind.PARSE, "invalid"),
    "alias-bomb": ("bomb/serverless.yml", BOMB, ErrorKind.UNSAFE, "alias"),
    "deep-nesting": ("deep/template.yaml", "a:\n" + "".join("  " * i + "- \n" for i in range(1, 400)),
                     None, ""),
    "binary": ("bin/template.yaml", b"\x00\x01\x02ELF\x00" * 100, ErrorKind.UNSUPPORTED, "binary"),
    "bad-encoding": ("enc/template.yaml", b"Resources:\n  Fn: \xff\xfe\xfa\n", ErrorKind.PARSE, "UTF-8"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_reported_and_the_good_app_still_loads(tmp_path: Path, case: str) -> None:
    rel, content, kind, text = CASES[case]
    root = _app_with(tmp_path, rel, content)
    result = scan(root)
    assert [a.name for a in result.applications] == ["good"]
    assert [f.id for a in result.applications for f in a.functions] == ["hello"]
    errors = [e for e in result.errors if e.file == rel]
    if kind is None:  # deep nesting may be legal YAML that simply isn't IaC: no crash, no app
        assert all(e.kind is not ErrorKind.INTERNAL for e in errors)
        return
    assert len(errors) == 1, result.errors
    assert errors[0].kind is kind
    assert text.lower() in errors[0].message.lower()


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    root = _app_with(tmp_path, "huge/template.yaml", "")
    with (root / "huge" / "template.yaml").open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MiB of size, no time spent writing it
    result = scan(root)
    errors = [e for e in result.errors if e.file == "huge/template.yaml"]
    assert [(e.kind, "50 MiB" in e.message) for e in errors] == [(ErrorKind.TOO_LARGE, True)]
    assert [a.name for a in result.applications] == ["good"]


def test_symlink_loops_and_broken_links_do_not_hang_or_crash(tmp_path: Path) -> None:
    root = _app_with(tmp_path, "links/README", "")
    os.symlink(root / "links", root / "links" / "loop")  # directory loop: not followed
    os.symlink(root / "links" / "missing.yml", root / "links" / "serverless.yml")  # broken file link
    result = scan(root)
    assert [a.name for a in result.applications] == ["good"]
    broken = [e for e in result.errors if e.file == "links/serverless.yml"]
    assert [e.kind for e in broken] == [ErrorKind.UNSAFE]


def test_broken_chalice_and_zappa_configs_are_reported_and_valid_ones_load(tmp_path: Path) -> None:
    # a Chalice config without its app.py, and Zappa settings whose stage names no app_function
    root = _app_with(tmp_path, "broken-chalice/.chalice/config.json", '{"version": "2.0", "app_name": "x"}')
    (root / "broken-zappa").mkdir()
    (root / "broken-zappa" / "zappa_settings.json").write_text('{"dev": {"s3_bucket": "b"}}')
    (root / "zappa").mkdir()
    (root / "zappa" / "zappa_settings.json").write_text('{"dev": {"app_function": "app.app"}}')
    (root / "zappa" / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    result = scan(root)
    errors = sorted((e.file, e.kind, e.line) for e in result.errors if not e.file.startswith("good/"))
    assert errors == [("broken-chalice/.chalice/config.json", ErrorKind.CODE_NOT_FOUND, 1),
                      ("broken-zappa/zappa_settings.json", ErrorKind.PARSE, 1)]
    assert sorted((a.name, a.source_kind) for a in result.applications) == [("good", "serverless"),
                                                                            ("zappa", "zappa")]


def test_empty_directory_is_not_a_clean_scan(tmp_path: Path) -> None:
    result = scan(tmp_path)
    assert result.applications == []
    assert [(e.kind, e.message.startswith("no serverless application found")) for e in result.errors] == [
        (ErrorKind.UNSUPPORTED, True)]


def test_skipped_directories_are_not_scanned(tmp_path: Path) -> None:
    root = _app_with(tmp_path, "node_modules/pkg/serverless.yml", GOOD_SERVERLESS.replace("good", "vendored"))
    (root / ".aws-sam" / "build").mkdir(parents=True)
    (root / ".aws-sam" / "build" / "template.yaml").write_text("Resources: {}\nAWSTemplateFormatVersion: x\n")
    (root / "venv").mkdir()
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "venv" / "serverless.yml").write_text(GOOD_SERVERLESS.replace("good", "venv"))
    result = scan(root)
    assert [a.name for a in result.applications] == ["good"]


def test_framework_filter_loads_only_the_chosen_frameworks(tmp_path: Path) -> None:
    from faasguard.loaders.base import LoadOptions
    from faasguard.scan import ScanOptions

    root = _app_with(tmp_path, "sam/template.yaml",
                     "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                     "    Properties: {Handler: a.b, Runtime: python3.12, CodeUri: .}\n")
    only_sam = scan(root, ScanOptions(load=LoadOptions(frameworks=("cloudformation",))))
    assert [(a.name, a.source_kind) for a in only_sam.applications] == [("sam", "sam")]
    both = scan(root, ScanOptions(load=LoadOptions(frameworks=("cloudformation", "serverless"))))
    assert sorted(a.name for a in both.applications) == ["good", "sam"]


def test_serverless_config_written_as_code_is_reported_not_run(tmp_path: Path) -> None:
    root = _app_with(tmp_path, "ts-app/serverless.ts", "export default { service: 'x' }\n")
    result = scan(root)
    assert [a.name for a in result.applications] == ["good"]
    assert [(e.file, e.kind) for e in result.errors if e.file.startswith("ts-app")] == [
        ("ts-app/serverless.ts", ErrorKind.UNSUPPORTED)]
