"""Fixtures for the Serverless Framework loader tests (helpers live in sls_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sls_helpers import FIXTURES, Loaded, load_project

from faasguard.loaders import LoadOptions


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
