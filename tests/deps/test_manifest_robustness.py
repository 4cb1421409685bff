"""Hostile or broken manifests never raise: they become problems (scan errors) and the rest goes on."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from faasguard.analyzers.deps.collect import scan_directory

NAMES = ["requirements.txt", "Pipfile.lock", "poetry.lock", "uv.lock", "pyproject.toml", "package-lock.json",
         "yarn.lock", "package.json"]
WEIRD_JSON = [[], "text", 1, None, {"default": [], "packages": [], "dependencies": "x"},
              {"default": {"a": "==1"}, "packages": {"node_modules/a": "1.0", "": []}, "dependencies": {"a": 3}},
              {"lockfileVersion": 1, "dependencies": {"a": {"dependencies": {"b": None}, "requires": []}}},
              {"dependencies": {"a": ["1"]}, "optionalDependencies": None}]
WEIRD_TOML = ['package = "x"\n', "package = [1, 2]\n", '[[package]]\nname = 3\nversion = []\ndependencies = "x"\n',
              '[project]\ndependencies = "requests"\n[tool.poetry]\ndependencies = ["x"]\n',
              '[[package]]\nname = "a"\nsource = "x"\ndependencies = [1, {"nom": "b"}]\n', "= broken"]


@pytest.mark.parametrize("name", NAMES)
def test_random_bytes(tmp_path: Path, name: str) -> None:
    rng = random.Random(name)
    for i in range(20):
        (tmp_path / name).write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))))
        scan_directory(tmp_path, tmp_path)  # must not raise
        assert i >= 0


@pytest.mark.parametrize("name", ["Pipfile.lock", "package-lock.json", "package.json"])
@pytest.mark.parametrize("content", WEIRD_JSON, ids=range(len(WEIRD_JSON)))
def test_wrong_json_shapes(tmp_path: Path, name: str, content: object) -> None:
    (tmp_path / name).write_text(json.dumps(content))
    parsed = scan_directory(tmp_path, tmp_path)
    assert all(d.name for d in parsed.dependencies)


@pytest.mark.parametrize("name", ["poetry.lock", "uv.lock", "pyproject.toml"])
@pytest.mark.parametrize("content", WEIRD_TOML, ids=range(len(WEIRD_TOML)))
def test_wrong_toml_shapes(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    parsed = scan_directory(tmp_path, tmp_path)
    assert all(isinstance(d.name, str) and d.name for d in parsed.dependencies)


def test_requirements_include_loop_and_missing(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r requirements.txt\n-r missing.txt\nok==1\n")
    parsed = scan_directory(tmp_path, tmp_path)
    assert [(d.name, d.version) for d in parsed.dependencies] == [("ok", "1")]
    assert [p.file for p in parsed.problems] == ["missing.txt"]


def test_symlink_loop_in_code_dir(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "requirements.txt").write_text("x==1\n")
    assert [d.name for d in scan_directory(tmp_path, tmp_path).dependencies] == ["x"]


@pytest.mark.parametrize("name", ["Pipfile.lock", "package-lock.json", "package.json"])
def test_shape_checks_not_the_safety_net(tmp_path: Path, name: str) -> None:
    """The catch-all in parse_directory_files is a net: known odd shapes are handled before it."""
    for content in WEIRD_JSON:
        (tmp_path / name).write_text(json.dumps(content))
        assert not any(p.message.startswith("could not read: ") for p in scan_directory(tmp_path, tmp_path).problems)
    for content in WEIRD_TOML:
        for toml_name in ("poetry.lock", "uv.lock", "pyproject.toml"):
            (tmp_path / toml_name).write_text(content)
        problems = scan_directory(tmp_path, tmp_path).problems
        assert not any(p.message.startswith("could not read: ") for p in problems), problems
