"""Granted permissions from every source, the public helpers, and the risk checks."""

from __future__ import annotations

from pathlib import Path

from iam_helpers import analyse, load, write

from faasguard.analyzers.iam import allows, effective_permissions, granted, risk
from faasguard.analyzers.iam.granted import Grant

SAM_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"


def _app(tmp_path: Path, template: str, code: str = "def handler(e, c):\n    return 1\n"):  # type: ignore[no-untyped-def]
    write(tmp_path, {"template.yaml": SAM_HEAD + template, "src/app.py": code})
    (app,) = load(tmp_path)
    return app


FN = ("  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n"
      "      Runtime: python3.12\n")


def test_managed_policies_by_name_and_sam_event_policies(tmp_path: Path) -> None:
    app = _app(tmp_path, FN + "      Policies:\n        - AmazonSQSReadOnlyAccess\n"
                              "      Events:\n        Q:\n          Type: SQS\n          Properties:\n"
                              "            Queue: !GetAtt Q.Arn\n  Q:\n    Type: AWS::SQS::Queue\n")
    fn = app.function("Fn")
    g = granted(app, fn)
    sources = {x.source for x in g.grants}
    assert {"managed AWSLambdaBasicExecutionRole", "managed AmazonSQSReadOnlyAccess",
            "managed AWSLambdaSQSQueueExecutionRole"} <= sources
    implicit = {x.source for x in g.grants if x.implicit}
    assert implicit == {"managed AWSLambdaBasicExecutionRole", "managed AWSLambdaSQSQueueExecutionRole"}
    assert g.known
    assert allows(app, fn, "sqs:ReceiveMessage") and allows(app, fn, "sqs:GetQueueUrl")
    assert not allows(app, fn, "sqs:SendMessage")
    perms = effective_permissions(app, fn)
    assert ("sqs:ListQueues", "*", None) in perms


def test_deny_and_not_action_and_resources(tmp_path: Path) -> None:
    app = _app(tmp_path, FN + (
        "      Policies:\n        - Statement:\n"
        "            - Effect: Allow\n              NotAction: iam:*\n              Resource: '*'\n"
        "            - Effect: Deny\n              Action: s3:DeleteObject\n              Resource: '*'\n"
        "            - Effect: Allow\n              Action: dynamodb:GetItem\n              Resource: !GetAtt T.Arn\n"
        "  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: things\n"))
    fn = app.function("Fn")
    assert allows(app, fn, "s3:GetObject") and not allows(app, fn, "iam:PassRole")
    assert not allows(app, fn, "s3:DeleteObject")
    assert allows(app, fn, "dynamodb:GetItem", "${T.Arn}")
    assert allows(app, fn, "dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/things")


def test_unknown_managed_policy_and_external_role_make_no_missing_claims(tmp_path: Path) -> None:
    code = "import boto3\ndef handler(e, c):\n    boto3.client('s3').list_buckets()\n"
    app = _app(tmp_path, FN + "      Policies:\n        - SomeBrandNewAwsPolicy\n", code)
    fi = analyse(tmp_path)["Fn"]
    assert not granted(app, app.function("Fn")).known
    assert fi.diff.missing == [] and "contents unknown for managed policies: SomeBrandNewAwsPolicy" in fi.notes
    ext = tmp_path / "ext"
    external_role = FN.replace("Runtime", "Role: arn:aws:iam::123456789012:role/x\n      Runtime")
    write(ext, {"template.yaml": SAM_HEAD + external_role, "src/app.py": code})
    fi = analyse(ext)["Fn"]
    assert fi.diff.missing == [] and fi.granted.external


def test_serverless_framework_grants_are_implicit(tmp_path: Path) -> None:
    write(tmp_path, {"serverless.yml": (
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  tracing:\n    lambda: true\n"
        "functions:\n  f:\n    handler: app.handler\n    events:\n      - sqs: arn:aws:sqs:eu-west-1:123456789012:q\n"),
        "app.py": "def handler(e, c):\n    return 1\n"})
    fi = analyse(tmp_path)["f"]
    assert fi.diff.missing == [] and fi.diff.excess == []
    assert {g.source for g in fi.granted.grants} == {"framework logs", "framework sqs", "framework tracing"}
    assert ("sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:123456789012:q") in {
        (r.action, r.resource) for r in fi.needed}


def test_escalation_through_wildcards_and_exposure() -> None:
    grants = [Grant("Allow", ("iam:Put*",), ("*",), "inline p", None),
              Grant("Allow", ("lambda:AddPermission",), ("arn:aws:lambda:eu-west-1:1:function:f",), "inline p", None)]
    hits = list(risk.escalations(grants))
    assert [(h.actions, h.on_any) for h in hits] == [
        (("iam:PutRolePolicy",), True), (("iam:PutUserPolicy",), True), (("iam:PutGroupPolicy",), True)]
    (exposure,) = risk.exposure(grants)
    assert exposure.actions == ("lambda:AddPermission",) and not exposure.on_any
    # literal permission-management on "*" is FG-IAM-003's finding, not repeated here
    assert list(risk.escalations([Grant("Allow", ("iam:PutRolePolicy",), ("*",), "inline p", None)])) == []
    # a conditional grant is not evidence
    assert list(risk.escalations([Grant("Allow", ("iam:*",), ("*",), "inline p", None, conditional=True)])) == []


