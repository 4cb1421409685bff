"""``faasguard fix --iam``: rewritten files still load, keep comments and formatting, and re-scan
clean of IAM excess for the analysed functions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from iam_helpers import FIXTURES, analyse, load, policy_actions, write
from test_iam_fixtures import EXPECTED

from faasguard.fix import iam as iam_fix
from faasguard.scan import ScanOptions, scan


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES, root)
    return root


def _unchanged_lines(before: str, after: str) -> bool:
    """Every original line is still there, in order (only insertions and the rewritten keys differ)."""
    import difflib

    removed = [ln for ln in difflib.ndiff(before.splitlines(), after.splitlines()) if ln.startswith("- ")]
    return not removed


def test_fix_rewrites_both_apps_and_rescan_is_clean_of_excess(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    sls_before = (root / "sls_orders/serverless.yml").read_text()
    result = iam_fix.plan(root)
    assert result.skipped == []
    written = iam_fix.apply(result)
    assert sorted(p.relative_to(root).as_posix() for p in written) == ["sam_media/template.yaml",
                                                                      "sls_orders/serverless.yml"]
    sls_after = (root / "sls_orders/serverless.yml").read_text()
    sam_after = (root / "sam_media/template.yaml").read_text()
    # comments, key order and formatting elsewhere are kept
    for comment in ("# Orders service: a faasguard IAM fixture", "# Far too broad, on purpose",
                    "# reads through an index", "lambda: true  # X-Ray for every function"):
        assert comment in sls_after
    assert _unchanged_lines(sls_before, sls_after)  # serverless: only insertions
    assert "# Makes thumbnails of uploads." in sam_after and "# Builds reports" in sam_after
    assert "Role: !GetAtt SharedRole.Arn" not in sam_after
    assert "- AWSSecretsManagerGetSecretValuePolicy:\n            SecretArn: !Ref ApiSecret" in sam_after
    assert "plugins:\n  - serverless-iam-roles-per-function\nfunctions:" in sls_after
    # still loads, every function now has its own role
    apps = load(root)
    roles = {fn.id: fn.role_id for app in apps for fn in app.functions}
    assert roles == {"createOrder": "CreateOrderIamRoleLambdaExecution",
                     "listOrders": "ListOrdersIamRoleLambdaExecution",
                     "processQueue": "ProcessQueueIamRoleLambdaExecution", "ThumbnailFunction": "ThumbnailFunctionRole",
                     "ReportFunction": "ReportFunctionRole", "WorkerFunction": "WorkerFunctionRole"}
    # re-scan: no excess, nothing missing, same generated policies
    findings = scan(root, ScanOptions()).findings
    assert [f for f in findings if f.rule_id in ("FG-IAM-105", "FG-IAM-106")] == []
    after = analyse(root)
    for fn_id, expected in EXPECTED.items():
        assert policy_actions(after[fn_id]) == expected
        assert after[fn_id].diff.excess == [] and after[fn_id].diff.missing == []


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from faasguard.cli.app import build

    root = _copy(tmp_path)
    before = (root / "sls_orders/serverless.yml").read_text()
    out = CliRunner().invoke(build(), ["fix", "--iam", str(root / "sls_orders/serverless.yml"), "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "--- a/serverless.yml\n+++ b/serverless.yml" in out.stdout
    added = "+    iamRoleStatements:\n+      - Effect: Allow\n+        Action:\n+          - dynamodb:PutItem"
    assert added in out.stdout
    assert (root / "sls_orders/serverless.yml").read_text() == before
    assert "sam_media" not in out.stdout  # a file target fixes only that file


def test_functions_without_analysable_code_are_left_alone(tmp_path: Path) -> None:
    write(tmp_path, {"serverless.yml": (
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\n"
        "functions:\n  f:\n    handler: index.handler\n"
    )})
    result = iam_fix.plan(tmp_path)
    assert result.files == [] and len(result.skipped) == 1 and result.skipped[0].startswith("f: code not analysed")


def test_json_template_is_rewritten_as_json(tmp_path: Path) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "CodeUri": "src/", "Handler": "app.handler", "Runtime": "python3.12",
                "Environment": {"Variables": {"QUEUE": {"Ref": "Q"}}},
                "Policies": [{"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["Q", "QueueName"]}}},
                             {"S3ReadPolicy": {"BucketName": "*"}}]}},
            "Q": {"Type": "AWS::SQS::Queue"},
        },
    }
    write(tmp_path, {"template.json": json.dumps(template, indent=4) + "\n",
                     "src/app.py": "import os, boto3\nsqs = boto3.client('sqs')\n"
                                   "def handler(e, c):\n"
                                   "    sqs.send_message(QueueUrl=os.environ['QUEUE'], MessageBody='x')\n"})
    iam_fix.apply(iam_fix.plan(tmp_path))
    text = (tmp_path / "template.json").read_text()
    assert text.startswith('{\n    "AWSTemplateFormatVersion"')
    data = json.loads(text)
    assert data["Resources"]["Fn"]["Properties"]["Policies"] == [
        {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["Q", "QueueName"]}}}]
    assert [f for f in scan(tmp_path, ScanOptions()).findings if f.rule_id == "FG-IAM-105"] == []


def test_yaml_details_survive_the_round_trip(tmp_path: Path) -> None:
    template = (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n  Stage: {Type: String, Default: dev}   # flow style\n"
        "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n"
        "Globals:\n  Function: &defaults\n    Runtime: python3.12\n"
        "Resources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: app.handler   # entry\n      CodeUri: src/\n"
        "      Description: !Sub |\n        Function for ${Stage}\n        second line\n"
        "      Environment:\n        Variables:\n          BUCKET: !If [IsProd, !Ref B, !Ref B]\n"
        "      Policies:\n      - S3FullAccessPolicy:\n          BucketName: !Ref B\n"
        "      Tags: {team: \"x\", 'quoted': 'y'}\n"
        "  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Join [\"-\", [media, !Ref Stage]]\n"
    )
    write(tmp_path, {"template.yaml": template, "src/app.py": (
        "import os, boto3\ns3 = boto3.client('s3')\n"
        "def handler(e, c):\n    s3.put_object(Bucket=os.environ['BUCKET'], Key='k', Body=b'')\n")})
    iam_fix.apply(iam_fix.plan(tmp_path))
    after = (tmp_path / "template.yaml").read_text()
    expected = template.replace(
        "      - S3FullAccessPolicy:\n          BucketName: !Ref B\n",
        "      - Statement:\n        - Effect: Allow\n          Action:\n          - s3:PutObject\n"
        "          Resource:\n          - !Sub ${B.Arn}/*\n")
    assert after == expected  # everything else byte for byte: anchors, flow style, quotes, block scalars
    (app,) = load(tmp_path)
    assert [s.actions for s in app.role_of(app.function("Fn")).statements] == [("s3:PutObject",)]


def test_four_space_indentation_is_kept(tmp_path: Path) -> None:
    original = (
        "service: s4\nprovider:\n    name: aws\n    runtime: python3.12\n    iam:\n        role:\n"
        "            statements:\n            -   Effect: Allow\n                Action: \"s3:*\"\n"
        "                Resource: \"*\"\n"
        "plugins:\n-   serverless-python-requirements\n"
        "functions:\n    hello:\n        handler: app.handler   # the handler\n        events:\n"
        "        -   http:\n                path: /hi\n                method: get\n"
    )
    write(tmp_path, {"serverless.yml": original,
                     "app.py": "import boto3\ndef handler(e, c):\n    boto3.client('s3').list_buckets()\n"})
    iam_fix.apply(iam_fix.plan(tmp_path))
    after = (tmp_path / "serverless.yml").read_text()
    assert after == original.replace(
        "-   serverless-python-requirements\n",
        "-   serverless-python-requirements\n-   serverless-iam-roles-per-function\n").replace(
        "        handler: app.handler   # the handler\n",
        "        handler: app.handler   # the handler\n        iamRoleStatements:\n        -   Effect: Allow\n"
        "            Action:\n            -   s3:ListAllMyBuckets\n            Resource:\n            -   '*'\n")
