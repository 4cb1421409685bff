"""Helpers for the Serverless Framework loader tests (a uniquely named module: ``conftest`` is
ambiguous across test directories): load one fixture project (or a serverless.yml
written into a temporary directory) with the real loader and return its application and errors."""

from __future__ import annotations

from pathlib import Path

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