def test_unknown_actions_with_suggestions() -> None:
    g = Grant("Allow", ("bedrock-runtime:InvokeModel", "sqs:SendMessageBatch", "s3:Get*", "s3:Nope*"), ("*",),
              "inline p", None)
    assert [(a, s) for _, a, s in risk.unknown_actions([g])] == [
        ("bedrock-runtime:InvokeModel", ("bedrock:InvokeModel",)), ("sqs:SendMessageBatch", ("sqs:SendMessage",)),
        ("s3:Nope*", ())]


def test_functions_of_other_stacks_by_name(tmp_path: Path) -> None:
    code = ("import boto3\nlam = boto3.client('lambda')\n"
            "def handler(e, c):\n    lam.invoke(FunctionName='billing-prod-charge')\n"
            "    lam.invoke(FunctionName='arn:aws:lambda:eu-west-1:123456789012:function:audit:live')\n")
    _app(tmp_path, FN, code)
    fi = analyse(tmp_path)["Fn"]
    assert {(r.action, r.resource) for r in fi.needed if r.origin == "code"} == {
        ("lambda:InvokeFunction",
         "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:billing-prod-charge"),
        ("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:audit:live")}


def test_serverless_intrinsics_and_literal_names_compare_with_needs(tmp_path: Path) -> None:
    write(tmp_path, {"serverless.yml": (
        "service: sj\nprovider:\n  name: aws\n  runtime: python3.12\n  region: eu-west-1\n"
        "  iam:\n    role:\n      statements:\n"
        "        - Effect: Allow\n          Action: [dynamodb:GetItem]\n          Resource:\n"
        "            - Fn::GetAtt: [Table, Arn]\n"
        "        - Effect: Allow\n          Action: [s3:GetObject]\n          Resource:\n"
        "            - Fn::Join: ['', ['arn:aws:s3:::', {Ref: Bucket}, '/*']]\n"
        "        - Effect: Allow\n          Action: [sqs:SendMessage]\n"
        "          Resource: arn:aws:sqs:eu-west-1:123456789012:jobs-${sls:stage}\n"
        "functions:\n  f:\n    handler: app.handler\n    environment:\n      TABLE: {Ref: Table}\n"
        "      BUCKET: !Ref Bucket\n      QUEUE_URL: https://sqs.eu-west-1.amazonaws.com/123456789012/jobs-dev\n"
        "resources:\n  Resources:\n    Table: {Type: AWS::DynamoDB::Table}\n    Bucket: {Type: AWS::S3::Bucket}\n"),
        "app.py": (
            "import os, boto3\ndef handler(e, c):\n"
            "    boto3.resource('dynamodb').Table(os.environ['TABLE']).get_item(Key={})\n"
            "    boto3.client('s3').get_object(Bucket=os.environ['BUCKET'], Key='k')\n"
            "    boto3.client('sqs').send_message(QueueUrl=os.environ['QUEUE_URL'], MessageBody='x')\n")})
    fi = analyse(tmp_path)["f"]
    assert {(r.action, r.resource) for r in fi.needed if r.origin == "code"} == {
        ("dynamodb:GetItem", "${Table.Arn}"), ("s3:GetObject", "${Bucket.Arn}/*"),
        ("sqs:SendMessage", "arn:${AWS::Partition}:sqs:eu-west-1:123456789012:jobs-dev")}
    assert fi.diff.missing == [] and fi.diff.excess == [] and fi.diff.broader == []


def test_sam_function_without_code_in_the_tree_makes_no_excess_claim(tmp_path: Path) -> None:
    write(tmp_path, {"template.yaml": SAM_HEAD + FN.replace("CodeUri: src/", "CodeUri: s3://bucket/code.zip") +
                     "      Policies:\n        - AmazonS3FullAccess\n",
                     "app.py": "def handler(e, c):\n    return 1\n"})
    fi = analyse(tmp_path)["Fn"]
    assert fi.confidence == "low" and not fi.code_analysed
    assert fi.notes == ["the function's code is not in the scanned tree"]
    from faasguard.scan import ScanOptions, scan

    assert [f for f in scan(tmp_path, ScanOptions()).findings if f.rule_id == "FG-IAM-105"] == []


def test_excess_of_overlapping_wildcards_is_counted_once(tmp_path: Path) -> None:
    from faasguard.analyzers.iam import actiondb

    write(tmp_path, {"template.yaml": SAM_HEAD + FN + (
        "      Policies:\n        - AdministratorAccess\n        - Statement:\n"
        "            - Effect: Allow\n              NotAction: iam:*\n              Resource: '*'\n"),
        "src/app.py": "import boto3\ndef handler(e, c):\n    boto3.client('s3').list_buckets()\n"})
    fi = analyse(tmp_path)["Fn"]
    needed = {"s3:ListAllMyBuckets", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
    assert {r.action for r in fi.needed} == needed
    assert fi.diff.unused_count == len(actiondb.expand("*")) - len(needed)
    assert sorted((e.action, e.count > 20000) for e in fi.diff.excess) == [("*", True), ("NotAction iam:*", True)]
