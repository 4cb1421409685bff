"""SDK operation -> IAM actions.

The rule is ``<iam prefix>:<OperationName>`` with the operations of the botocore service models
installed with boto3; the prefix comes from the model's signing name with a rename table, and the
exceptions (``s3.ListObjectsV2 -> s3:ListBucket``, multipart uploads, DynamoDB transactions,
batch calls, ``lambda.invoke``) come from ``data/sdk_exceptions.json``, derived from
iann0036/iam-dataset (MIT) by ``scripts/derive_iam_exceptions.py``.

Also here: boto3's resource models (``Table``, ``Bucket(...).objects``), waiters, paginators and
the S3 transfer helpers boto3 injects into clients and resources.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as ir
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import botocore.session  # type: ignore[import-untyped]
from botocore import xform_name
from botocore.exceptions import DataNotFoundError, UnknownServiceError  # type: ignore[import-untyped]

from faasguard.analyzers.iam import actiondb

# Services whose boto3 name differs from the IAM prefix and that the derived table may miss.
PREFIX_RENAMES = {"stepfunctions": "states", "cloudwatch": "cloudwatch", "logs": "logs", "events": "events",
                  "sesv2": "ses", "apigatewaymanagementapi": "execute-api", "dynamodbstreams": "dynamodb",
                  "elbv2": "elasticloadbalancing", "efs": "elasticfilesystem", "opensearch": "es"}

# Methods boto3 adds to S3 clients/resources (s3transfer, presigning): method -> operations.
# AbortMultipartUpload (only sent when a multipart transfer fails) is left out on purpose.
S3_INJECTED = {
    "upload_file": ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"),
    "upload_fileobj": ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"),
    "download_file": ("HeadObject", "GetObject"),
    "download_fileobj": ("HeadObject", "GetObject"),
    "copy": ("HeadObject", "CopyObject", "CreateMultipartUpload", "UploadPartCopy", "CompleteMultipartUpload"),
    "generate_presigned_post": ("PutObject",),
}
# Client methods that are not operations and need no permission.
CLIENT_PLUMBING = frozenset({
    "can_paginate", "close", "exceptions", "get_paginator", "get_waiter", "meta", "waiter_names",
    "generate_presigned_url", "generate_db_auth_token", "get_available_subresources",
})


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    text = ir.files("faasguard.analyzers.iam").joinpath("data/sdk_exceptions.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@lru_cache(maxsize=256)
def operations(service: str) -> dict[str, str]:
    """snake_case client method -> OperationName, for a boto3 service name ({} if unknown)."""
    try:
        model = _session().get_service_model(service)
    except (UnknownServiceError, DataNotFoundError):
        return {}
    return {xform_name(op): op for op in model.operation_names}


def known_service(service: str) -> bool:
    return bool(operations(service))


def iam_prefix(service: str) -> str:
    prefixes: dict[str, str] = _table()["prefixes"]
    if service in prefixes:
        return prefixes[service]
    if service in PREFIX_RENAMES:
        return PREFIX_RENAMES[service]
    try:
        meta = _session().get_service_model(service).metadata
    except (UnknownServiceError, DataNotFoundError):
        return service
    return str(meta.get("signingName") or meta.get("endpointPrefix") or service)


def actions_for(service: str, operation: str) -> tuple[str, ...]:
    """IAM actions an SDK operation needs (``("s3", "ListObjectsV2") -> ("s3:ListBucket",)``)."""
    if f"{service}.{operation}" in _permissionless():
        return ()
    special: dict[str, list[str]] = _table()["operations"].get(service, {})
    if operation in special:
        return tuple(special[operation])
    return (actiondb.canonical(f"{iam_prefix(service)}:{operation}"),)


@lru_cache(maxsize=1)
def _permissionless() -> frozenset[str]:
    out = set()
    for item in _table()["permissionless"]:  # "STS.GetCallerIdentity" (SDK names)
        sdk, _, op = str(item).partition(".")
        out.add(f"{sdk.lower()}.{op}")
    return frozenset(out)


def method_operations(service: str, method: str) -> tuple[str, ...] | None:
    """Operations a client method calls, or None when it is not an operation of the service."""
    if service == "s3" and method in S3_INJECTED:
        return S3_INJECTED[method]
    op = operations(service).get(method)
    return (op,) if op else None


@lru_cache(maxsize=256)
def waiter_operations(service: str, waiter: str) -> tuple[str, ...]:
    try:
        model = _session().get_waiter_model(service)
    except (UnknownServiceError, DataNotFoundError, ValueError):
        return ()
    for name in model.waiter_names:
        if xform_name(name) == waiter or name == waiter:
            return (model.get_waiter(name).operation,)
    return ()


# ---- resource models (boto3.resource) -------------------------------------------------------


@lru_cache(maxsize=64)
def resource_model(service: str) -> dict[str, Any]:
    base = Path(boto3.__file__).parent / "data" / service
    if not base.is_dir():
        return {}
    versions = sorted(p for p in base.iterdir() if (p / "resources-1.json").is_file())
    if not versions:
        return {}
    data: dict[str, Any] = json.loads((versions[-1] / "resources-1.json").read_text(encoding="utf-8"))
    return data


def resource_def(service: str, rtype: str) -> dict[str, Any]:
    model = resource_model(service)
    if not rtype:
        return dict(model.get("service", {}))
    return dict(model.get("resources", {}).get(rtype, {}))


def _find(table: dict[str, Any], attr: str) -> tuple[str, Any] | None:
    for name, item in table.items():
        if xform_name(name) == attr or name == attr:
            return name, item
    return None


def resource_member(service: str, rtype: str, attr: str) -> tuple[str, Any] | None:
    """What ``<resource>.<attr>`` is: ("action", ops) | ("batch", ops) | ("has", type) |
    ("many", (ops, item type)) | ("waiter", ops) | ("load", ops) | ("identifier", None) | None."""
    d = resource_def(service, rtype)
    if not d and rtype:
        return None
    if service == "s3" and attr in S3_INJECTED and rtype in ("", "Bucket", "Object", "ObjectSummary"):
        return "action", S3_INJECTED[attr]
    hit = _find(d.get("actions", {}), attr)
    if hit:
        return "action", (hit[1]["request"]["operation"],)
    hit = _find(d.get("has", {}), attr)
    if hit:
        return "has", hit[1]["resource"]["type"]
    if not rtype and attr in resource_model(service).get("resources", {}):
        return "has", attr  # boto3 exposes every resource type on the service resource
    hit = _find(d.get("hasMany", {}), attr)
    if hit:
        return "many", ((hit[1]["request"]["operation"],), hit[1]["resource"]["type"])
    hit = _find(d.get("waiters", {}), "wait_until_" + attr.removeprefix("wait_until_"))
    if hit is None and attr.startswith("wait_until_"):
        hit = _find(d.get("waiters", {}), attr.removeprefix("wait_until_"))
    if hit:
        return "waiter", waiter_operations(service, xform_name(hit[1]["waiterName"]))
    if attr in ("load", "reload"):
        load = d.get("load")
        return ("load", (load["request"]["operation"],)) if load else ("identifier", None)
    if attr in ("meta", "get_available_subresources"):
        return "identifier", None
    if any(xform_name(i["name"]) == attr for i in d.get("identifiers", [])):
        return "identifier", None
    load = d.get("load")
    if load and rtype:  # any other attribute is read from the loaded shape
        return "load", (load["request"]["operation"],)
    return None


def collection_batch(service: str, item_type: str, attr: str) -> tuple[str, ...] | None:
    d = resource_def(service, item_type)
    hit = _find(d.get("batchActions", {}), attr)
    return (hit[1]["request"]["operation"],) if hit else None


# The parameter that names the resource an operation acts on, per service.
RESOURCE_PARAMS = {
    "s3": ("Bucket",), "dynamodb": ("TableName",), "sqs": ("QueueUrl", "QueueName"), "sns": ("TopicArn", "TargetArn"),
    "lambda": ("FunctionName",), "secretsmanager": ("SecretId",), "ssm": ("Name", "Path"),
    "kinesis": ("StreamName", "StreamARN"), "firehose": ("DeliveryStreamName",),
    "stepfunctions": ("stateMachineArn",), "kms": ("KeyId",), "events": ("EventBusName",),
    "ses": (), "sesv2": (),
}
