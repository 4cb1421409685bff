"""The Terraform files of the shared IaC corpus: every file is either loaded into an application or
listed in the errors, and nothing crashes (no internal error), in the loader and in a full scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.loaders import LoadOptions
from faasguard.loaders.discovery import walk
from faasguard.loaders.terraform import TerraformLoader
from faasguard.model import ErrorKind
from faasguard.scan import scan

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
CORPUS = SHARED / "corpus" / "iac"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared IaC corpus is not at {CORPUS}")
    return CORPUS.resolve()


def test_every_terraform_file_is_loaded_or_reported(corpus: Path) -> None:
    files = [c for c in walk(corpus) if c.file.endswith((".tf", ".tf.json", ".tfvars"))]
    assert len(files) > 200
    result = TerraformLoader().load_directories(sorted({c.path.parent for c in files}), corpus, LoadOptions())
    loaded = {f for app in result.applications for f in app.files}
    reported = {e.file for e in result.errors}
    assert [c.file for c in files if c.file not in loaded | reported] == []
    assert [e for e in result.errors if e.kind is ErrorKind.INTERNAL] == []
    assert sum(len(app.functions) for app in result.applications) > 100


def test_scanning_the_terraform_module_and_its_examples_never_crashes(corpus: Path) -> None:
    result = scan(corpus / "terraform-aws-lambda")
    assert [e for e in result.errors if e.kind is ErrorKind.INTERNAL] == []
    assert {a.source_kind for a in result.applications} == {"terraform"}
    assert result.function_count > 20 and result.findings
