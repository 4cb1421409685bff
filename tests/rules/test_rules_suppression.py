"""Resource-level rule findings can be skipped with CloudFormation Metadata on the resource itself."""

from __future__ import annotations

from pathlib import Path

from faasguard.scan import ScanOptions, scan

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Metadata:
      faasguard:
        skip:
          - id: FG-DATA-002
            reason: access is blocked at the account level
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
"""


def test_bucket_finding_is_skipped_by_bucket_metadata(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    result = scan(tmp_path, ScanOptions(checks=("FG-DATA-002", "FG-DATA-003")))
    kept = sorted((f.rule_id, f.location.line) for f in result.findings if f.location)
    suppressed = [s.finding.rule_id for s in result.suppressed]
    assert kept == [("FG-DATA-003", 4)]
    assert suppressed == ["FG-DATA-002"]
