"""SAM ``Policies``: managed policy names/ARNs, SAM policy templates (expanded to statements with
samtranslator's own policy_templates.json), and inline statements / policy documents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from faasguard.loaders.cloudformation.context import describe
from faasguard.loaders.cloudformation.iam import managed_policy_ref, statements
from faasguard.loaders.cloudformation.intrinsics import intrinsic_name
from faasguard.model import ManagedPolicyRef, PolicyTemplateRef, Statement

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder


@lru_cache(maxsize=1)
def policy_templates() -> Mapping[str, Any]:
    """SAM's policy templates (``Templates`` of policy_templates.json), or {} when the
    aws-sam-translator package is missing."""
    try:
        from importlib.resources import files

        for sub in ("policy_templates_data", "policy_template_processor"):
            path = files("samtranslator") / sub / "policy_templates.json"
            if path.is_file():
                data = json.loads(path.read_text(encoding="utf-8"))
                templates = data.get("Templates", {})
                return templates if isinstance(templates, Mapping) else {}
    except (ModuleNotFoundError, OSError, ValueError):
        pass
    return {}


def _substitute(node: Any, arguments: Mapping[str, Any]) -> Any:
    """Replace ``{"Ref": Param}`` of the template's parameters with the user's argument nodes."""
    if isinstance(node, Mapping):
        if intrinsic_name(node) == "Ref" and node["Ref"] in arguments:
            return arguments[node["Ref"]]
        return {k: _substitute(v, arguments) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, arguments) for v in node]
    return node


class PolicyResult:
    def __init__(self) -> None:
        self.statements: list[Statement] = []
        self.managed: list[ManagedPolicyRef] = []
        self.templates: list[PolicyTemplateRef] = []


def read_policies(b: Builder, node: Any, owner: str, pointer: tuple[str | int, ...],
                  key_location: Any) -> PolicyResult:
    """Read a SAM ``Policies`` value (a string, a mapping, or a list of them)."""
    ctx = b.ctx
    result = PolicyResult()
    items = node if isinstance(node, list) else [node]
    templates = policy_templates()
    for i, item in enumerate(items):
        where = ctx.loc(item, *pointer, i)
        if not where.line:
            where = key_location
        if isinstance(item, str) or intrinsic_name(item) in ("Ref", "Fn::Sub", "Fn::Join", "Fn::If",
                                                            "Fn::ImportValue", "Fn::GetAtt"):
            if intrinsic_name(item) == "Fn::If":
                resolved = ctx.evaluate(item)
                if isinstance(resolved, Mapping):
                    sub = read_policies(b, resolved, owner, (*pointer, i), where)
                    result.statements += sub.statements
                    result.managed += sub.managed
                    result.templates += sub.templates
                    continue
            ref, customer = managed_policy_ref(b, item, where)
            result.managed.append(ref)
            if customer:
                result.statements.extend(b.managed_policies.get(customer, []))
            continue
        if not isinstance(item, Mapping):
            ctx.error(f"Policies of {owner}: entry {i} is {describe(item)}, not a name or a mapping", where)
            continue
        if "Statement" in item or "Effect" in item:
            result.statements.extend(statements(ctx, item, f"{owner}Policy{i}", *pointer, i))
            continue
        if len(item) == 1:
            name = str(next(iter(item)))
            if name in templates:
                args_node = item[name]
                args = args_node if isinstance(args_node, Mapping) else {}
                arguments = {str(k): ctx.value(v, ctx.key_loc(args, str(k))) for k, v in args.items()}
                result.templates.append(PolicyTemplateRef(name, arguments, where))
                definition = templates[name].get("Definition", {})
                expanded = _substitute(definition, {str(k): v for k, v in args.items()})
                for st in statements(ctx, expanded, name, *pointer, i):
                    # expanded statements have no lines of their own: they point at the template entry
                    result.statements.append(_at(st, where))
                continue
            ctx.error(f"Policies of {owner}: unknown SAM policy template {name!r}; ignored", item)
            continue
        ctx.error(f"Policies of {owner}: entry {i} is neither a policy template nor a policy document", item)
    return result


def _at(st: Statement, location: Any) -> Statement:
    from dataclasses import replace

    return replace(st, location=location)
