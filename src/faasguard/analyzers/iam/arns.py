"""Resources in policies: what a needed action applies to, written as CloudFormation ``Fn::Sub``
text (``${Table.Arn}``), and a canonical form to compare needed with granted resources.

The canonical form replaces ``${AWS::Partition}`` by ``aws``, region and account fields by ``*``,
``${Id}``/``${Id.Arn}`` by the resource's literal name or a ``{Id}`` token, so that a SAM template's
``arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}``, a statement's
``!GetAtt Table.Arn`` and our ``${Table.Arn}`` all compare equal.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from faasguard.model import Application, Resource, ResourceKind, Value, ValueKind

PARTITION = "${AWS::Partition}"
REGION = "${AWS::Region}"
ACCOUNT = "${AWS::AccountId}"

# service prefix -> (resource kind, ARN template with {name}); the resource kinds a service acts on.
_SERVICE_KIND = {
    "s3": ResourceKind.BUCKET, "dynamodb": ResourceKind.TABLE, "sqs": ResourceKind.QUEUE, "sns": ResourceKind.TOPIC,
    "secretsmanager": ResourceKind.SECRET, "kms": ResourceKind.KEY, "kinesis": ResourceKind.STREAM,
    "ssm": ResourceKind.PARAMETER, "states": ResourceKind.STATE_MACHINE, "logs": ResourceKind.LOG_GROUP,
}
_TEMPLATES = {
    ResourceKind.BUCKET: "arn:{p}:s3:::{name}",
    ResourceKind.TABLE: "arn:{p}:dynamodb:{r}:{a}:table/{name}",
    ResourceKind.QUEUE: "arn:{p}:sqs:{r}:{a}:{name}",
    ResourceKind.TOPIC: "arn:{p}:sns:{r}:{a}:{name}",
    ResourceKind.SECRET: "arn:{p}:secretsmanager:{r}:{a}:secret:{name}-*",
    ResourceKind.KEY: "arn:{p}:kms:{r}:{a}:key/{name}",
    ResourceKind.STREAM: "arn:{p}:kinesis:{r}:{a}:stream/{name}",
    ResourceKind.PARAMETER: "arn:{p}:ssm:{r}:{a}:parameter/{name}",
    ResourceKind.STATE_MACHINE: "arn:{p}:states:{r}:{a}:stateMachine:{name}",
    ResourceKind.LOG_GROUP: "arn:{p}:logs:{r}:{a}:log-group:{name}:*",
}
# Kinds whose CloudFormation Ref already is the ARN.
_REF_IS_ARN = frozenset({ResourceKind.TOPIC, ResourceKind.SECRET, ResourceKind.STATE_MACHINE})
# Kinds with a GetAtt Arn.
_HAS_ARN_ATTR = frozenset({ResourceKind.BUCKET, ResourceKind.TABLE, ResourceKind.QUEUE, ResourceKind.KEY,
                           ResourceKind.STREAM, ResourceKind.LOG_GROUP, ResourceKind.EVENT_RULE})
_TOKEN = re.compile(r"\$\{([^}]+)\}")
# https://sqs.eu-west-1.amazonaws.com/123456789012/jobs, https://queue.amazonaws.com/1234/jobs
_QUEUE_URL = re.compile(r"^https://(?:sqs\.(?P<region>[a-z0-9-]+)|queue)\.amazonaws\.com(?:\.cn)?/"
                        r"(?P<account>\d{12})/(?P<name>[^/?#]+)/?$")


@dataclass(frozen=True, slots=True)
class Target:
    """A resource a need points at: a resource of the application (``resource_id``), a function
    of it, or a name/ARN known only as text."""

    kind: ResourceKind | None
    resource_id: str = ""
    name: str = ""  # literal physical name, when known
    arn: str = ""  # literal ARN, when known
    is_function: bool = False


def kind_for_service(prefix: str) -> ResourceKind | None:
    return _SERVICE_KIND.get(prefix)


def literal_name(res: Resource) -> str:
    if res.name is not None and res.name.is_literal:
        return res.name.text() or ""
    return ""


def target_of_value(app: Application, value: Value | None, service: str = "") -> Target | None:
    """The resource a template value refers to (``!Ref Table``, ``!GetAtt Queue.Arn``, a name)."""
    if value is None:
        return None
    if value.kind is ValueKind.RESOURCE_ATTRIBUTE and value.ref:
        res = app.resource(value.ref)
        if res is not None:
            return Target(res.kind, res.id, literal_name(res))
        fn = app.function(value.ref)
        if fn is not None:
            return Target(None, fn.id, fn.name, is_function=True)
        return None
    text = value.text() if value.is_literal else None
    if text:
        return target_of_text(app, text, service)
    return None


def target_of_text(app: Application, text: str, service: str = "") -> Target | None:
    """A literal name, ARN or queue URL, matched to the application's resources by name."""
    text = text.strip()
    if not text or "{" in text:
        return None
    name = text
    queue_arn = ""
    if text.startswith("arn:"):
        parts = text.split(":")
        name = parts[-1].split("/")[-1] if len(parts) > 5 else text
    elif m := _QUEUE_URL.match(text):
        region, account, name = m.group("region") or "", m.group("account"), m.group("name")
        queue_arn = f"arn:{PARTITION}:sqs:{region or REGION}:{account}:{name}"
    for candidate in dict.fromkeys((name, text)):
        res = app.resource_named(candidate)
        if res is not None:
            return Target(res.kind, res.id, literal_name(res))
    for candidate in dict.fromkeys((name, text)):
        fn = app.function_named(candidate)
        if fn is not None:
            return Target(None, fn.id, fn.name, is_function=True)
    kind = kind_for_service(service)
    if text.startswith("arn:"):
        return Target(kind, arn=text)
    if queue_arn:
        return Target(ResourceKind.QUEUE, arn=queue_arn)
    return Target(kind, name=name)


