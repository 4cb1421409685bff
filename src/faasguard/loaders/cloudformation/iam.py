"""IAM: policy documents -> Statements; AWS::IAM::Role / Policy / ManagedPolicy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from faasguard.loaders.cloudformation.builder import DEFINE, DEFINE_APIS, LINKS, handles
from faasguard.loaders.cloudformation.drafts import Draft
from faasguard.loaders.cloudformation.intrinsics import NO_VALUE, plain
from faasguard.model import ManagedPolicyRef, Role, Statement, Value, ValueKind

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder
    from faasguard.loaders.cloudformation.context import BuildContext

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"


@lru_cache(maxsize=1)
def aws_managed_policy_arns() -> Mapping[str, str]:
    """AWS managed policy name -> ARN, from samtranslator's table (empty when it is missing)."""
    try:
        from importlib.resources import files

        data = json.loads((files("samtranslator") / "internal" / "data" / "aws_managed_policies.json")
                          .read_text(encoding="utf-8"))
        table = data.get("aws", {})
        return {str(k): str(v) for k, v in table.items()} if isinstance(table, Mapping) else {}
    except (ModuleNotFoundError, OSError, ValueError):
        return {}


def _strings(ctx: BuildContext, node: Any) -> tuple[str, ...]:
    items = ctx.sequence(node, "Action")
    out: list[str] = []
    for item in items:
        v = ctx.evaluate(item)
        if isinstance(v, list):
            out.extend(str(x) for x in v if not isinstance(x, Value))
        elif isinstance(v, Value) or v is not None and v is not NO_VALUE:
            out.append(str(v))
    return tuple(out)


def _values(ctx: BuildContext, node: Any) -> tuple[Value, ...]:
    out: list[Value] = []
    for item in ctx.sequence(node, "Resource"):
        data = ctx.evaluate(item)
        if isinstance(data, list):
            out.extend(ctx.resolver.to_value(d) for d in data)
        elif data is not NO_VALUE:
            out.append(ctx.resolver.to_value(data))
    return tuple(out)


def statements(ctx: BuildContext, document: Any, policy_name: str, *pointer: str | int) -> list[Statement]:
    """The statements of a policy document (``{Version, Statement: [...]}``), or of a bare
    statement list / single statement (SAM accepts both in Policies)."""
    doc = ctx.mapping(document, f"policy document {policy_name}") if not isinstance(document, list) else None
    if isinstance(document, list):
        items: list[Any] = document
    elif doc is None:
        return []
    elif "Statement" in doc:
        items = ctx.sequence(doc["Statement"], "Statement")
    else:
        items = [doc] if "Effect" in doc else []
    out: list[Statement] = []
    for i, item in enumerate(items):
        st = ctx.mapping(item, f"statement {i} of {policy_name}", document)
        if st is None:
            continue
        effect = ctx.text(st.get("Effect")) or "Allow"
        conditions = ctx.evaluate(st.get("Condition")) if "Condition" in st else {}
        out.append(Statement(
            effect=effect,
            location=ctx.loc(st, *pointer, "Statement", i),
            actions=_strings(ctx, st.get("Action")),
            not_actions=_strings(ctx, st.get("NotAction")),
            resources=_values(ctx, st.get("Resource")),
            not_resources=_values(ctx, st.get("NotResource")),
            conditions=plain(conditions) if isinstance(conditions, Mapping) else {},
            sid=ctx.text(st.get("Sid")) or "",
            policy_name=policy_name,
        ))
    return out


def managed_policy_ref(b: Builder, node: Any, location: Any) -> tuple[ManagedPolicyRef, str | None]:
    """A ManagedPolicyArns / SAM Policies entry naming a managed policy; the second item is the
    logical id when it is a customer managed policy of this template."""
    ctx = b.ctx
    target = ctx.ref_target(node)
    if target is not None and b.types.get(target) == "AWS::IAM::ManagedPolicy":
        return ManagedPolicyRef(target, location, aws_managed=False), target
    value = ctx.value(node)
    text = str(value)
    if value.is_literal and text and ":" not in text:
        # SAM turns bare names into AWS managed policy ARNs (some live under service-role/)
        text = aws_managed_policy_arns().get(text, f"arn:aws:iam::aws:policy/{text}")
    aws_managed = ":iam::aws:policy/" in text
    return ManagedPolicyRef(text, location, aws_managed=aws_managed), None


