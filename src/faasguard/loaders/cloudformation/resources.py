"""Non-function resources: buckets, queues, topics, tables, streams, secrets, keys, log groups,
event rules, access keys, layers ... with their normalised security facts.

``None`` is kept for "not stated" where AWS applies a default that rules should judge
(S3 and SQS encrypt by default nowadays, DynamoDB always encrypts with an AWS-owned key);
SNS topics have no default encryption, so an SNS topic without a key is ``encrypted=False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from faasguard.loaders.cloudformation.builder import DEFINE, handles
from faasguard.loaders.cloudformation.drafts import Draft
from faasguard.loaders.cloudformation.functions import Settings
from faasguard.loaders.cloudformation.intrinsics import plain
from faasguard.loaders.cloudformation.sam_globals import globals_for, merged_properties
from faasguard.model import Resource, ResourceKind

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder

KINDS: dict[str, tuple[ResourceKind, str | None]] = {
    # type -> (kind, property holding the name)
    "AWS::S3::Bucket": (ResourceKind.BUCKET, "BucketName"),
    "AWS::DynamoDB::Table": (ResourceKind.TABLE, "TableName"),
    "AWS::DynamoDB::GlobalTable": (ResourceKind.TABLE, "TableName"),
    "AWS::Serverless::SimpleTable": (ResourceKind.TABLE, "TableName"),
    "AWS::SQS::Queue": (ResourceKind.QUEUE, "QueueName"),
    "AWS::SNS::Topic": (ResourceKind.TOPIC, "TopicName"),
    "AWS::SecretsManager::Secret": (ResourceKind.SECRET, "Name"),
    "AWS::KMS::Key": (ResourceKind.KEY, None),
    "AWS::Logs::LogGroup": (ResourceKind.LOG_GROUP, "LogGroupName"),
    "AWS::Events::Rule": (ResourceKind.EVENT_RULE, "Name"),
    "AWS::Scheduler::Schedule": (ResourceKind.EVENT_RULE, "Name"),
    "AWS::Kinesis::Stream": (ResourceKind.STREAM, "Name"),
    "AWS::SSM::Parameter": (ResourceKind.PARAMETER, "Name"),
    "AWS::IAM::AccessKey": (ResourceKind.ACCESS_KEY, None),
    "AWS::Cognito::UserPool": (ResourceKind.USER_POOL, "UserPoolName"),
    "AWS::StepFunctions::StateMachine": (ResourceKind.STATE_MACHINE, "StateMachineName"),
    "AWS::Serverless::StateMachine": (ResourceKind.STATE_MACHINE, "Name"),
    "AWS::Lambda::LayerVersion": (ResourceKind.OTHER, "LayerName"),
    "AWS::Serverless::LayerVersion": (ResourceKind.OTHER, "LayerName"),
    "AWS::MSK::Cluster": (ResourceKind.STREAM, "ClusterName"),
    "AWS::AmazonMQ::Broker": (ResourceKind.QUEUE, "BrokerName"),
}


@handles(DEFINE, *KINDS)
def define_resource(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    rtype = str(body["Type"])
    kind, name_key = KINDS[rtype]
    if rtype == "AWS::Serverless::SimpleTable":
        global_props = globals_for(ctx.template, "SimpleTable")
        props, origin = merged_properties(global_props, props)
        s = Settings(ctx, logical_id, props, origin, "SimpleTable", global_props)
    else:
        s = Settings(ctx, logical_id, props)
    draft: Draft[Resource] = Draft(Resource, {"id": logical_id, "kind": kind, "type": rtype,
                                              "location": ctx.resource_loc(logical_id)})
    if name_key and name_key in s:
        draft.set("name", ctx.value(props[name_key], s.loc(name_key)))
    evaluated = ctx.evaluate(props)
    draft.set("properties", plain(evaluated) if isinstance(evaluated, Mapping) else {})
    reader = READERS.get(rtype)
    if reader is not None:
        reader(b, draft, s)
    b.resources[logical_id] = draft


def _bucket(b: Builder, r: Draft[Resource], s: Settings) -> None:
    ctx = b.ctx
    if "BucketEncryption" in s:
        enc = ctx.mapping(s.get("BucketEncryption"), "BucketEncryption", s.props) or {}
        rules = ctx.sequence(enc.get("ServerSideEncryptionConfiguration"), "ServerSideEncryptionConfiguration")
        for rule in rules:
            default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, Mapping) else None
            if isinstance(default, Mapping):
                r.set("encrypted", True, s.loc("BucketEncryption"))
                if "KMSMasterKeyID" in default:
                    r.set("kms_key", ctx.value(default["KMSMasterKeyID"]), s.loc("BucketEncryption"))
    if "PublicAccessBlockConfiguration" in s:
        pab = ctx.mapping(s.get("PublicAccessBlockConfiguration"), "PublicAccessBlockConfiguration", s.props) or {}
        flags = [ctx.boolean(pab.get(k)) for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                                  "RestrictPublicBuckets")]
        r.set("public_access_blocked", all(f is True for f in flags), s.loc("PublicAccessBlockConfiguration"))
    if "AccessControl" in s:
        acl = ctx.text(s.get("AccessControl")) or ""
        if acl in ("PublicRead", "PublicReadWrite", "AuthenticatedRead"):
            r.set("public", True, s.loc("AccessControl"))
        elif acl:
            r.locations["public"] = s.loc("AccessControl")
    if "WebsiteConfiguration" in s:
        r.extra["website"] = True


def _table(b: Builder, r: Draft[Resource], s: Settings) -> None:
    ctx = b.ctx
    if "SSESpecification" in s:
        sse = ctx.mapping(s.get("SSESpecification"), "SSESpecification", s.props) or {}
        enabled = ctx.boolean(sse.get("SSEEnabled"))
        r.set("encrypted", True if enabled else None, s.loc("SSESpecification"))
        if enabled and "KMSMasterKeyId" in sse:
            r.set("kms_key", ctx.value(sse["KMSMasterKeyId"]), s.loc("SSESpecification"))
        if enabled is False:
            r.locations["encrypted"] = ctx.key_loc(sse, "SSEEnabled")


def _queue(b: Builder, r: Draft[Resource], s: Settings) -> None:
    ctx = b.ctx
    if "KmsMasterKeyId" in s:
        r.set("encrypted", True, s.loc("KmsMasterKeyId"))
        r.set("kms_key", ctx.value(s.get("KmsMasterKeyId"), s.loc("KmsMasterKeyId")), s.loc("KmsMasterKeyId"))
    elif "SqsManagedSseEnabled" in s:
        r.set("encrypted", ctx.boolean(s.get("SqsManagedSseEnabled")), s.loc("SqsManagedSseEnabled"))
    r.set("dead_letter", "RedrivePolicy" in s, s.loc("RedrivePolicy") if "RedrivePolicy" in s else None)


def _topic(b: Builder, r: Draft[Resource], s: Settings) -> None:
    ctx = b.ctx
    if "KmsMasterKeyId" in s:
        r.set("encrypted", True, s.loc("KmsMasterKeyId"))
        r.set("kms_key", ctx.value(s.get("KmsMasterKeyId"), s.loc("KmsMasterKeyId")), s.loc("KmsMasterKeyId"))
    else:
        r.set("encrypted", False)


def _stream(b: Builder, r: Draft[Resource], s: Settings) -> None:
    ctx = b.ctx
    if "StreamEncryption" in s:
        enc = ctx.mapping(s.get("StreamEncryption"), "StreamEncryption", s.props) or {}
        r.set("encrypted", True, s.loc("StreamEncryption"))
        if "KeyId" in enc:
            r.set("kms_key", ctx.value(enc["KeyId"]), s.loc("StreamEncryption"))


def _secret(b: Builder, r: Draft[Resource], s: Settings) -> None:
    r.set("encrypted", True)  # Secrets Manager always encrypts (with aws/secretsmanager by default)
    if "KmsKeyId" in s:
        r.set("kms_key", b.ctx.value(s.get("KmsKeyId"), s.loc("KmsKeyId")), s.loc("KmsKeyId"))


def _log_group(b: Builder, r: Draft[Resource], s: Settings) -> None:
    ctx = b.ctx
    if "RetentionInDays" in s:
        r.set("retention_days", ctx.integer(s.get("RetentionInDays"), "RetentionInDays"), s.loc("RetentionInDays"))
    if "KmsKeyId" in s:
        r.set("encrypted", True, s.loc("KmsKeyId"))
        r.set("kms_key", ctx.value(s.get("KmsKeyId"), s.loc("KmsKeyId")), s.loc("KmsKeyId"))


def _parameter(b: Builder, r: Draft[Resource], s: Settings) -> None:
    r.extra["value"] = b.ctx.value(s.get("Value"), s.loc("Value")) if "Value" in s else None


READERS = {
    "AWS::S3::Bucket": _bucket,
    "AWS::DynamoDB::Table": _table,
    "AWS::DynamoDB::GlobalTable": _table,
    "AWS::Serverless::SimpleTable": _table,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::Kinesis::Stream": _stream,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::SSM::Parameter": _parameter,
}
