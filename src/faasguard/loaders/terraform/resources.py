"""Non-function resources with their normalised facts (the same as the CloudFormation loader's:
``encrypted``, ``public``, ``public_access_blocked``, ``dead_letter``, ``retention_days``), including
the AWS provider v4+ split of S3 settings into separate resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faasguard.loaders.terraform.context import Context, Draft, as_list, boolean, integer, json_value, text
from faasguard.loaders.terraform.module import Instance
from faasguard.loaders.terraform.values import plain
from faasguard.model import ResourceKind

KINDS: dict[str, tuple[ResourceKind, str | None]] = {
    "aws_s3_bucket": (ResourceKind.BUCKET, "bucket"),
    "aws_dynamodb_table": (ResourceKind.TABLE, "name"),
    "aws_sqs_queue": (ResourceKind.QUEUE, "name"),
    "aws_sns_topic": (ResourceKind.TOPIC, "name"),
    "aws_secretsmanager_secret": (ResourceKind.SECRET, "name"),
    "aws_kms_key": (ResourceKind.KEY, None),
    "aws_cloudwatch_log_group": (ResourceKind.LOG_GROUP, "name"),
    "aws_cloudwatch_event_rule": (ResourceKind.EVENT_RULE, "name"),
    "aws_scheduler_schedule": (ResourceKind.EVENT_RULE, "name"),
    "aws_kinesis_stream": (ResourceKind.STREAM, "name"),
    "aws_ssm_parameter": (ResourceKind.PARAMETER, "name"),
    "aws_iam_access_key": (ResourceKind.ACCESS_KEY, None),
    "aws_cognito_user_pool": (ResourceKind.USER_POOL, "name"),
    "aws_sfn_state_machine": (ResourceKind.STATE_MACHINE, "name"),
    "aws_lambda_layer_version": (ResourceKind.OTHER, "layer_name"),
    "aws_msk_cluster": (ResourceKind.STREAM, "cluster_name"),
    "aws_mq_broker": (ResourceKind.QUEUE, "broker_name"),
    "aws_rds_cluster": (ResourceKind.OTHER, "cluster_identifier"),
    "aws_db_instance": (ResourceKind.OTHER, "identifier"),
    "aws_elasticache_cluster": (ResourceKind.OTHER, "cluster_id"),
    "aws_elasticache_replication_group": (ResourceKind.OTHER, "replication_group_id"),
}
_PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
_PUBLIC_ACTIONS = {
    "aws_s3_bucket_policy": ("s3:getobject", "s3:putobject", "s3:*", "*", "s3:listbucket", "s3:deleteobject",
                             "s3:get*", "s3:put*"),
    "aws_sqs_queue_policy": ("sqs:sendmessage", "sqs:*", "*", "sqs:receivemessage"),
    "aws_sns_topic_policy": ("sns:publish", "sns:*", "*", "sns:subscribe"),
}


def define_resources(ctx: Context) -> None:
    for inst in ctx.instances:
        if inst.mode != "resource" or inst.type not in KINDS:
            continue
        kind, name_key = KINDS[inst.type]
        draft = Draft({"id": inst.address, "kind": kind, "type": inst.type, "location": ctx.loc(inst)})
        if name_key and inst.has(name_key):
            draft.set("name", ctx.value(inst.attr(name_key), ctx.loc(inst, name_key)))
        props: dict[str, Any] = {}
        for key in inst.body.attributes:
            props[key] = plain(inst.attr(key))
        draft.set("properties", props)
        reader = READERS.get(inst.type)
        if reader is not None:
            reader(ctx, inst, draft)
        ctx.resources[inst.address] = draft


def _bucket(ctx: Context, inst: Instance, r: Draft) -> None:
    sse = inst.body.block("server_side_encryption_configuration")
    if sse is not None:
        r.set("encrypted", True, ctx.loc(inst, "server_side_encryption_configuration"))
    acl = text(inst.attr("acl"))
    if acl in _PUBLIC_ACLS:
        r.set("public", True, ctx.loc(inst, "acl"))
    if inst.body.block("website") is not None:
        r.fields.setdefault("properties", {})["website"] = True


def _table(ctx: Context, inst: Instance, r: Draft) -> None:
    sse = inst.body.block("server_side_encryption")
    if sse is not None:
        enabled = boolean(inst.attr("enabled", sse.body))
        where = ctx.loc(inst, "server_side_encryption")
        if enabled:
            r.set("encrypted", True, where)
            if "kms_key_arn" in sse.body.attributes:
                r.set("kms_key", ctx.value(inst.attr("kms_key_arn", sse.body)))
        else:
            r.locations["encrypted"] = where


def _queue(ctx: Context, inst: Instance, r: Draft) -> None:
    if inst.has("kms_master_key_id"):
        r.set("encrypted", True, ctx.loc(inst, "kms_master_key_id"))
        r.set("kms_key", ctx.value(inst.attr("kms_master_key_id"), ctx.loc(inst, "kms_master_key_id")))
    elif inst.has("sqs_managed_sse_enabled"):
        r.set("encrypted", boolean(inst.attr("sqs_managed_sse_enabled")), ctx.loc(inst, "sqs_managed_sse_enabled"))
    redrive = inst.has("redrive_policy") and inst.attr("redrive_policy") not in (None, "")
    r.set("dead_letter", redrive, ctx.loc(inst, "redrive_policy") if redrive else None)


def _topic(ctx: Context, inst: Instance, r: Draft) -> None:
    if inst.has("kms_master_key_id"):
        r.set("encrypted", True, ctx.loc(inst, "kms_master_key_id"))
        r.set("kms_key", ctx.value(inst.attr("kms_master_key_id"), ctx.loc(inst, "kms_master_key_id")))
    else:
        r.set("encrypted", False)


def _stream(ctx: Context, inst: Instance, r: Draft) -> None:
    if (text(inst.attr("encryption_type")) or "NONE").upper() == "KMS":
        r.set("encrypted", True, ctx.loc(inst, "encryption_type"))
        if inst.has("kms_key_id"):
            r.set("kms_key", ctx.value(inst.attr("kms_key_id")))


def _secret(ctx: Context, inst: Instance, r: Draft) -> None:
    r.set("encrypted", True)
    if inst.has("kms_key_id"):
        r.set("kms_key", ctx.value(inst.attr("kms_key_id"), ctx.loc(inst, "kms_key_id")), ctx.loc(inst, "kms_key_id"))


def _log_group(ctx: Context, inst: Instance, r: Draft) -> None:
    if inst.has("retention_in_days"):
        days = integer(inst.attr("retention_in_days"))
        r.set("retention_days", days if days else None, ctx.loc(inst, "retention_in_days"))
    if inst.has("kms_key_id"):
        r.set("encrypted", True, ctx.loc(inst, "kms_key_id"))
        r.set("kms_key", ctx.value(inst.attr("kms_key_id")))


READERS = {
    "aws_s3_bucket": _bucket,
    "aws_dynamodb_table": _table,
    "aws_sqs_queue": _queue,
    "aws_sns_topic": _topic,
    "aws_kinesis_stream": _stream,
    "aws_secretsmanager_secret": _secret,
    "aws_cloudwatch_log_group": _log_group,
}


def _resource_for(ctx: Context, value: Any, *types: str) -> Draft | None:
    target = ctx.target(value, *types)
    if target is not None:
        return ctx.resources.get(target.address)
    name = text(value)
    if name:
        for r in ctx.resources.values():
            n = r.get("name")
            if r.get("type") in types and n is not None and n.text() == name:
                return r
    return None


def link_resource_settings(ctx: Context) -> None:
    """Settings written as separate resources (S3 in AWS provider v4+, queue redrive, policies)."""
    for inst in ctx.of_type("aws_s3_bucket_server_side_encryption_configuration"):
        bucket = _resource_for(ctx, inst.attr("bucket"), "aws_s3_bucket")
        if bucket is not None and inst.body.block("rule") is not None:
            bucket.set("encrypted", True, ctx.loc(inst))
    for inst in ctx.of_type("aws_s3_bucket_public_access_block"):
        bucket = _resource_for(ctx, inst.attr("bucket"), "aws_s3_bucket")
        if bucket is not None:
            flags = [boolean(inst.attr(k)) for k in ("block_public_acls", "block_public_policy",
                                                     "ignore_public_acls", "restrict_public_buckets")]
            bucket.set("public_access_blocked", all(f is True for f in flags), ctx.loc(inst))
    for inst in ctx.of_type("aws_s3_bucket_acl"):
        bucket = _resource_for(ctx, inst.attr("bucket"), "aws_s3_bucket")
        if bucket is not None and text(inst.attr("acl")) in _PUBLIC_ACLS:
            bucket.set("public", True, ctx.loc(inst, "acl"))
    for inst in ctx.of_type("aws_sqs_queue_redrive_policy"):
        queue = _resource_for(ctx, inst.attr("queue_url"), "aws_sqs_queue")
        if queue is not None:
            queue.set("dead_letter", True, ctx.loc(inst))
    for rtype, key in (("aws_s3_bucket_policy", "bucket"), ("aws_sqs_queue_policy", "queue_url"),
                       ("aws_sns_topic_policy", "arn")):
        for inst in ctx.of_type(rtype):
            target_type = {"bucket": "aws_s3_bucket", "queue_url": "aws_sqs_queue", "arn": "aws_sns_topic"}[key]
            resource = _resource_for(ctx, inst.attr(key), target_type)
            if resource is None:
                continue
            if _public_policy(ctx, inst, _PUBLIC_ACTIONS[rtype]):
                resource.set("public", True, ctx.loc(inst, "policy"))
            elif resource.get("public") is None:
                resource.set("public", False, ctx.loc(inst))


def _public_policy(ctx: Context, inst: Instance, actions: tuple[str, ...]) -> bool:
    from faasguard.loaders.terraform.iam import POLICY_DOC

    value = inst.attr("policy")
    target = ctx.target(value, POLICY_DOC)
    if target is not None:
        for block in target.body.blocks_of("statement"):
            from faasguard.loaders.terraform.iam import get_in

            effect = text(get_in(target, block, "effect")) or "Allow"
            if effect.lower() != "allow" or block.body.block("condition") is not None:
                continue
            anyone = any(
                "*" in [str(x) for x in as_list(get_in(target, p, "identifiers"))]
                for p in block.body.blocks_of("principals"))
            acts = [str(a).lower() for a in as_list(get_in(target, block, "actions"))]
            if anyone and any(a in actions for a in acts):
                return True
        return False
    doc = json_value(value)
    if not isinstance(doc, Mapping):
        return False
    for st in as_list(doc.get("Statement")):
        if not isinstance(st, Mapping) or (text(st.get("Effect")) or "").lower() != "allow" or st.get("Condition"):
            continue
        principal = st.get("Principal")
        aws = principal.get("AWS") if isinstance(principal, Mapping) else principal
        if "*" not in [str(x) for x in as_list(aws)]:
            continue
        if any(str(a).lower() in actions for a in as_list(st.get("Action"))):
            return True
    return False
