"""The action database wrapper, the derived SDK exceptions table and the managed policies data."""

from __future__ import annotations

import json
from importlib import resources

from faasguard.analyzers.iam import actiondb, sdkmap
from faasguard.analyzers.iam.granted import managed_policies


def _exceptions() -> dict:
    text = resources.files("faasguard.analyzers.iam").joinpath("data/sdk_exceptions.json").read_text("utf-8")
    return json.loads(text)


def test_every_action_of_the_exceptions_table_exists_in_the_pinned_database() -> None:
    table = _exceptions()
    actions = {a for ops in table["operations"].values() for acts in ops.values() for a in acts}
    assert len(actions) > 300
    unknown = sorted(a for a in actions if not actiondb.exists(a))
    assert unknown == []
    # spelled as the database spells them
    assert all(actiondb.canonical(a) == a for a in actions)


def test_every_renamed_prefix_is_a_service_of_the_database() -> None:
    prefixes = set(_exceptions()["prefixes"].values())
    assert {"states", "execute-api", "elasticloadbalancing"} <= prefixes
    assert sorted(p for p in prefixes if not actiondb.service_exists(p)) == []


def test_exceptions_table_credits_its_source() -> None:
    table = _exceptions()
    assert "iann0036/iam-dataset" in table["source"] and "MIT" in table["license"]


def test_expand_wildcards_with_access_levels() -> None:
    gets = {i.action for i in actiondb.expand("s3:Get*")}
    assert "s3:GetObject" in gets and "s3:PutObject" not in gets
    assert all(a.startswith("s3:Get") for a in gets)
    assert {i.action for i in actiondb.expand("sqs:SendMessage*")} == {"sqs:SendMessage"}
    assert actiondb.access_level("s3:ListBucket") == "List"
    assert "Permissions management" in actiondb.access_level("iam:PutRolePolicy")
    assert actiondb.access_level("s3:GetObject") == "Read"
    assert actiondb.lookup("S3:getobject").action == "s3:GetObject"  # case-insensitive like IAM
    assert len(actiondb.expand("*")) > 10000


def test_matches_and_suggestions() -> None:
    assert actiondb.matches("s3:Get*", "s3:GetObject")
    assert actiondb.matches("s3:Get?bject", "s3:GetObject")
    assert not actiondb.matches("s3:Put*", "s3:GetObject")
    assert actiondb.matches("*", "iam:PassRole")
    assert not actiondb.exists("sts:GetCallerIdentify")
    assert actiondb.close_matches("sts:GetCallerIdentify") == ("sts:GetCallerIdentity",)


def test_sdk_operations_to_actions() -> None:
    assert sdkmap.actions_for("s3", "ListObjectsV2") == ("s3:ListBucket",)
    assert sdkmap.actions_for("s3", "HeadObject") == ("s3:GetObject",)
    assert sdkmap.actions_for("s3", "UploadPart") == ("s3:PutObject",)
    assert sdkmap.actions_for("s3", "GetObject") == ("s3:GetObject",)
    assert sdkmap.actions_for("sqs", "SendMessageBatch") == ("sqs:SendMessage",)
    assert sdkmap.actions_for("lambda", "Invoke") == ("lambda:InvokeFunction",)
    assert set(sdkmap.actions_for("dynamodb", "TransactWriteItems")) == {
        "dynamodb:ConditionCheckItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    assert sdkmap.actions_for("stepfunctions", "StartExecution") == ("states:StartExecution",)
    assert sdkmap.actions_for("sts", "GetCallerIdentity") == ()
    assert sdkmap.method_operations("dynamodb", "put_item") == ("PutItem",)
    assert sdkmap.method_operations("dynamodb", "no_such_call") is None
    assert sdkmap.waiter_operations("dynamodb", "table_exists") == ("DescribeTable",)


def test_managed_policies_data() -> None:
    data = managed_policies()
    basic = data["AWSLambdaBasicExecutionRole"]["statements"][0]
    assert set(basic["Action"]) == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
    assert {"AdministratorAccess", "AmazonS3ReadOnlyAccess", "AWSLambdaSQSQueueExecutionRole"} <= set(data)