def role_draft(b: Builder, role_id: str, location: Any, **fields: Any) -> Draft[Role]:
    draft = b.roles.get(role_id)
    if draft is None:
        draft = Draft(Role, {"id": role_id, "location": location, "statements": [], "managed_policies": [],
                             "policy_templates": [], "functions": [], "source_kind": b.ctx.source_kind})
        b.roles[role_id] = draft
    draft.fields.update(fields)
    return draft


def external_role(b: Builder, value: Value, location: Any) -> str:
    """A role given by ARN/name (or a parameter): not defined here, so its permissions are unknown."""
    role_id = str(value) or "<unknown role>"
    text = value.text() or ""
    name = text.rsplit("/", 1)[-1] if text else role_id
    role_draft(b, role_id, location, external=True, name=name, arn=value)
    return role_id


@handles(DEFINE_APIS, "AWS::IAM::ManagedPolicy")
def managed_policy(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    name = b.ctx.text(props.get("ManagedPolicyName")) or logical_id
    b.managed_policies[logical_id] = statements(b.ctx, props.get("PolicyDocument"), name,
                                                "Resources", logical_id, "Properties", "PolicyDocument")


@handles(DEFINE, "AWS::IAM::Role")
def iam_role(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    loc = ctx.resource_loc(logical_id)
    draft = role_draft(b, logical_id, loc, name=ctx.text(props.get("RoleName")) or logical_id,
                       arn=Value(ValueKind.RESOURCE_ATTRIBUTE, ref=logical_id, attribute="Arn",
                                 raw=f"${{{logical_id}.Arn}}"))
    for i, pol in enumerate(ctx.sequence(props.get("Policies"), "Policies")):
        pm = ctx.mapping(pol, f"Policies[{i}] of {logical_id}", props)
        if pm is None:
            continue
        pname = ctx.text(pm.get("PolicyName")) or f"{logical_id}Policy{i}"
        draft.append("statements", *statements(ctx, pm.get("PolicyDocument"), pname,
                                               "Resources", logical_id, "Properties", "Policies", i,
                                               "PolicyDocument"))
    for i, arn in enumerate(ctx.sequence(props.get("ManagedPolicyArns"), "ManagedPolicyArns")):
        where = ctx.loc(arn, "Resources", logical_id, "Properties", "ManagedPolicyArns", i)
        if not where.line:
            where = ctx.key_loc(props, "ManagedPolicyArns", "Resources", logical_id, "Properties")
        ref, customer = managed_policy_ref(b, arn, where)
        draft.append("managed_policies", ref)
        if customer:
            draft.append("statements", *b.managed_policies.get(customer, []))
    if "PermissionsBoundary" in props:
        draft.set("permissions_boundary", ctx.value(props["PermissionsBoundary"]))


def _attach_to_roles(b: Builder, logical_id: str, props: Mapping[str, Any], stmts: list[Statement],
                     managed: bool) -> None:
    ctx = b.ctx
    for node in ctx.sequence(props.get("Roles"), "Roles"):
        target = ctx.ref_target(node)
        role: Draft[Role] | None
        if target is not None and target in b.roles:
            role = b.roles[target]
        else:
            value = ctx.value(node)
            if value.is_literal and value.text():
                # a role name: match a role of this template with that RoleName, else keep it external
                role = next((r for r in b.roles.values() if r.get("name") == value.text()), None)
                if role is None:
                    external_role(b, value, ctx.loc(node) if ctx.loc(node).line else ctx.resource_loc(logical_id))
                    role = b.roles[str(value)]
            elif target is not None:  # SAM-generated role (<Function>Role) or unknown resource
                role = role_draft(b, target, ctx.resource_loc(logical_id))
            else:
                continue
        if role is None:
            continue
        role.append("statements", *stmts)
        if managed:
            role.append("managed_policies", ManagedPolicyRef(logical_id, ctx.resource_loc(logical_id), False))


@handles(LINKS, "AWS::IAM::Policy")
def iam_policy(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    name = b.ctx.text(props.get("PolicyName")) or logical_id
    stmts = statements(b.ctx, props.get("PolicyDocument"), name,
                       "Resources", logical_id, "Properties", "PolicyDocument")
    _attach_to_roles(b, logical_id, props, stmts, managed=False)


@handles(LINKS, "AWS::IAM::ManagedPolicy")
def managed_policy_roles(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    if "Roles" in props:
        _attach_to_roles(b, logical_id, props, b.managed_policies.get(logical_id, []), managed=True)
