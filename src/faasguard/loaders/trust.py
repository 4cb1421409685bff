"""How far each trigger's data can be trusted: one policy shared by every loader, so that the
same app described in serverless.yml, SAM or Terraform gets the same answer."""

from __future__ import annotations

from faasguard.model import Authorizer, TriggerKind, Trust

# Where nothing more is known about the event source.
_DEFAULT_TRUST = {
    TriggerKind.HTTP_API: Trust.PUBLIC,
    TriggerKind.REST_API: Trust.PUBLIC,
    TriggerKind.WEBSOCKET: Trust.PUBLIC,
    TriggerKind.FUNCTION_URL: Trust.PUBLIC,
    TriggerKind.ALB: Trust.PUBLIC,
    TriggerKind.ALEXA: Trust.PUBLIC,
    # Cognito pre-sign-up and similar triggers carry attributes typed by anonymous users.
    TriggerKind.COGNITO: Trust.PUBLIC,
    # Objects are usually written by users (presigned uploads): names and content are theirs.
    TriggerKind.S3: Trust.AUTHENTICATED,
    TriggerKind.IOT: Trust.AUTHENTICATED,
    TriggerKind.APPSYNC: Trust.AUTHENTICATED,
    TriggerKind.SQS: Trust.INTERNAL,
    TriggerKind.SNS: Trust.INTERNAL,
    TriggerKind.DYNAMODB_STREAM: Trust.INTERNAL,
    TriggerKind.KINESIS: Trust.INTERNAL,
    TriggerKind.KAFKA: Trust.INTERNAL,
    TriggerKind.MQ: Trust.INTERNAL,
    TriggerKind.EVENTBRIDGE: Trust.INTERNAL,
    TriggerKind.SCHEDULE: Trust.INTERNAL,
    TriggerKind.CLOUDWATCH_LOGS: Trust.INTERNAL,
    TriggerKind.OTHER: Trust.INTERNAL,
}


def default_trust(kind: TriggerKind) -> Trust:
    return _DEFAULT_TRUST.get(kind, Trust.INTERNAL)


def http_trust(authorizer: Authorizer | None, api_key_required: bool | None = None,
               private_endpoint: bool = False) -> Trust:
    """An HTTP route is public unless an authorizer, IAM auth or an API key guards it, or the API
    is a private endpoint (reachable from a VPC only)."""
    if authorizer is not None or api_key_required:
        return Trust.AUTHENTICATED
    if private_endpoint:
        return Trust.INTERNAL
    return Trust.PUBLIC


def source_trust(kind: TriggerKind, source_is_public: bool | None) -> Trust:
    """A bucket/queue/topic that anyone can write to makes its events public."""
    if source_is_public:
        return Trust.PUBLIC
    return default_trust(kind)
