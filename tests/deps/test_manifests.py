"""Manifest parsers: every supported format, exact versions and lines."""

from __future__ import annotations

import json
from pathlib import Path

from faasguard.analyzers.deps.collect import scan_directory
from faasguard.analyzers.deps.manifests import (
    parse_package_json,
    parse_package_lock,
    parse_pipfile_lock,
    parse_pyproject,
    parse_requirements,
    parse_yarn_lock,
)


def _deps(parsed) -> list[tuple[str, str | None, int]]:  # type: ignore[no-untyped-def]
    return [(d.name, d.version, d.line) for d in parsed.dependencies]


def test_requirements_includes_hashes_continuations_markers(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("urllib3==1.26.4\n-r requirements.txt\n")  # include loop
    (tmp_path / "requirements.txt").write_text(
        "--index-url https://pypi.org/simple\n"
        "-r base.txt\n"
        "-c constraints.txt\n"
        "requests==2.19.0 \\\n"
        "    --hash=sha256:63b52e3c866428a224f97cab011de738c36aec0185aa91cfacd418b5d58911d1 \\\n"
        "    --hash=sha256:ec22d826a36ed72a7358ff3fe56cbd4ba69dd7a6718ffd450ff0e9df7a47ce6a\n"
        "Django[argon2]==3.2.0 ; python_version >= '3.8'  # web\n"
        "flask>=2.0\n"
        "jinja2==3.*\n"
        "-e .\n"
        "git+https://github.com/org/lib.git@v1.0#egg=orglib\n"
        "this is not a requirement!!\n")
    parsed = parse_requirements(tmp_path / "requirements.txt", tmp_path)
    assert _deps(parsed) == [("urllib3", "1.26.4", 1), ("requests", "2.19.0", 4), ("Django", "3.2.0", 7),
                             ("flask", None, 8), ("jinja2", None, 9), ("orglib", None, 11)]
    assert parsed.dependencies[1].manifest == "requirements.txt"
    assert parsed.dependencies[0].manifest == "base.txt"
    assert [(p.line, p.message.split(":")[0]) for p in parsed.problems] == [(12, "unreadable requirement")]


def test_requirements_include_outside_root_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.txt").write_text("evil==1.0\n")
    (root / "requirements.txt").write_text("-r ../outside.txt\nok==1.0\n")
    parsed = parse_requirements(root / "requirements.txt", root)
    assert _deps(parsed) == [("ok", "1.0", 2)]
    assert "outside the scanned tree" in parsed.problems[0].message


def test_pipfile_lock_default_only(tmp_path: Path) -> None:
    (tmp_path / "Pipfile.lock").write_text(json.dumps({
        "_meta": {}, "default": {"requests": {"version": "==2.25.0"}, "six": {"version": "==1.16.0"}},
        "develop": {"pytest": {"version": "==7.0.0"}}}, indent=4))
    assert _deps(parse_pipfile_lock(tmp_path / "Pipfile.lock", tmp_path)) == [
        ("requests", "2.25.0", 4), ("six", "1.16.0", 7)]


def test_poetry_and_uv_locks_with_graph(tmp_path: Path) -> None:
    (tmp_path / "poetry.lock").write_text(
        '[[package]]\nname = "requests"\nversion = "2.19.0"\n\n[package.dependencies]\nurllib3 = ">=1.21"\n\n'
        '[[package]]\nname = "urllib3"\nversion = "1.23"\n')
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["requests>=2"]\n')
    parsed = scan_directory(tmp_path, tmp_path)
    assert _deps(parsed) == [("requests", "2.19.0", 2), ("urllib3", "1.23", 9)]  # the lock wins over pyproject
    assert parsed.dependencies[0].requires == ("urllib3",)
    uv = tmp_path / "uv"
    uv.mkdir()
    (uv / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n'
        'dependencies = [{ name = "pyyaml" }]\n\n[[package]]\nname = "pyyaml"\nversion = "5.3"\n'
        'source = { registry = "https://pypi.org/simple" }\n')
    assert _deps(scan_directory(uv, tmp_path)) == [("pyyaml", "5.3", 10)]


def test_pyproject_pep621_and_poetry(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = [\n  "requests==2.19.0",\n  "boto3>=1.26",\n]\n\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\npyjwt = "1.5.0"\nflask = "^2.0"\n')
    assert _deps(parse_pyproject(tmp_path / "pyproject.toml", tmp_path)) == [
        ("requests", "2.19.0", 4), ("boto3", None, 5), ("pyjwt", "1.5.0", 10), ("flask", None, 11)]


def test_package_lock_v1_nested_and_dev(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text(json.dumps({
        "lockfileVersion": 1, "dependencies": {
            "express": {"version": "4.16.0", "requires": {"qs": "6.5.1"},
                        "dependencies": {"qs": {"version": "6.5.1"}}},
            "mocha": {"version": "5.0.0", "dev": True}}}, indent=2))
    parsed = parse_package_lock(tmp_path / "package-lock.json", tmp_path)
    assert [(d.name, d.version, d.direct) for d in parsed.dependencies] == [
        ("express", "4.16.0", True), ("qs", "6.5.1", False)]
    assert parsed.dependencies[0].requires == ("qs",)


def test_yarn_lock_classic_and_berry(tmp_path: Path) -> None:
    (tmp_path / "yarn.lock").write_text(
        '# yarn lockfile v1\n\n\nlodash@^4.17.0, lodash@^4.17.4:\n  version "4.17.15"\n  resolved "x"\n\n'
        '"@babel/core@^7.0.0":\n  version "7.1.0"\n')
    assert _deps(parse_yarn_lock(tmp_path / "yarn.lock", tmp_path)) == [("lodash", "4.17.15", 4),
                                                                         ("@babel/core", "7.1.0", 8)]
    berry = tmp_path / "berry"
    berry.mkdir()
    (berry / "yarn.lock").write_text(
        '__metadata:\n  version: 6\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n\n'
        '"minimist@npm:^1.2.0":\n  version: 1.2.5\n  resolution: "minimist@npm:1.2.5"\n')
    assert _deps(parse_yarn_lock(berry / "yarn.lock", tmp_path)) == [("minimist", "1.2.5", 7)]


def test_package_json_exact_and_ranges(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({
        "dependencies": {"axios": "0.21.0", "lodash": "^4.17.0", "@aws-sdk/client-s3": "=3.1.0"},
        "devDependencies": {"jest": "29.0.0"}}, indent=2))
    parsed = parse_package_json(tmp_path / "package.json", tmp_path)
    assert [(d.name, d.version) for d in parsed.dependencies] == [
        ("@aws-sdk/client-s3", "3.1.0"), ("axios", "0.21.0"), ("lodash", None)]
    assert parsed.dependencies[0].purl == "pkg:npm/%40aws-sdk/client-s3@3.1.0"


def test_vendored_dist_info_and_broken_files(tmp_path: Path) -> None:
    info = tmp_path / "PyJWT-1.5.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: PyJWT\nVersion: 1.5.0\n"
                                   "Requires-Dist: cryptography ; extra == 'crypto'\n\nbody\n")
    (info / "RECORD").write_text("jwt/__init__.py,sha256=x,1\njwt/api_jwt.py,sha256=y,2\n"
                                 "PyJWT-1.5.0.dist-info/METADATA,,\n")
    (tmp_path / "package-lock.json").write_text("{ not json")
    parsed = scan_directory(tmp_path, tmp_path)
    assert [(d.name, d.version, d.top_level, d.requires, d.purl) for d in parsed.dependencies] == [
        ("PyJWT", "1.5.0", ("jwt",), (), "pkg:pypi/pyjwt@1.5.0")]
    assert [p.file for p in parsed.problems] == ["package-lock.json"]


def test_environment_markers_per_function_runtime(tmp_path: Path) -> None:
    from faasguard.analyzers.deps.collect import function_dependencies
    from faasguard.model import Application, Function, Location

    (tmp_path / "requirements.txt").write_text(
        'importlib-metadata==1.0 ; python_version < "3.8"\nrequests==2.19.0\nwinlib==1.0 ; sys_platform == "win32"\n'
        "odd==1.0 ; platform_release == '5.0'\n")  # undecidable here: kept
    loc = Location("template.yaml", 1)
    new = Function("new", "new", loc, runtime="python3.12", code_path=".")
    old = Function("old", "old", loc, runtime="python3.7", code_path=".")
    app = Application("a", "sam", ".", ("template.yaml",), loc, functions=(new, old))
    names = {fn.id: [d.name for d in function_dependencies(app, fn, tmp_path, {}).dependencies] for fn in (new, old)}
    assert names == {"new": ["requests", "odd"], "old": ["importlib-metadata", "requests", "odd"]}
