"""Shared state while one resolved serverless.yml is turned into the model, and the framework's
logical-id naming rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from faasguard.loaders.cloudformation.intrinsics import NO_VALUE
from faasguard.loaders.cloudformation.intrinsics import Resolver as IntrinsicResolver
from faasguard.loaders.document import line_of
from faasguard.loaders.scalars import as_bool, as_int, as_text
from faasguard.loaders.serverless.variables import ResolvedDocument, mark_file
from faasguard.model import ErrorKind, Location, ScanError, Value, ValueKind

DEFAULT_ROLE_ID = "IamRoleLambdaExecution"  # the framework's logical id for the shared role
REST_API_ID = "ApiGatewayRestApi"
HTTP_API_ID = "HttpApi"
WEBSOCKET_API_ID = "WebsocketsApi"


def normalize_name(name: str) -> str:
    """The framework's ``normalizeName``: first letter upper-cased."""
    return name[:1].upper() + name[1:]


def normalize_function_name(name: str) -> str:
    """``my-func_a`` -> ``MyDashfuncUnderscorea`` (the framework's ``getNormalizedFunctionName``)."""
    return normalize_name(name.replace("-", "Dash").replace("_", "Underscore"))


def normalize_alphanumeric(name: str) -> str:
    """The framework's ``normalizeNameToAlphaNumericOnly`` (buckets, topics)."""
    return normalize_name(re.sub(r"[^0-9A-Za-z]", "", name))


def lambda_logical_id(function_key: str) -> str:
    return f"{normalize_function_name(function_key)}LambdaFunction"


def log_group_logical_id(function_key: str) -> str:
    return f"{normalize_function_name(function_key)}LogGroup"


def per_function_role_id(function_key: str) -> str:
    """serverless-iam-roles-per-function names each function's role like this."""
    return f"{normalize_function_name(function_key)}IamRoleLambdaExecution"


def bucket_logical_id(bucket: str) -> str:
    return f"S3Bucket{normalize_alphanumeric(bucket)}"


def topic_logical_id(topic: str) -> str:
    return f"SNSTopic{normalize_alphanumeric(topic)}"


def sub(node: Any, key: str) -> Mapping[str, Any]:
    """``node[key]`` when both are mappings, else an empty mapping."""
    child = node.get(key) if isinstance(node, Mapping) else None
    return child if isinstance(child, Mapping) else {}


@dataclass
class SlsContext:
    """One service being built: the resolved config, its document, and typed readers that record
    wrong types as errors instead of raising."""

    doc: ResolvedDocument
    config: Mapping[str, Any]
    service: str
    stage: str
    region: str
    app_root: str  # directory of serverless.yml relative to the scan root
    framework_major: int | None
    intrinsics: IntrinsicResolver
    resources: Mapping[str, Any]  # resources.Resources, merged
    errors: list[ScanError] = field(default_factory=list)

    @property
    def provider(self) -> Mapping[str, Any]:
        p = self.config.get("provider")
        return p if isinstance(p, Mapping) else {}

    @property
    def custom(self) -> Mapping[str, Any]:
        c = self.config.get("custom")
        return c if isinstance(c, Mapping) else {}

    # ---- errors and locations ----------------------------------------------------------------

    def error(self, message: str, node: Any = None, kind: ErrorKind = ErrorKind.PARSE,
              function: str | None = None, location: Location | None = None) -> None:
        if location is not None:
            self.errors.append(ScanError(location.file, message, kind, location.line, function))
            return
        self.errors.append(ScanError(mark_file(node) or self.doc.file, message, kind, line_of(node), function))

    def loc(self, node: Any, *pointer: str | int) -> Location:
        return self.doc.location(node, *pointer)

    def key_loc(self, mapping: Any, key: str, *pointer: str | int) -> Location:
        return self.doc.key_location(mapping, key, *pointer)

    def loc_or(self, node: Any, fallback: Location) -> Location:
        return self.loc(node) if line_of(node) else fallback

    # ---- typed readers -----------------------------------------------------------------------

    def mapping(self, node: Any, what: str, owner: Any = None) -> Mapping[str, Any] | None:
        if node is None:
            return None
        if isinstance(node, Mapping):
            return node
        self.error(f"{what} should be a mapping, not {_type_name(node)}", node if line_of(node) else owner)
        return None

    def sequence(self, node: Any, what: str, owner: Any = None) -> list[Any]:
        if node is None:
            return []
        if isinstance(node, list):
            return node
        self.error(f"{what} should be a list, not {_type_name(node)}", node if line_of(node) else owner)
        return []

    def value(self, node: Any, location: Location | None = None) -> Value:
        """A setting as a ``Value``: literal, serverless reference, or CloudFormation intrinsic."""
        if location is None and line_of(node):
            location = self.loc(node)
        if isinstance(node, Value):
            if location is not None and node.location is None:
                return Value(node.kind, node.literal, node.ref, node.attribute, node.raw, location)
            return node
        return self.intrinsics.value(node, location)

    def evaluate(self, node: Any) -> Any:
        return node if isinstance(node, Value) else self.intrinsics.evaluate(node)

    def text(self, node: Any) -> str | None:
        data = self.evaluate(node)
        return None if data is NO_VALUE else as_text(data)

    def integer(self, node: Any, what: str, owner: Any = None) -> int | None:
        data = self.evaluate(node)
        if data is NO_VALUE:
            return None
        number, problem = as_int(data)
        if problem:
            where = owner if isinstance(data, bool) or not line_of(node) else node
            shown = _type_name(data) if isinstance(data, (list, Mapping)) else problem
            self.error(f"{what} should be a number, not {shown}", where)
        return number

    def boolean(self, node: Any) -> bool | None:
        return as_bool(self.evaluate(node))

    def ref_target(self, node: Any) -> str | None:
        """The logical id ``node`` points at (``!Ref X``, ``!GetAtt X.Arn``), if any."""
        data = self.evaluate(node)
        if isinstance(data, Value) and data.kind in (ValueKind.RESOURCE_ATTRIBUTE, ValueKind.UNRESOLVED) \
                and data.ref and data.ref in self.resources:
            return data.ref
        if isinstance(data, Value) and data.kind is ValueKind.RESOURCE_ATTRIBUTE and data.ref:
            return data.ref
        return None

    def code_dir(self, *parts: str) -> str:
        path = PurePosixPath(self.app_root)
        for part in parts:
            path = path / part
        text = path.as_posix()
        return text[2:] if text.startswith("./") else text


def _type_name(node: Any) -> str:
    if isinstance(node, Value):
        return f"an unresolved reference ({node.raw or node.ref})"
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    if isinstance(node, bool):
        return "a boolean"
    if isinstance(node, (int, float)):
        return "a number"
    if isinstance(node, str):
        return "a string"
    return type(node).__name__
