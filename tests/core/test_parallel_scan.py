"""A scan split over worker processes gives exactly the single-process result."""

from __future__ import annotations

from pathlib import Path

from faasguard.loaders.discovery import walk
from faasguard.scan import ScanOptions, _partition, scan

SERVICE = """\
service: svc{i}
provider:
  name: aws
  runtime: python3.8
  timeout: 900
  environment:
    DB_PASSWORD: hunter{i}
functions:
  api:
    handler: handler.main
    events:
      - httpApi: {{method: GET, path: /items}}
resources:
  - ${{file(../shared/queue.yml)}}
"""
# A fragment pulled in by every service: a stand-alone template by shape, but not an app.
FRAGMENT = """\
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: false
"""


def _tree(root: Path) -> Path:
    for i in range(6):
        (root / f"svc{i}").mkdir(parents=True)
        (root / f"svc{i}" / "serverless.yml").write_text(SERVICE.format(i=i))
        (root / f"svc{i}" / "handler.py").write_text("import os\n\ndef main(event, context):\n"
                                                     "    os.system(event['body'])\n")
    (root / "shared").mkdir()
    (root / "shared" / "queue.yml").write_text(FRAGMENT)
    (root / "broken").mkdir()
    (root / "broken" / "template.yaml").write_text("Resources: [\n")
    return root


def _summary(result):  # type: ignore[no-untyped-def]
    return (
        sorted((a.name, a.location.file) for a in result.applications),
        sorted((f.rule_id, f.location.file if f.location else "", f.location.line if f.location else 0,
                f.fingerprint) for f in result.findings),
        sorted((e.file, e.line, e.kind, e.message) for e in result.errors),
    )


def test_parallel_and_sequential_scans_agree(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    chunks = _partition(list(walk(root)), 2)
    assert len(chunks) == 2  # the tree really is split
    sequential = scan(root, ScanOptions(jobs=1))
    parallel = scan(root, ScanOptions(jobs=2))
    assert _summary(parallel) == _summary(sequential)
    apps, findings, errors = _summary(parallel)
    assert [name for name, _ in apps] == [f"svc{i}" for i in range(6)]  # the fragment is no app
    assert ("broken/template.yaml", 2) in {(e[0], e[1]) for e in errors}
    assert {f[0] for f in findings} >= {"FG-FN-001", "FG-SEC-001", "FG-CODE-001"}
