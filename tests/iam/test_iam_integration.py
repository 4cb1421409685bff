"""Integration tests on ../shared: the exceptions table is reproducible from its source, and the
IAM analysis runs over the whole IaC corpus without an internal error."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
MAP = SHARED / "data" / "iam" / "iam-dataset-map-2022-08.json"
CORPUS = SHARED / "corpus" / "iac"


@pytest.mark.integration
def test_exceptions_table_is_reproducible_from_the_dataset(tmp_path: Path) -> None:
    if not MAP.is_file():
        pytest.skip(f"{MAP} is absent (the ../shared data directory is not available)")
    subprocess.run([sys.executable, str(REPO / "scripts" / "derive_iam_exceptions.py"), "--map", str(MAP),
                    "--out", str(tmp_path)], check=True, capture_output=True, timeout=300)
    shipped = json.loads(resources.files("faasguard.analyzers.iam").joinpath("data/sdk_exceptions.json")
                         .read_text("utf-8"))
    derived = json.loads((tmp_path / "sdk_exceptions.json").read_text("utf-8"))
    assert derived["operations"] == shipped["operations"]
    assert derived["prefixes"] == shipped["prefixes"]
    assert derived["operations"]["s3"]["ListObjectsV2"] == ["s3:ListBucket"]


@pytest.mark.integration
def test_corpus_analysis_has_no_internal_errors() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the ../shared corpus is not available)")
    from faasguard.analyzers.base import ScanContext
    from faasguard.analyzers.iam.analyzer import IamAnalyzer
    from faasguard.loaders import load_tree
    from faasguard.loaders.base import LoadOptions
    from faasguard.model import ScanError

    root = CORPUS / "serverless-patterns"
    loaded = load_tree(root, LoadOptions())
    analyzer = IamAnalyzer()
    ctx = ScanContext(root=root)
    errors = [item for app in loaded.applications for item in analyzer.analyze(app, ctx)
              if isinstance(item, ScanError)]
    assert len(loaded.applications) > 300
    assert errors == []
