"""Sources by trigger kind: which parts of an event a client controls.

An event is data from the trigger; most of it is written by whoever sends the event, but some
fields are set by AWS itself (account ids, ARNs, timestamps, the bucket name, the authorizer's
verdict). Those fields are listed here, per trigger kind, as access-path prefixes (``*`` matches
any list index): a value read from one of them is not a source. Everything else in the event is.
"""

from __future__ import annotations

import re

from faasguard.model import Trigger, TriggerKind, Trust

Path = tuple[str, ...]

_HTTP_SAFE: tuple[Path, ...] = (
    ("requestContext", "accountId"), ("requestContext", "apiId"), ("requestContext", "requestId"),
    ("requestContext", "extendedRequestId"), ("requestContext", "stage"), ("requestContext", "authorizer"),
    ("requestContext", "identity", "sourceIp"), ("requestContext", "identity", "accountId"),
    ("requestContext", "identity", "caller"), ("requestContext", "identity", "user"),
    ("requestContext", "identity", "userArn"), ("requestContext", "identity", "cognitoIdentityId"),
    ("requestContext", "identity", "cognitoIdentityPoolId"), ("requestContext", "http", "sourceIp"),
    ("requestContext", "http", "method"), ("requestContext", "http", "protocol"),
    ("requestContext", "requestTime"), ("requestContext", "requestTimeEpoch"), ("requestContext", "timeEpoch"),
    ("requestContext", "time"), ("requestContext", "resourceId"), ("requestContext", "resourcePath"),
    ("requestContext", "httpMethod"), ("requestContext", "routeKey"), ("requestContext", "connectionId"),
    ("requestContext", "elb"), ("requestContext", "domainPrefix"),
    ("stageVariables",), ("isBase64Encoded",), ("version",), ("routeKey",), ("resource",), ("httpMethod",),
)

_RECORD = ("Records", "*")

SAFE_FIELDS: dict[TriggerKind, tuple[Path, ...]] = {
    TriggerKind.REST_API: _HTTP_SAFE,
    TriggerKind.HTTP_API: _HTTP_SAFE,
    TriggerKind.FUNCTION_URL: _HTTP_SAFE,
    TriggerKind.WEBSOCKET: _HTTP_SAFE,
    TriggerKind.ALB: _HTTP_SAFE,
    TriggerKind.S3: tuple(_RECORD + p for p in (
        ("s3", "bucket"), ("s3", "s3SchemaVersion"), ("s3", "configurationId"), ("s3", "object", "size"),
        ("s3", "object", "eTag"), ("s3", "object", "sequencer"), ("eventSource",), ("awsRegion",),
        ("eventTime",), ("eventName",), ("eventVersion",), ("responseElements",))),
    TriggerKind.SQS: tuple(_RECORD + p for p in (
        ("messageId",), ("receiptHandle",), ("md5OfBody",), ("md5OfMessageAttributes",), ("eventSource",),
        ("eventSourceARN",), ("awsRegion",), ("attributes",))),
    TriggerKind.SNS: tuple(_RECORD + p for p in (
        ("EventSource",), ("EventVersion",), ("EventSubscriptionArn",), ("Sns", "TopicArn"),
        ("Sns", "MessageId"), ("Sns", "Signature"), ("Sns", "SignatureVersion"), ("Sns", "SigningCertUrl"),
        ("Sns", "SigningCertURL"), ("Sns", "UnsubscribeUrl"), ("Sns", "UnsubscribeURL"), ("Sns", "Timestamp"),
        ("Sns", "Type"))),
    TriggerKind.DYNAMODB_STREAM: tuple(_RECORD + p for p in (
        ("eventID",), ("eventName",), ("eventVersion",), ("eventSource",), ("eventSourceARN",), ("awsRegion",),
        ("dynamodb", "SequenceNumber"), ("dynamodb", "SizeBytes"), ("dynamodb", "StreamViewType"),
        ("dynamodb", "ApproximateCreationDateTime"), ("userIdentity",))),
    TriggerKind.KINESIS: tuple(_RECORD + p for p in (
        ("eventID",), ("eventName",), ("eventVersion",), ("eventSource",), ("eventSourceARN",), ("awsRegion",),
        ("invokeIdentityArn",), ("kinesis", "sequenceNumber"), ("kinesis", "kinesisSchemaVersion"),
        ("kinesis", "approximateArrivalTimestamp"))),
    TriggerKind.EVENTBRIDGE: (("version",), ("id",), ("account",), ("region",), ("time",), ("resources",),
                              ("source",), ("detail-type",)),
    TriggerKind.COGNITO: (("version",), ("region",), ("userPoolId",), ("triggerSource",), ("callerContext",)),
    # A schedule's event is written by the rule itself: nothing in it is a client's.
    TriggerKind.SCHEDULE: ((),),
}

