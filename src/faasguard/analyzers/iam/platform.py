"""Permissions a function needs without calling boto3 itself: Lambda's own use of the role.

CloudWatch Logs for its log group, X-Ray when tracing is active, ENI management in a VPC, the
event-source mapping's reads for polled triggers, DLQ and on-failure destination sends, and KMS
decrypt of its environment key.
"""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.iam import arns
from faasguard.analyzers.iam.requirement import Requirement
from faasguard.model import Application, Function, Trigger, TriggerKind, Value

LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
XRAY = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
VPC = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
       "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")
POLLERS = {
    TriggerKind.SQS: ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    TriggerKind.KINESIS: ("kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                          "kinesis:DescribeStreamSummary", "kinesis:ListShards"),
    TriggerKind.DYNAMODB_STREAM: ("dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream",
                                  "dynamodb:ListStreams"),
    TriggerKind.KAFKA: ("kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers", "ec2:CreateNetworkInterface",
                        "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface",
                        "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"),
    TriggerKind.MQ: ("mq:DescribeBroker", "secretsmanager:GetSecretValue", "ec2:CreateNetworkInterface",
                     "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface",
                     "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"),
}
# Actions that accept only "*" as resource.
_STAR_ONLY = frozenset({"ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
                        "ec2:DescribeSecurityGroups", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "dynamodb:ListStreams",
                        "kinesis:ListShards", "xray:PutTraceSegments", "xray:PutTelemetryRecords"})


def log_group(app: Application, fn: Function) -> str:
    """The function's log group ARN: by its name when the name is known, else the SAM naming
    pattern ``<stack>-<LogicalId>-<suffix>`` (referring to the function itself would be circular)."""
    if fn.log_group_id and app.resource(fn.log_group_id) is not None:
        return f"${{{fn.log_group_id}.Arn}}"
    name = fn.name if fn.name and fn.name != fn.id or fn.source_kind == "serverless" else ""
    if fn.source_kind in ("sam", "cloudformation") and not name:
        name = f"${{AWS::StackName}}-{fn.id}-*"
    if not name:
        return "*"
    return f"arn:{arns.PARTITION}:logs:{arns.REGION}:{arns.ACCOUNT}:log-group:/aws/lambda/{name}:*"


def _destination(app: Application, value: Value, why: str, fn: Function) -> Iterator[Requirement]:
    target = arns.target_of_value(app, value)
    text = str(value)
    if target is None:
        low = text.lower()
        action = "sns:Publish" if ":sns:" in low else "lambda:InvokeFunction" if ":lambda:" in low else \
            "events:PutEvents" if ":events:" in low else "sqs:SendMessage"
        yield Requirement(action, text if text.startswith("arn:") else "*", why, "platform",
                          note="" if text.startswith("arn:") else "destination not resolved")
        return
    from faasguard.model import ResourceKind

    if target.is_function:
        action = "lambda:InvokeFunction"
    elif target.kind is ResourceKind.TOPIC:
        action = "sns:Publish"
    elif target.kind is ResourceKind.EVENT_RULE or "event" in text.lower() and "bus" in text.lower():
        action = "events:PutEvents"
    else:
        action = "sqs:SendMessage"
    yield Requirement(action, arns.sub_text(app, target), why, "platform")


def _trigger(app: Application, trig: Trigger) -> Iterator[Requirement]:
    actions = POLLERS.get(trig.kind)
    if not actions or not trig.enabled:
        return
    target = arns.target_of_value(app, trig.source) if trig.source is not None else None
    if target is None and trig.source_id:
        res = app.resource(trig.source_id)
        target = arns.Target(res.kind, res.id, arns.literal_name(res)) if res else None
    stream_table = trig.kind is TriggerKind.DYNAMODB_STREAM
    for action in actions:
        if action in _STAR_ONLY or target is None:
            resource = "*"
        elif stream_table and target.resource_id and not target.arn:
            resource = f"${{{target.resource_id}.StreamArn}}"
        else:
            resource = arns.sub_text(app, target)
        yield Requirement(action, resource, f"trigger {trig.kind.value}", "platform",
                          note="" if target else "event source not resolved")


def platform_needs(app: Application, fn: Function) -> list[Requirement]:
    out: list[Requirement] = []
    group = log_group(app, fn)
    out.extend(Requirement(a, group, "logs", "platform") for a in LOGS)
    if (fn.tracing or "").lower() == "active":
        out.extend(Requirement(a, "*", "tracing", "platform") for a in XRAY)
    if fn.vpc is not None:
        out.extend(Requirement(a, "*", "vpc", "platform") for a in VPC)
    for trig in fn.triggers:
        out.extend(_trigger(app, trig))
        if trig.on_failure is not None and trig.kind in POLLERS:
            out.extend(_destination(app, trig.on_failure, f"trigger {trig.kind.value} on-failure", fn))
    if fn.dead_letter is not None:
        out.extend(_destination(app, fn.dead_letter, "dead-letter queue", fn))
    if fn.on_failure is not None:
        out.extend(_destination(app, fn.on_failure, "on-failure destination", fn))
    if fn.kms_key is not None:
        target = arns.target_of_value(app, fn.kms_key)
        resource = arns.sub_text(app, target) if target else (
            fn.kms_key.text() or "*") if fn.kms_key.is_literal else "*"
        out.append(Requirement("kms:Decrypt", resource, "environment kms key", "platform"))
    return out