def _arn_template(kind: ResourceKind, name: str) -> str:
    template = _TEMPLATES.get(kind)
    if template is None:
        return ""
    if kind is ResourceKind.PARAMETER:
        name = name.lstrip("/")
    return template.format(p=PARTITION, r=REGION, a=ACCOUNT, name=name)


def sub_text(app: Application, target: Target, part: str = "") -> str:
    """The ``Fn::Sub`` text of a target. ``part``: "object" (S3 ``/*``), "index" (DynamoDB)."""
    suffix = {"object": "/*", "index": "/index/*", "stream": "/stream/*"}.get(part, "")
    if target.arn:
        return target.arn + suffix
    if target.is_function:
        if target.resource_id and app.function(target.resource_id) is not None:
            return f"${{{target.resource_id}.Arn}}"
        return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{target.name}"
    if target.resource_id and target.kind is not None:
        if target.kind in _REF_IS_ARN and not suffix:
            return f"${{{target.resource_id}}}"
        if target.kind in _HAS_ARN_ATTR:
            return f"${{{target.resource_id}.Arn}}{suffix}"
        built = _arn_template(target.kind, f"${{{target.resource_id}}}")
        return (built + suffix) if built else "*"
    if target.name and target.kind is not None:
        built = _arn_template(target.kind, target.name)
        return (built + suffix) if built else "*"
    return "*"


# ---- canonical comparison --------------------------------------------------------------------


def _token_text(app: Application, token: str) -> str:
    if token == "AWS::Partition":
        return "aws"
    if token in ("AWS::Region", "AWS::AccountId"):
        return "*"
    if token.startswith("AWS::"):
        return "*"
    # Terraform addresses contain dots (aws_dynamodb_table.items): the whole token may be the id,
    # else the attribute is after the last dot.
    def known(name: str) -> bool:
        return app.resource(name) is not None or app.function(name) is not None

    if known(token):
        ref, attr = token, ""
    else:
        ref, _, attr = token.partition(".")  # CloudFormation: Id.Attr (Attr may contain dots)
        if not known(ref) and "." in attr:
            ref, _, attr = token.rpartition(".")  # Terraform: type.name.attr
    res = app.resource(ref)
    if res is not None:
        name = literal_name(res) or f"{{{res.id}}}"
        if attr == "Arn" or (not attr and res.kind in _REF_IS_ARN):
            return canonical(app, _arn_template(res.kind, name) or f"{{{res.id}.Arn}}")
        return name
    fn = app.function(ref)
    if fn is not None:
        return f"arn:aws:lambda:*:*:function:{fn.name}" if attr == "Arn" else fn.name
    return f"{{{token}}}"


def canonical(app: Application, text: str) -> str:
    """Comparable form of a resource text (``Fn::Sub`` syntax allowed)."""
    out = _TOKEN.sub(lambda m: _token_text(app, m.group(1)), text.strip())
    if out.startswith("arn:"):
        parts = out.split(":", 5)
        if len(parts) == 6:
            parts[1] = "aws"
            parts[3] = "*" if parts[3] else ""
            parts[4] = "*" if parts[4] else ""
            out = ":".join(parts)
    return out


def value_text(value: Value) -> str:
    """A granted resource Value as ``Fn::Sub``-style text."""
    if value.is_literal:
        return value.text() or ""
    if value.kind is ValueKind.RESOURCE_ATTRIBUTE:
        if value.raw:
            return value.raw
        return f"${{{value.ref}{'.' + value.attribute if value.attribute else ''}}}"
    tokens = re.findall(r"\$\{([^}]*)\}", value.raw)
    if tokens and all(t.startswith("AWS::") for t in tokens):
        # arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/reports names one table
        return value.raw
    return "*"  # parameters and imports: unknown at scan time; treat as anything


def covers(granted: str, needed: str) -> bool:
    """Does a granted canonical resource pattern cover a needed canonical resource?"""
    if granted == "*" or needed == granted:
        return True
    if needed == "*":
        return False
    return fnmatch.fnmatchcase(needed, granted)
