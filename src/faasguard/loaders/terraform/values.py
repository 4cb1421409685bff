"""What a Terraform expression evaluates to, statically.

Literals become Python values; objects and tuples written in the file keep the line of each
element (``LDict`` / ``LList``) so that an environment variable or a policy statement points at
its own line. What only exists at apply time stays symbolic: ``Ref`` (an attribute of a resource,
data source or registry module) and ``Unknown`` (anything we can't decide, with the references
it mentions, so a function can still be linked to the queue its ARN came from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from faasguard.model import Location, Value, ValueKind


class LDict(dict[str, Any]):
    """An object literal with the line of each key."""

    def __init__(self, *args: Any, line: int = 0, key_lines: dict[str, int] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.line = line
        self.key_lines = key_lines or {}


class LList(list[Any]):
    """A tuple literal with the line of each item."""

    def __init__(self, *args: Any, line: int = 0, item_lines: list[int] | None = None) -> None:
        super().__init__(*args)
        self.line = line
        self.item_lines = item_lines or []


@dataclass(frozen=True)
class Ref:
    """``aws_iam_role.lambda.arn`` -> Ref("aws_iam_role.lambda", "arn")."""

    address: str
    attribute: str = ""
    raw: str = ""

    def __str__(self) -> str:
        return self.raw or f"${{{self.address}{'.' + self.attribute if self.attribute else ''}}}"


@dataclass(frozen=True)
class Unknown:
    raw: str
    refs: tuple[Ref, ...] = ()
    template: bool = False  # a string template of literals and references ("${aws_s3_bucket.b.arn}/*")

    def __str__(self) -> str:
        return self.raw


@dataclass(frozen=True)
class JsonDoc:
    """``jsonencode(x)``: kept as the structure (with its lines and references) rather than text."""

    value: Any


SYMBOLIC = (Ref, Unknown)


def is_known(value: Any) -> bool:
    """No reference or unknown anywhere inside."""
    if isinstance(value, SYMBOLIC):
        return False
    if isinstance(value, JsonDoc):
        return is_known(value.value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    return True


def refs_in(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, Unknown):
        return list(value.refs)
    if isinstance(value, JsonDoc):
        return refs_in(value.value)
    if isinstance(value, dict):
        return [r for v in value.values() for r in refs_in(v)]
    if isinstance(value, list):
        return [r for v in value for r in refs_in(v)]
    return []


def plain(value: Any) -> Any:
    """Python data for ``properties`` (references as their text)."""
    if isinstance(value, SYMBOLIC):
        return str(value)
    if isinstance(value, JsonDoc):
        return plain(value.value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# Data sources whose value is a secret reference, not a literal.
_SECRET_DATA = {
    "data.aws_ssm_parameter": ValueKind.SSM,
    "data.aws_secretsmanager_secret_version": ValueKind.SECRETS_MANAGER,
    "data.aws_secretsmanager_secret": ValueKind.SECRETS_MANAGER,
}


# "module.x" / "module.a.module.b[0]": an output of a module we could not read (registry modules).
_MODULE_OUTPUT = re.compile(r"^(?:module\.[^.]+\.)*module\.[^.]+$")


# Terraform attributes spelled as the model's CloudFormation-style attributes, so that the same
# resource referenced from Terraform and from a template compares equal in the analyzers: the
# name-like attributes are what CloudFormation's Ref returns.
_CFN_ATTRIBUTES = {"arn": "Arn", "stream_arn": "StreamArn", "id": "", "name": "", "bucket": "", "url": "",
                   "function_name": "", "secret_string": "", "value": ""}


def cfn_attribute(attribute: str) -> str:
    return _CFN_ATTRIBUTES.get(attribute, attribute)


def _is_resource(ref: Ref) -> bool:
    prefix = ref.address.rsplit(".", 1)[0]
    return not (ref.address.startswith("var.") or _MODULE_OUTPUT.match(ref.address) or prefix in _SECRET_DATA
                or "." not in ref.address)


def to_value(value: Any, location: Location | None = None) -> Value:
    """A model ``Value``: literals as they are, references typed."""
    if isinstance(value, Ref):
        prefix = value.address.rsplit(".", 1)[0]
        kind = _SECRET_DATA.get(prefix)
        if kind is not None:
            return Value(kind, ref=value.address, attribute=value.attribute, raw=str(value), location=location)
        if value.address.startswith("var."):
            return Value(ValueKind.PARAMETER, ref=value.address, raw=str(value), location=location)
        if _MODULE_OUTPUT.match(value.address) or value.address.startswith("data.terraform_remote_state"):
            return Value(ValueKind.STACK_OUTPUT, ref=value.address, attribute=value.attribute, raw=str(value),
                         location=location)
        attribute = cfn_attribute(value.attribute)
        raw = f"${{{value.address}{'.' + attribute if attribute else ''}}}"
        return Value(ValueKind.RESOURCE_ATTRIBUTE, ref=value.address, attribute=attribute, raw=raw, location=location)
    if isinstance(value, Unknown):
        refs = value.refs
        if len(refs) == 1 and refs[0].address.rsplit(".", 1)[0] in _SECRET_DATA:
            return Value(_SECRET_DATA[refs[0].address.rsplit(".", 1)[0]], ref=refs[0].address,
                         attribute=refs[0].attribute, raw=value.raw, location=location)
        if value.template and refs and all(_is_resource(r) for r in refs):
            # like CloudFormation's !Sub "${Bucket.Arn}/*": a resource attribute inside a text
            return Value(ValueKind.RESOURCE_ATTRIBUTE, ref=refs[0].address, attribute=cfn_attribute(refs[0].attribute),
                         raw=value.raw, location=location)
        return Value(ValueKind.UNRESOLVED, raw=value.raw, ref=refs[0].address if refs else "", location=location)
    if isinstance(value, JsonDoc):
        return to_value(text_of(value), location) if is_known(value) else Value.unresolved("jsonencode(...)", location)
    if value is None or isinstance(value, (str, int, float, bool)):
        return Value.of(value, location)
    import json

    try:
        return Value.of(json.dumps(plain(value)), location)
    except (TypeError, ValueError):
        return Value.unresolved(str(value), location)


def text_of(value: Any) -> str | None:
    """A known scalar as text (HCL converts numbers and bools to strings where one is expected)."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, JsonDoc) and is_known(value.value):
        return json.dumps(plain(value.value), separators=(",", ":"))
    return None
