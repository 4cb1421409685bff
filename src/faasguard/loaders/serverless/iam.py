"""Execution roles of a service: the provider's shared role, external roles, roles defined in
``resources``, and per-function roles (serverless-iam-roles-per-function)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from faasguard.loaders.serverless.context import DEFAULT_ROLE_ID, SlsContext, per_function_role_id, sub
from faasguard.model import Location, ManagedPolicyRef, Role, Statement, Value, ValueKind


@dataclass
class RoleDraft:
    """A role being assembled; ``functions`` grows as functions are assigned to it."""

    id: str
    location: Location
    name: str = ""
    statements: list[Statement] = field(default_factory=list)
    managed: list[ManagedPolicyRef] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    function_set: set[str] = field(default_factory=set)
    external: bool = False
    arn: Value | None = None
    boundary: Value | None = None
    defined_in_resources: bool = False

    def freeze(self) -> Role:
        return Role(self.id, self.location, self.name, tuple(self.statements), tuple(self.managed), (),
                    tuple(self.functions), self.external, self.arn, self.boundary, "serverless")


def parse_statements(ctx: SlsContext, node: Any, what: str, owner: Any, policy_name: str) -> list[Statement]:
    out: list[Statement] = []
    if isinstance(node, Value):
        ctx.error(f"{what} could not be resolved ({node.raw or node.ref}); its statements are unknown",
                  owner, location=node.location)
        return out
    if isinstance(node, Mapping) and "Statement" in node:  # a whole policy document
        node = node.get("Statement")
    if isinstance(node, Mapping) and "Effect" in node:  # a lone statement (CloudFormation accepts that)
        ctx.error(f"{what} should be a list of statements", node)
        node = [node]
    for stmt in ctx.sequence(node, what, owner):
        if isinstance(stmt, list):  # ${file()} lists spliced into a list
            out.extend(parse_statements(ctx, stmt, what, owner, policy_name))
            continue
        if not isinstance(stmt, Mapping):
            ctx.error(f"{what}: a statement should be a mapping, not {type(stmt).__name__}", stmt or owner)
            continue
        loc = ctx.loc_or(stmt, ctx.loc(owner))
        effect = ctx.text(stmt.get("Effect")) or ""
        if effect.lower() not in ("allow", "deny"):
            ctx.error(f"{what}: statement Effect should be Allow or Deny, not {effect or 'empty'!r}", stmt)
        condition = ctx.evaluate(stmt.get("Condition"))
        out.append(Statement(
            effect=effect or "Allow", location=loc,
            actions=_actions(ctx, stmt.get("Action")), not_actions=_actions(ctx, stmt.get("NotAction")),
            resources=_resources(ctx, stmt.get("Resource"), loc),
            not_resources=_resources(ctx, stmt.get("NotResource"), loc),
            conditions=condition if isinstance(condition, Mapping) else {},
            sid=ctx.text(stmt.get("Sid")) or "", policy_name=policy_name))
    return out


def _actions(ctx: SlsContext, node: Any) -> tuple[str, ...]:
    if node is None:
        return ()
    items = node if isinstance(node, list) else [node]
    out = []
    for item in items:
        text = ctx.text(item)
        out.append(text if text is not None else str(ctx.value(item)))
    return tuple(out)


def _resources(ctx: SlsContext, node: Any, loc: Location) -> tuple[Value, ...]:
    if node is None:
        return ()
    evaluated = ctx.evaluate(node)
    items = evaluated if isinstance(evaluated, list) else [node]
    raw_items = node if isinstance(node, list) else None
    out = []
    for i, item in enumerate(items):
        raw = raw_items[i] if raw_items is not None and i < len(raw_items) else item
        out.append(ctx.value(raw, ctx.loc_or(raw, loc)))
    return tuple(out)


def parse_managed(ctx: SlsContext, node: Any, what: str, owner: Any) -> list[ManagedPolicyRef]:
    out: list[ManagedPolicyRef] = []
    for item in ctx.sequence(node, what, owner):
        loc = ctx.loc_or(item, ctx.loc(owner))
        value = ctx.value(item, loc)
        text = value.text()
        if text is not None:
            aws_managed = ":iam::aws:policy/" in text or not text.startswith("arn:")
            out.append(ManagedPolicyRef(text, loc, aws_managed))
        elif value.kind is ValueKind.RESOURCE_ATTRIBUTE and value.ref:
            out.append(ManagedPolicyRef(value.ref, loc, False))
        else:
            raw = value.raw or value.ref
            out.append(ManagedPolicyRef(raw, loc, ":iam::aws:policy/" in raw))
    return out


class RoleBuilder:
    """Assigns each function a role and collects the roles' drafts."""

    def __init__(self, ctx: SlsContext) -> None:
        self.ctx = ctx
        self.drafts: dict[str, RoleDraft] = {}
        provider = ctx.provider
        iam = sub(provider, "iam")
        role_node = iam.get("role") if "role" in iam else provider.get("role")
        self.provider_role_ref: str | None = None  # a role id when provider.iam.role names a role
        self._role_config: Mapping[str, Any] = {}
        if (role_node is not None and not isinstance(role_node, Mapping)) or _is_intrinsic(role_node):
            where = iam if "role" in iam else provider
            self.provider_role_ref = self.reference(role_node, ctx.key_loc(where, "role"))
        elif isinstance(role_node, Mapping):
            self._role_config = role_node
        self._iam = iam

    # ---- role references ------------------------------------------------------------------------

    def reference(self, node: Any, loc: Location) -> str:
        """The id of the role ``node`` names (a resource's logical id, an ARN, or a name)."""
        ctx = self.ctx
        target = ctx.ref_target(node)
        if target is None and isinstance(node, str) and node in ctx.resources:
            target = node
        if target is not None and _is_role_resource(ctx.resources.get(target)):
            if target not in self.drafts:
                self.drafts[target] = RoleDraft(target, ctx.key_loc(ctx.resources, target),
                                                defined_in_resources=True)
            return target
        value = ctx.value(node, loc)
        text = value.text()
        if text is not None and not text.startswith("arn:"):
            by_name = self._resource_role_by_name(text)
            if by_name is not None:
                return self.reference(by_name, loc)
        role_id = text if text is not None else (value.raw or value.ref or "external-role")
        if role_id not in self.drafts:
            name = role_id.rsplit("/", 1)[-1] if text is not None else ""
            self.drafts[role_id] = RoleDraft(role_id, loc, name=name, external=True,
                                             arn=value if text is None or text.startswith("arn:") else None)
        return role_id

    def _resource_role_by_name(self, name: str) -> str | None:
        for logical_id, res in self.ctx.resources.items():
            if _is_role_resource(res):
                props = res.get("Properties")
                if isinstance(props, Mapping) and self.ctx.text(props.get("RoleName")) == name:
                    return str(logical_id)
        return None

    # ---- the provider's shared role ---------------------------------------------------------

    def default_role(self) -> RoleDraft:
        if DEFAULT_ROLE_ID in self.drafts:
            return self.drafts[DEFAULT_ROLE_ID]
        ctx = self.ctx
        provider = ctx.provider
        cfg = self._role_config
        iam = self._iam
        if iam and "role" in iam:
            loc = ctx.key_loc(iam, "role")
        elif "iamRoleStatements" in provider:
            loc = ctx.key_loc(provider, "iamRoleStatements")
        elif "iam" in provider:
            loc = ctx.key_loc(provider, "iam")
        else:
            loc = ctx.key_loc(ctx.config, "provider")
        name = ctx.text(cfg.get("name")) or f"{ctx.service}-{ctx.stage}-{ctx.region}-lambdaRole"
        draft = RoleDraft(DEFAULT_ROLE_ID, loc, name=name)
        draft.statements += parse_statements(ctx, provider.get("iamRoleStatements"), "provider.iamRoleStatements",
                                             provider, DEFAULT_ROLE_ID)
        draft.statements += parse_statements(ctx, cfg.get("statements"), "provider.iam.role.statements", cfg,
                                             DEFAULT_ROLE_ID)
        draft.managed += parse_managed(ctx, provider.get("iamManagedPolicies"), "provider.iamManagedPolicies",
                                       provider)
        draft.managed += parse_managed(ctx, cfg.get("managedPolicies"), "provider.iam.role.managedPolicies", cfg)
        boundary = cfg.get("permissionsBoundary", provider.get("rolePermissionsBoundary"))
        if boundary is not None:
            draft.boundary = ctx.value(boundary)
        self._apply_extension(draft)
        self.drafts[DEFAULT_ROLE_ID] = draft
        return draft

    def _apply_extension(self, draft: RoleDraft) -> None:
        """``resources.extensions.IamRoleLambdaExecution`` (or a Type-less override in Resources)."""
        ctx = self.ctx
        resources = ctx.config.get("resources")
        candidates = []
        for part in resources if isinstance(resources, list) else [resources]:
            if isinstance(part, Mapping):
                ext = part.get("extensions")
                if isinstance(ext, Mapping) and isinstance(ext.get(DEFAULT_ROLE_ID), Mapping):
                    candidates.append(ext[DEFAULT_ROLE_ID])
        override = ctx.resources.get(DEFAULT_ROLE_ID)
        if isinstance(override, Mapping) and "Type" not in override:
            candidates.append(override)
        for ext in candidates:
            props = ext.get("Properties")
            if not isinstance(props, Mapping):
                continue
            for policy in ctx.sequence(props.get("Policies"), "IamRoleLambdaExecution Policies", ext):
                if isinstance(policy, Mapping):
                    pname = ctx.text(policy.get("PolicyName")) or DEFAULT_ROLE_ID
                    draft.statements += parse_statements(ctx, policy.get("PolicyDocument"), "Policies", policy,
                                                         pname)
            draft.managed += parse_managed(ctx, props.get("ManagedPolicyArns"), "ManagedPolicyArns", props)
            if props.get("PermissionsBoundary") is not None:
                draft.boundary = ctx.value(props.get("PermissionsBoundary"))

    # ---- functions --------------------------------------------------------------------------

    def assign(self, fn_key: str, fn: Mapping[str, Any], fn_loc: Location) -> str:
        """The role id of function ``fn_key`` (and record the function on that role)."""
        ctx = self.ctx
        role_id: str
        if fn.get("role") is not None:
            role_id = self.reference(fn["role"], ctx.key_loc(fn, "role"))
        elif fn.get("iamRoleStatements") is not None or fn.get("iamManagedPolicies") is not None:
            role_id = self._per_function_role(fn_key, fn, fn_loc)
        elif self.provider_role_ref is not None:
            role_id = self.provider_role_ref
        else:
            role_id = self.default_role().id
        draft = self.drafts[role_id]
        if fn_key not in draft.function_set:
            draft.function_set.add(fn_key)
            draft.functions.append(fn_key)
        return role_id

    def _per_function_role(self, fn_key: str, fn: Mapping[str, Any], fn_loc: Location) -> str:
        ctx = self.ctx
        role_id = per_function_role_id(fn_key)
        key = "iamRoleStatements" if "iamRoleStatements" in fn else "iamManagedPolicies"
        name = ctx.text(fn.get("iamRoleStatementsName")) \
            or f"{ctx.service}-{ctx.stage}-{fn_key}-{ctx.region}-lambdaRole"
        draft = RoleDraft(role_id, ctx.key_loc(fn, key), name=name)
        draft.statements += parse_statements(ctx, fn.get("iamRoleStatements"),
                                             f"functions.{fn_key}.iamRoleStatements", fn, role_id)
        draft.managed += parse_managed(ctx, fn.get("iamManagedPolicies"), f"functions.{fn_key}.iamManagedPolicies",
                                       fn)
        plugin_cfg = ctx.custom.get("serverless-iam-roles-per-function")
        inherit = ctx.boolean(fn.get("iamRoleStatementsInherit"))
        if inherit is None and isinstance(plugin_cfg, Mapping):
            inherit = ctx.boolean(plugin_cfg.get("defaultInherit"))
        if inherit:
            base = self._inherited()
            draft.statements = base.statements + draft.statements
            draft.managed = base.managed + draft.managed
            draft.boundary = base.boundary
        self.drafts[role_id] = draft
        return role_id

    def _inherited(self) -> RoleDraft:
        """The provider statements, without creating the shared role if no function uses it."""
        had = DEFAULT_ROLE_ID in self.drafts
        draft = self.default_role()
        if not had:
            del self.drafts[DEFAULT_ROLE_ID]
        return draft

    def roles(self) -> list[RoleDraft]:
        return list(self.drafts.values())


def _is_intrinsic(node: Any) -> bool:
    return isinstance(node, Mapping) and len(node) == 1 and str(next(iter(node))).startswith(("Fn::", "Ref"))


def _is_role_resource(res: Any) -> bool:
    return isinstance(res, Mapping) and res.get("Type") == "AWS::IAM::Role"
