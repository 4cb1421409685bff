"""SAM connectors (``AWS::Serverless::Connector`` and embedded ``Connectors``): the permissions they
add to a function's role, expanded with samtranslator's own connector profiles."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from faasguard.loaders.cloudformation.builder import LINKS, handles
from faasguard.loaders.cloudformation.intrinsics import compose
from faasguard.model import Location, Statement, Value, ValueKind

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder

# SAM resource types as the profiles name their CloudFormation equivalents.
_PROFILE_TYPES = {
    "AWS::Serverless::Function": "AWS::Lambda::Function",
    "AWS::Serverless::SimpleTable": "AWS::DynamoDB::Table",
    "AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::Api": "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi": "AWS::ApiGatewayV2::Api",
}
_PLACEHOLDER = re.compile(r"%\{(Source|Destination)\.(\w+)\}")


@lru_cache(maxsize=1)
def profiles() -> Mapping[str, Any]:
    try:
        from importlib.resources import files

        path = files("samtranslator") / "model" / "connector_profiles" / "profiles.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        permissions = data.get("Permissions", {})
        return permissions if isinstance(permissions, Mapping) else {}
    except (ModuleNotFoundError, OSError, ValueError):
        return {}


def _endpoint_type(b: Builder, endpoint: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(logical id, CloudFormation type) of a connector's Source/Destination."""
    ctx = b.ctx
    if "Id" in endpoint:
        rid = ctx.text(endpoint["Id"])
        if rid is None:
            return None, None
        rtype = b.types.get(rid)
        return rid, _PROFILE_TYPES.get(rtype or "", rtype)
    rtype = ctx.text(endpoint.get("Type"))
    return None, _PROFILE_TYPES.get(rtype or "", rtype)


def _resource_value(text: str, endpoints: Mapping[str, tuple[str | None, Mapping[str, Any]]]) -> Value:
    """``%{Destination.Arn}/index/*`` -> a reference to the destination's Arn (with the suffix)."""
    parts: list[Any] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        parts.append(text[pos:m.start()])
        pos = m.end()
        rid, _ = endpoints[m.group(1)]
        if rid:
            parts.append(Value(ValueKind.RESOURCE_ATTRIBUTE, ref=rid, attribute=m.group(2),
                               raw=f"${{{rid}.{m.group(2)}}}"))
        else:
            parts.append(Value(ValueKind.UNRESOLVED, raw=m.group(0)))
    parts.append(text[pos:])
    result = compose([p for p in parts if isinstance(p, Value) or p])
    return result if isinstance(result, Value) else Value.of(result)


def connect(b: Builder, name: str, props: Mapping[str, Any], where: Location, source_id: str | None = None) -> None:
    """Add a connector's permissions to its source function's role."""
    ctx = b.ctx
    source = props.get("Source")
    source_map = ctx.mapping(source, f"Source of connector {name}", line=where.line) if source is not None else {}
    src_id: str | None
    src_type: str | None
    if source_id:
        own_type = b.types.get(source_id, "")
        src_id, src_type = source_id, _PROFILE_TYPES.get(own_type, own_type)
    else:
        src_id, src_type = _endpoint_type(b, source_map or {})
    if src_type != "AWS::Lambda::Function" or src_id is None:
        return  # only functions' roles are modelled
    fn = b.function(src_id)
    role = b.roles.get(fn.get("role_id") or "") if fn is not None else None
    if role is None:
        return
    destinations = props.get("Destination")
    dest_list = destinations if isinstance(destinations, list) else [destinations]
    permissions = [ctx.text(p) for p in ctx.sequence(props.get("Permissions"), "Permissions")]
    perm_loc = ctx.key_loc(props, "Permissions") if "Permissions" in props else where
    for dest in dest_list:
        dest_map = ctx.mapping(dest, f"Destination of connector {name}", line=where.line)
        if not dest_map:
            continue
        dest_id, dest_type = _endpoint_type(b, dest_map)
        profile = profiles().get(src_type, {}).get(dest_type or "")
        if not isinstance(profile, Mapping):
            ctx.error(f"connector {name}: no SAM profile from {src_type} to {dest_type}; its permissions are unknown",
                      where)
            continue
        categories = profile.get("Properties", {}).get("AccessCategories", {})
        endpoints = {"Source": (src_id, source_map or {}), "Destination": (dest_id, dest_map)}
        for perm in permissions:
            category = categories.get(perm or "")
            if not isinstance(category, Mapping):
                ctx.error(f"connector {name}: permission {perm!r} is not one of {', '.join(categories)}", perm_loc)
                continue
            for st in category.get("Statement", []):
                actions = st.get("Action", [])
                resources = st.get("Resource", [])
                role.append("statements", Statement(
                    effect=str(st.get("Effect", "Allow")), location=perm_loc,
                    actions=tuple(actions if isinstance(actions, list) else [actions]),
                    resources=tuple(_resource_value(str(r), endpoints)
                                    for r in (resources if isinstance(resources, list) else [resources])),
                    policy_name=f"{name}Connector{perm}"))


@handles(LINKS, "AWS::Serverless::Connector")
def connector(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    connect(b, logical_id, props, b.ctx.resource_loc(logical_id))


@handles(LINKS, "AWS::Serverless::Function", "AWS::Lambda::Function")
def embedded_connectors(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    embedded = body.get("Connectors")
    if embedded is None:
        return
    connectors = ctx.mapping(embedded, f"Connectors of {logical_id}", line=ctx.key_loc(body, "Connectors").line)
    for name, conn in (connectors or {}).items():
        conn_map = ctx.mapping(conn, f"connector {name}", line=ctx.key_loc(connectors, str(name)).line)
        conn_props = ctx.mapping(conn_map.get("Properties"), f"Properties of connector {name}") if conn_map else None
        if conn_props is not None:
            connect(b, f"{logical_id}{name}", conn_props, ctx.key_loc(connectors, str(name)), source_id=logical_id)
