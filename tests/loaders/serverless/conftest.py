"""Helpers for the Serverless Framework loader tests: load one fixture project (or a serverless.yml
written into a temporary directory) with the real loader and return its application and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from faasguard.loaders import LoadOptions
from faasguard.loaders.document import load_document
from faasguard.loaders.serverless import ServerlessLoader
from faasguard.model import Application, ScanError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "serverless"

Loaded = tuple[Application, list[ScanError]]


def load_project(directory: Path, options: LoadOptions | None = None, root: Path | None = None,
                 name: str = "serverless.yml") -> Loaded:
    root = (root or directory).resolve()
    path = (directory / name).resolve()
    doc = load_document(path, path.relative_to(root).as_posix())
    loader = ServerlessLoader()
    assert loader.claims(doc)
    result = loader.load(doc, root, options or LoadOptions())
    assert len(result.applications) == 1, result.errors
    return result.applications[0], result.errors


@pytest.fixture
def fixture_app() -> Callable[..., Loaded]:
    def load(name: str, **options: object) -> Loaded:
        return load_project(FIXTURES / name, LoadOptions(**options))  # type: ignore[arg-type]
    return load


@pytest.fixture
def sls(tmp_path: Path) -> Callable[..., Loaded]:
    """Write ``text`` (plus ``files``) into a fresh project directory and load it."""
    def load(text: str, files: dict[str, str] | None = None, **options: object) -> Loaded:
        project = tmp_path / "project"
        project.mkdir(exist_ok=True)
        (project / "serverless.yml").write_text(text)
        for rel, content in (files or {}).items():
            target = project / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        return load_project(project, LoadOptions(**options))  # type: ignore[arg-type]
    return load