# Chalice event objects (``@app.on_s3_event`` ...) expose attributes instead of dict keys.
CHALICE_SAFE: dict[str, tuple[Path, ...]] = {
    "on_s3_event": (("bucket",), ("context",), ("to_dict",)),
    "on_sns_message": (("context",),),
    "on_sqs_message": (("*", "receipt_handle"), ("context",)),
    "on_cw_event": (("account",), ("region",), ("time",), ("source",), ("context",)),
    "schedule": ((),),
}
CHALICE_KINDS = {
    "on_s3_event": TriggerKind.S3, "on_sns_message": TriggerKind.SNS, "on_sqs_message": TriggerKind.SQS,
    "on_cw_event": TriggerKind.EVENTBRIDGE, "schedule": TriggerKind.SCHEDULE,
    "on_dynamodb_record": TriggerKind.DYNAMODB_STREAM, "on_kinesis_record": TriggerKind.KINESIS,
}


def _matches(prefix: Path, path: Path) -> bool:
    if len(path) < len(prefix):
        return False
    return all(p == "*" or p == q for p, q in zip(prefix, path, strict=False))


def controlled(safe: tuple[Path, ...], path: Path) -> bool:
    """True when a value read at ``path`` may carry client data (no safe prefix covers it)."""
    return not any(_matches(prefix, path) for prefix in safe)


def trigger_controls(trigger: Trigger, path: Path) -> bool:
    return controlled(SAFE_FIELDS.get(trigger.kind, ()), path)


TRUST_ORDER = {Trust.PUBLIC: 2, Trust.AUTHENTICATED: 1, Trust.INTERNAL: 0}


def widest(triggers: list[Trigger]) -> Trigger | None:
    """The trigger that lets the least-trusted party in."""
    return max(triggers, key=lambda t: TRUST_ORDER[t.trust], default=None)


# Web frameworks: objects whose attributes are the request a client sent.
FRAMEWORK_REQUEST_NAMES = frozenset({
    "flask.request", "quart.request", "bottle.request", "werkzeug.local.request",
})
# attribute of an app object -> the request (Powertools resolvers, Chalice)
FRAMEWORK_REQUEST_ATTRS = {"pt.resolver": "current_event", "chalice.app": "current_request"}

# Second-order sources: data read back from a store (lower confidence: someone else wrote it).
SECOND_ORDER_METHODS = {
    "get_object": "S3 object read back", "get_item": "DynamoDB item read back",
    "batch_get_item": "DynamoDB items read back", "query": "DynamoDB query result",
    "scan": "DynamoDB scan result", "receive_message": "SQS message received",
}
SECOND_ORDER_RECEIVERS = frozenset({"boto3:s3", "boto3:dynamodb", "ddb.table", "boto3:sqs", "s3.object"})

# Secrets: env variables named like secrets, and secret stores.
SECRET_NAME = re.compile(r"(pass(word|wd)?|secret|token|api_?key|private_?key|credential)", re.I)
SECRET_METHODS = {"get_secret_value": "Secrets Manager secret", "get_parameter": "SSM parameter",
                  "get_parameters": "SSM parameters"}
