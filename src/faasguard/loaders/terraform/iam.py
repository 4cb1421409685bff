"""IAM in Terraform: roles, inline and attached policies, ``aws_iam_policy_document`` data
sources, managed policy ARNs -> ``Role`` / ``Statement`` with the line of each statement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faasguard.loaders.terraform.context import Context, Draft, as_list, json_value, text
from faasguard.loaders.terraform.module import Instance
from faasguard.loaders.terraform.values import LDict, LList, Ref, plain, refs_in
from faasguard.model import Location, ManagedPolicyRef, Statement, Value, ValueKind

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
POLICY_DOC = "aws_iam_policy_document"


def role_draft(ctx: Context, role_id: str, where: Location, **fields: Any) -> Draft:
    draft = ctx.roles.get(role_id)
    if draft is None:
        draft = Draft({"id": role_id, "location": where, "statements": [], "managed_policies": [],
                       "functions": [], "source_kind": "terraform"})
        ctx.roles[role_id] = draft
    draft.fields.update(fields)
    return draft


def external_role(ctx: Context, value: Value, where: Location) -> str:
    role_id = str(value) or "<unknown role>"
    literal = value.text() or ""
    role_draft(ctx, role_id, where, external=True, name=literal.rsplit("/", 1)[-1] if literal else role_id, arn=value)
    return role_id


# ---- statements --------------------------------------------------------------------------------


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in as_list(value) if v is not None)


def json_statements(ctx: Context, doc: Any, policy_name: str, where: Location) -> list[Statement]:
    """Statements of a policy document given as a structure (jsonencode / parsed JSON)."""
    if not isinstance(doc, Mapping):
        return []
    raw = doc.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
    lines = raw.item_lines if isinstance(raw, LList) else []
    out: list[Statement] = []
    for i, st in enumerate(items):
        if not isinstance(st, Mapping):
            continue
        line = (lines[i] if i < len(lines) and lines[i] else 0) or (st.line if isinstance(st, LDict) else 0)
        at = Location(where.file, line or where.line, pointer=(*where.pointer, "Statement", i))
        cond = st.get("Condition")
        out.append(Statement(
            effect=text(st.get("Effect")) or "Allow", location=at,
            actions=_strings(st.get("Action")), not_actions=_strings(st.get("NotAction")),
            resources=tuple(ctx.value(r) for r in as_list(st.get("Resource"))),
            not_resources=tuple(ctx.value(r) for r in as_list(st.get("NotResource"))),
            conditions=plain(cond) if isinstance(cond, Mapping) else {},
            sid=text(st.get("Sid")) or "", policy_name=policy_name))
    return out


def document_statements(ctx: Context, inst: Instance) -> list[Statement]:
    """``data "aws_iam_policy_document"``: statement blocks, plus the documents it includes."""
    address = inst.address
    if address in ctx.policies:
        return ctx.policies[address]
    ctx.policies[address] = []  # cycle guard
    out: list[Statement] = []
    for key in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        for item in as_list(inst.attr(key)):
            out.extend(policy_statements(ctx, item, inst.name, ctx.loc(inst, key)))
    for i, block in enumerate(inst.body.blocks_of("statement")):
        def get(name: str, _body: Any = block.body) -> Any:
            return inst.attr(name, _body)

        conditions: dict[str, Any] = {}
        for cond in block.body.blocks_of("condition"):
            test, variable = text(get_in(inst, cond, "test")), text(get_in(inst, cond, "variable"))
            if test and variable:
                conditions.setdefault(test, {})[variable] = plain(get_in(inst, cond, "values"))
        out.append(Statement(
            effect=text(get("effect")) or "Allow",
            location=Location(block.file, block.line, pointer=("data", POLICY_DOC, inst.name, "statement", i)),
            actions=_strings(get("actions")), not_actions=_strings(get("not_actions")),
            resources=tuple(ctx.value(r) for r in as_list(get("resources"))),
            not_resources=tuple(ctx.value(r) for r in as_list(get("not_resources"))),
            conditions=conditions, sid=text(get("sid")) or "", policy_name=inst.name))
    ctx.policies[address] = out
    return out


def get_in(inst: Instance, block: Any, name: str) -> Any:
    return inst.attr(name, block.body)


def policy_statements(ctx: Context, value: Any, policy_name: str, where: Location) -> list[Statement]:
    """A ``policy`` argument: jsonencode(...), JSON text (heredoc, file()), or a reference to a
    policy document data source / an aws_iam_policy."""
    for ref in refs_in(value):
        inst = ctx.instance(ref)
        if inst is None:
            continue
        if inst.type == POLICY_DOC and inst.mode == "data":
            return document_statements(ctx, inst)
        if inst.type == "aws_iam_policy":
            return ctx.policies.get(inst.address, [])
    doc = json_value(value)
    return json_statements(ctx, doc, policy_name, where)


# ---- resources ---------------------------------------------------------------------------------


def define_policies(ctx: Context) -> None:
    for inst in ctx.of_type(POLICY_DOC, mode="data"):
        document_statements(ctx, inst)
    for inst in ctx.of_type("aws_iam_policy"):
        name = text(inst.attr("name")) or inst.name
        ctx.policies[inst.address] = policy_statements(ctx, inst.attr("policy"), name, ctx.loc(inst, "policy"))


def define_roles(ctx: Context) -> None:
    for inst in ctx.of_type("aws_iam_role"):
        role = role_draft(ctx, inst.address, ctx.loc(inst), name=text(inst.attr("name")) or inst.name,
                          arn=Value(ValueKind.RESOURCE_ATTRIBUTE, ref=inst.address, attribute="arn",
                                    raw=f"${{{inst.address}.arn}}"))
        for block in inst.body.blocks_of("inline_policy"):
            name = text(get_in(inst, block, "name")) or f"{inst.name}-inline"
            attr = block.body.attributes.get("policy")
            if attr is not None:
                where = Location(attr.file, attr.line, pointer=("resource", inst.type, inst.name, "inline_policy"))
                role.append("statements", *policy_statements(ctx, inst.attr("policy", block.body), name,
                                                             where))
        if inst.has("managed_policy_arns"):
            where = ctx.loc(inst, "managed_policy_arns")
            for arn in as_list(inst.attr("managed_policy_arns")):
                attach(ctx, role, arn, where)
        if inst.has("permissions_boundary"):
            role.set("permissions_boundary", ctx.value(inst.attr("permissions_boundary"),
                                                       ctx.loc(inst, "permissions_boundary")))


def attach(ctx: Context, role: Draft, arn: Any, where: Location) -> None:
    """A managed policy attached to a role: AWS managed by ARN, or a customer policy of this config."""
    target = ctx.target(arn, "aws_iam_policy")
    if target is not None:
        role.append("managed_policies", ManagedPolicyRef(target.address, where, aws_managed=False))
        role.append("statements", *ctx.policies.get(target.address, []))
        return
    value = ctx.value(arn, where)
    name = str(value)
    role.append("managed_policies", ManagedPolicyRef(name, where, aws_managed=":iam::aws:policy/" in name))


def _roles_named(ctx: Context, value: Any, where: Location) -> list[Draft]:
    """The role a ``role`` / ``roles`` argument names: a reference to an aws_iam_role, or a name."""
    out: list[Draft] = []
    for item in as_list(value):
        target = ctx.target(item, "aws_iam_role")
        if target is not None:
            out.append(ctx.roles[target.address])
            continue
        name = text(item)
        if name:
            found = next((r for r in ctx.roles.values() if r.get("name") == name), None)
            out.append(found or ctx.roles[external_role(ctx, Value.of(name, where), where)])
    return out


def link_policies(ctx: Context) -> None:
    for inst in ctx.of_type("aws_iam_role_policy"):
        name = text(inst.attr("name")) or inst.name
        stmts = policy_statements(ctx, inst.attr("policy"), name, ctx.loc(inst, "policy"))
        for role in _roles_named(ctx, inst.attr("role"), ctx.loc(inst, "role")):
            role.append("statements", *stmts)
    for inst in ctx.of_type("aws_iam_role_policy_attachment"):
        for role in _roles_named(ctx, inst.attr("role"), ctx.loc(inst, "role")):
            attach(ctx, role, inst.attr("policy_arn"), ctx.loc(inst, "policy_arn"))
    for inst in ctx.of_type("aws_iam_policy_attachment"):
        for role in _roles_named(ctx, inst.attr("roles"), ctx.loc(inst, "roles")):
            attach(ctx, role, inst.attr("policy_arn"), ctx.loc(inst, "policy_arn"))


def role_of_function(ctx: Context, value: Any, where: Location) -> str | None:
    target = ctx.target(value, "aws_iam_role")
    if target is not None:
        return target.address
    if isinstance(value, Ref) and value.address.startswith("data.aws_iam_role"):
        return external_role(ctx, ctx.value(value, where), where)
    if value is None:
        return None
    return external_role(ctx, ctx.value(value, where), where)
