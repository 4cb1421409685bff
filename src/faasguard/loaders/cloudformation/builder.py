"""Template -> model: resources are read in dependency order (APIs and roles before the functions
whose events need them, links such as Permissions and event source mappings last), as drafts,
then frozen into a :class:`TemplateModel`."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from faasguard.loaders.cloudformation.context import BuildContext, TemplateModel, describe
from faasguard.loaders.cloudformation.drafts import Draft
from faasguard.loaders.cloudformation.intrinsics import intrinsic_name
from faasguard.loaders.document import line_of
from faasguard.loaders.trust import source_trust
from faasguard.model import (
    Api,
    Authorizer,
    ErrorKind,
    Function,
    Location,
    Permission,
    Resource,
    Role,
    Suppression,
    Trigger,
    TriggerKind,
    Trust,
)

log = logging.getLogger(__name__)

Handler = Callable[["Builder", str, Mapping[str, Any], Mapping[str, Any]], None]

# Resource types read in each phase; a type's handler is registered by the module that knows it.
PHASES: tuple[dict[str, Handler], ...] = ({}, {}, {}, {})
DEFINE_APIS, DEFINE, FUNCTIONS, LINKS = range(4)


def handles(phase: int, *types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for t in types:
            PHASES[phase][t] = fn
        return fn
    return register


class Builder:
    """Drafts of everything one template defines, keyed by logical id."""

    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.functions: dict[str, Draft[Function]] = {}
        self.roles: dict[str, Draft[Role]] = {}
        self.apis: dict[str, Draft[Api]] = {}
        self.resources: dict[str, Draft[Resource]] = {}
        self.permissions: list[Permission] = []
        self.suppressions: list[Suppression] = []
        self.managed_policies: dict[str, list[Any]] = {}  # logical id -> Statements (iam.py)
        self.api_stages: dict[str, str] = {}  # stage logical id -> api logical id
        self.authorizers: dict[str, Authorizer] = {}  # AWS::ApiGateway(V2)::Authorizer logical ids
        self.validators: set[str] = set()  # AWS::ApiGateway::RequestValidator logical ids
        # Lambda authorizers: (function reference node, line, api id, authorizer name)
        self.authorizer_functions: list[tuple[Any, Location, str | None, str]] = []
        self.sam_globals: dict[str, Mapping[str, Any]] = {}
        self.types: dict[str, str] = {}  # logical id -> resource Type (deployed resources only)
        self.self_contained = True  # no nested stacks that could attach WAF / policies elsewhere

    # ---- lookups ----------------------------------------------------------------------------

    def function(self, logical_id: str | None) -> Draft[Function] | None:
        """The draft of the function ``logical_id`` names (own or serverless-aliased)."""
        if logical_id is None:
            return None
        if logical_id.endswith((".Alias", ".Version")):  # SAM: !Ref MyFunction.Alias
            logical_id = logical_id.rsplit(".", 1)[0]
        fid = self.ctx.aliases.get(logical_id, logical_id)
        if fid in self.functions:
            return self.functions[fid]
        if logical_id in self.ctx.aliases or fid in self.ctx.aliases.values():
            draft: Draft[Function] = Draft(Function, {"id": fid}, external=True)
            self.functions[fid] = draft
            return draft
        return None

    def function_by_reference(self, node: Any) -> Draft[Function] | None:
        """The function a FunctionName / Arn / URI setting points at: a Ref/GetAtt/Sub to a
        function's logical id, or a literal name or ARN ending with a function's name."""
        from faasguard.loaders.cloudformation.intrinsics import referenced_ids

        for rid in referenced_ids(node):
            found = self.function(rid)
            if found is not None:
                return found
        text = self.ctx.text(node)
        if text:
            # a name, a function ARN (with a qualifier), or an integration URI embedding the ARN
            name = re.split(r"[:/]", text.split(":function:", 1)[1])[0] if ":function:" in text else text
            for draft in self.functions.values():
                if not draft.external and (draft.get("name") == name or draft.id == name):
                    return draft
        return None

    def api_of(self, logical_id: str | None) -> Draft[Api] | None:
        if logical_id is None:
            return None
        if logical_id in self.apis:
            return self.apis[logical_id]
        stage_api = self.api_stages.get(logical_id)
        return self.apis.get(stage_api) if stage_api else None

    # ---- build ------------------------------------------------------------------------------

    def build(self) -> TemplateModel:
        ctx = self.ctx
        entries: list[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = []
        if ctx.template.get("Globals") is not None and not isinstance(ctx.template["Globals"], Mapping):
            ctx.error(f"Globals should be a mapping, not {describe(ctx.template['Globals'])}; ignored",
                      ctx.key_loc(ctx.template, "Globals"))
        if ctx.template.get("Resources") is not None and not isinstance(ctx.template["Resources"], Mapping):
            ctx.error(f"Resources should be a mapping, not {describe(ctx.template['Resources'])}; nothing loaded",
                      ctx.key_loc(ctx.template, "Resources"))
        for logical_id, body in ctx.resources.items():
            if not isinstance(logical_id, str):
                continue
            if logical_id.startswith("Fn::ForEach::"):
                ctx.error(f"{logical_id}: Fn::ForEach loops (AWS::LanguageExtensions) are not expanded; the "
                          "resources they generate were not scanned", ctx.resource_loc(logical_id),
                          ErrorKind.UNSUPPORTED)
                continue
            if not isinstance(body, Mapping):
                ctx.error(f"resource {logical_id} should be a mapping, not {describe(body)}",
                          ctx.resource_loc(logical_id))
                continue
            rtype = body.get("Type")
            if not isinstance(rtype, str):
                ctx.error(f"resource {logical_id} has no Type", ctx.resource_loc(logical_id))
                continue
            if "Condition" in body and ctx.resolver.condition(body["Condition"]) is False:
                continue  # not deployed with the parameter defaults
            props = body.get("Properties")
            if props is None:
                props = {}
            elif intrinsic_name(props) == "Fn::If":  # whole Properties chosen by a condition
                chosen = ctx.evaluate(props)
                props = chosen if isinstance(chosen, Mapping) else {}
            if not isinstance(props, Mapping):
                ctx.error(f"Properties of {logical_id} should be a mapping, not {describe(props)}",
                          ctx.key_loc(body, "Properties"))
                continue
            self.types[logical_id] = rtype
            if rtype in ("AWS::CloudFormation::Stack", "AWS::Serverless::Application"):
                self.self_contained = False
            entries.append((logical_id, body, props))
            try:
                self._suppressions(logical_id, body)
            except Exception as exc:
                log.debug("faasguard metadata of %s", logical_id, exc_info=True)
                ctx.error(f"could not read Metadata.faasguard of {logical_id}: {type(exc).__name__}: {exc}",
                          ctx.resource_loc(logical_id), ErrorKind.INTERNAL)
        for phase in PHASES:
            for logical_id, body, props in entries:
                handler = phase.get(str(body["Type"]))
                if handler is None:
                    continue
                try:
                    handler(self, logical_id, body, props)
                except Exception as exc:  # a bug of ours must not lose the rest of the template
                    log.debug("cloudformation handler failed on %s", logical_id, exc_info=True)
                    ctx.error(f"could not read {logical_id} ({body['Type']}): {type(exc).__name__}: {exc}",
                              ctx.resource_loc(logical_id), ErrorKind.INTERNAL)
        from faasguard.loaders.cloudformation import finalize

        try:
            finalize.complete(self)
        except Exception as exc:  # keep what was built; say what was not linked
            log.debug("cloudformation finalize failed", exc_info=True)
            ctx.error(f"could not link APIs, log groups and roles: {type(exc).__name__}: {exc}", None,
                      ErrorKind.INTERNAL)
        return self._freeze()

    def _suppressions(self, logical_id: str, body: Mapping[str, Any]) -> None:
        meta = body.get("Metadata")
        if not isinstance(meta, Mapping):
            return
        fg = meta.get("faasguard")
        if fg is None:
            return
        if not isinstance(fg, Mapping):
            self.ctx.error(f"Metadata.faasguard of {logical_id} should be a mapping",
                           self.ctx.key_loc(meta, "faasguard"))
            return
        skips = fg.get("skip", [])
        if isinstance(skips, Mapping):
            skips = [skips]
        if not isinstance(skips, list):
            self.ctx.error(f"Metadata.faasguard.skip of {logical_id} should be a list", self.ctx.key_loc(fg, "skip"))
            return
        scope = self.ctx.function_id(logical_id) or logical_id
        for item in skips:
            node: Any = item
            if isinstance(item, str):
                rule_id, reason = item, ""
            elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
                rule_id, reason = item["id"], str(item.get("reason", "") or "")
            else:
                self.ctx.error(f"Metadata.faasguard.skip of {logical_id}: each entry needs an id",
                               item if line_of(item) else self.ctx.key_loc(fg, "skip"))
                continue
            self.suppressions.append(Suppression(rule_id.strip(), scope, reason,
                                                 self.ctx.loc(node, "Resources", logical_id, "Metadata")))

    def _freeze(self) -> TemplateModel:
        model = TemplateModel(errors=list(self.ctx.errors), suppressions=list(self.suppressions),
                              permissions=list(self.permissions))
        public_sources = {rid for rid, r in self.resources.items() if r.get("public")}
        for draft in self.functions.values():
            triggers = [_with_source_trust(t, public_sources) for t in draft.get("triggers", [])]
            if draft.external:
                extra = {k: v for k, v in draft.fields.items() if k not in ("id", "triggers")}
                if triggers:
                    model.external_triggers[draft.id] = triggers
                if extra:
                    model.external_settings[draft.id] = extra
                if draft.locations:
                    model.external_locations[draft.id] = dict(draft.locations)
                continue
            draft.fields["triggers"] = triggers
            model.functions.append(draft.freeze())
        model.roles = [r.freeze() for r in self.roles.values()]
        model.apis = [a.freeze() for a in self.apis.values()]
        model.extra_files = [a.extra["definition_doc"].path for a in self.apis.values() if "definition_doc" in a.extra]
        model.resources = [r.freeze() for r in self.resources.values()]
        return model


def _with_source_trust(trigger: Trigger, public_sources: set[str]) -> Trigger:
    """Events from a bucket/queue/topic anyone can write to are public."""
    if trigger.source_id in public_sources and trigger.kind in (
            TriggerKind.S3, TriggerKind.SQS, TriggerKind.SNS) and trigger.trust is not Trust.PUBLIC:
        return replace(trigger, trust=source_trust(trigger.kind, True))
    return trigger
