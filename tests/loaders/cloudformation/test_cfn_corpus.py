"""Every SAM/CloudFormation template of the shared IaC corpus loads, or yields error entries:
never an exception, never an internal error."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from faasguard.loaders.base import LoadOptions
from faasguard.loaders.cloudformation import CloudFormationLoader
from faasguard.loaders.discovery import walk
from faasguard.loaders.document import DocumentError, load_document
from faasguard.model import ErrorKind

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "iac"


@pytest.mark.integration
def test_corpus_templates_load_without_crashing() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared IaC corpus not found at {CORPUS} (../shared is absent)")
    loader = CloudFormationLoader()
    root = CORPUS.resolve()
    templates = functions = sam_functions = triggers = 0
    errors: Counter[ErrorKind] = Counter()
    internal: list[str] = []
    for cand in walk(root):
        if cand.path.name.endswith((".tf", ".tf.json", ".tfvars")):
            continue
        try:
            doc = load_document(cand.path, cand.file)
        except DocumentError:
            continue  # unparsable files are the document reader's concern, tested elsewhere
        if not loader.claims(doc):
            continue
        templates += 1
        result = loader.load(doc, root, LoadOptions())  # must not raise
        for app in result.applications:
            functions += len(app.functions)
            triggers += sum(len(f.triggers) for f in app.functions)
            if app.source_kind == "sam":
                sam_functions += len(app.functions)
        for err in result.errors:
            errors[err.kind] += 1
            assert err.file == cand.file
            if err.kind is ErrorKind.INTERNAL:
                internal.append(f"{err.file}:{err.line}: {err.message}")
    print(f"\ncorpus: {templates} templates, {functions} functions ({sam_functions} SAM), {triggers} triggers, "
          f"errors {dict(errors)}")
    assert internal == []
    assert templates > 1000 and sam_functions > 1000
