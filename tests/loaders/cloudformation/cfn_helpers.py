"""Helpers for the CloudFormation loader tests: load a fixture, find the line of a text in it."""

from __future__ import annotations

from pathlib import Path

from faasguard.loaders.base import LoadOptions
from faasguard.loaders.cloudformation import CloudFormationLoader
from faasguard.loaders.document import load_document, parse_text
from faasguard.model import Application, ScanError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cloudformation"


def load(name: str, options: LoadOptions | None = None) -> tuple[Application, list[ScanError]]:
    """Load ``tests/fixtures/cloudformation/<name>`` with the fixtures folder as the scan root."""
    path = FIXTURES / name
    doc = load_document(path, path.relative_to(FIXTURES).as_posix())
    result = CloudFormationLoader().load(doc, FIXTURES, options or LoadOptions())
    assert len(result.applications) == 1
    return result.applications[0], result.errors


def load_text(text: str, name: str = "inline.yaml") -> tuple[Application, list[ScanError]]:
    doc = parse_text(text, name, FIXTURES / name)
    result = CloudFormationLoader().load(doc, FIXTURES, LoadOptions())
    return result.applications[0], result.errors


def line(name: str, text: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of fixture ``name`` that contains ``text``."""
    found = 0
    for number, content in enumerate((FIXTURES / name).read_text().splitlines(), start=1):
        if text in content:
            found += 1
            if found == nth:
                return number
    raise AssertionError(f"{text!r} (#{nth}) not in {name}")
