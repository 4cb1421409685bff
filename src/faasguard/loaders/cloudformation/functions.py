"""AWS::Serverless::Function and AWS::Lambda::Function -> Function drafts (with their roles)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from faasguard.loaders.cloudformation.builder import FUNCTIONS, handles
from faasguard.loaders.cloudformation.context import describe
from faasguard.loaders.cloudformation.drafts import Draft
from faasguard.loaders.cloudformation.iam import (
    BASIC_EXECUTION,
    VPC_EXECUTION,
    XRAY_WRITE,
    external_role,
    role_draft,
)
from faasguard.loaders.cloudformation.intrinsics import NO_VALUE, intrinsic_name
from faasguard.loaders.cloudformation.sam_globals import globals_for, merged_properties
from faasguard.loaders.cloudformation.sam_policies import read_policies
from faasguard.loaders.document import line_of
from faasguard.loaders.trust import http_trust
from faasguard.model import (
    Authorizer,
    AuthorizerKind,
    Cors,
    Function,
    FunctionUrl,
    Location,
    ManagedPolicyRef,
    PackageType,
    Statement,
    Trigger,
    TriggerKind,
    Value,
    ValueKind,
    VpcConfig,
)

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder
    from faasguard.loaders.cloudformation.context import BuildContext


class Settings:
    """Where each property of a function is written: the resource, or SAM Globals."""

    def __init__(self, ctx: BuildContext, logical_id: str, props: Mapping[str, Any],
                 origin: Mapping[str, Mapping[str, Any]] | None = None, globals_section: str = "Function",
                 global_props: Mapping[str, Any] | None = None, local_props: Mapping[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.globals = global_props
        self.local = local_props  # the resource's own Properties, before Globals were merged in
        self.logical_id = logical_id
        self.props = props
        self.origin = origin or {}
        self.globals_section = globals_section

    def pointer(self, key: str) -> tuple[str | int, ...]:
        owner = self.origin.get(key)
        if owner is not None and owner is self.globals:
            return ("Globals", self.globals_section, key)
        return ("Resources", self.logical_id, "Properties", key)

    def loc(self, key: str) -> Location:
        owner = self.origin.get(key, self.props)
        return self.ctx.key_loc(owner, key, *self.pointer(key))

    def get(self, key: str) -> Any:
        return self.props.get(key)

    def mapping(self, key: str, what: str | None = None) -> Mapping[str, Any] | None:
        """Property ``key`` as a mapping; a wrong type is an error on the key's line."""
        return self.ctx.mapping(self.props.get(key), what or f"{key} of {self.logical_id}", line=self.loc(key).line)

    def integer(self, key: str) -> int | None:
        return self.ctx.integer(self.props.get(key), f"{key} of {self.logical_id}", line=self.loc(key).line)

    def __contains__(self, key: str) -> bool:
        value = self.props.get(key)
        if value is None:
            return False
        # only an intrinsic can evaluate to AWS::NoValue; evaluating every value would be wasted work
        return intrinsic_name(value) not in ("Fn::If", "Ref") or self.ctx.evaluate(value) is not NO_VALUE


def code_path(ctx: BuildContext, uri: str) -> str | None:
    """A local code directory/file relative to the scan root (never outside it), when it exists."""
    if not uri or "://" in uri or uri.startswith("arn:"):
        return None
    path = posixpath.normpath(posixpath.join(str(ctx.template_dir), uri))
    if path == ".." or path.startswith("../") or posixpath.isabs(path):
        return None
    full = ctx.root / path
    try:  # a symbolic link must not lead the code analyzers outside the scan root
        if not full.exists() or not full.resolve().is_relative_to(ctx.root.resolve()):
            return None
    except OSError:
        return None
    return path


def environment(ctx: BuildContext, s: Settings, draft: Draft[Function]) -> None:
    if "Environment" not in s:
        return
    env = s.mapping("Environment")
    if env is None:
        return
    draft.locations["environment"] = s.loc("Environment")
    variables = ctx.mapping(env.get("Variables"), f"Environment.Variables of {s.logical_id}", env)
    if variables is None:
        return
    values: dict[str, Value] = {}
    local_env = s.local.get("Environment") if s.local is not None else None
    local_vars = local_env.get("Variables") if isinstance(local_env, Mapping) else None
    for name, node in variables.items():
        # a variable only the Globals define is edited in Globals
        from_globals = s.globals is not None and not (isinstance(local_vars, Mapping) and name in local_vars)
        pointer = ("Globals", s.globals_section, "Environment") if from_globals else \
            ("Resources", s.logical_id, "Properties", "Environment")
        where = ctx.key_loc(variables, str(name), *pointer, "Variables", str(name))
        if not where.line:
            where = draft.locations["environment"]
        value = ctx.value(node, where)
        if value.is_literal and value.literal is None and ctx.evaluate(node) is NO_VALUE:
            continue
        values[str(name)] = value
        draft.locations[f"environment.{name}"] = where
    draft.set("environment", values)


def vpc(ctx: BuildContext, s: Settings, draft: Draft[Function]) -> None:
    if "VpcConfig" not in s:
        return
    cfg = s.mapping("VpcConfig")
    if cfg is None:
        return
    where = s.loc("VpcConfig")

    def values(key: str) -> tuple[Value, ...]:
        data = ctx.evaluate(cfg.get(key, []))
        items = data if isinstance(data, list) else [data]
        return tuple(ctx.resolver.to_value(d) for d in items if d is not NO_VALUE)

    subnets, groups = values("SubnetIds"), values("SecurityGroupIds")
    if subnets or groups:
        draft.set("vpc", VpcConfig(subnets, groups, where), where)


def cors(ctx: BuildContext, node: Any, where: Location) -> Cors | None:
    """Function URL / HTTP API CORS (AllowOrigins, AllowCredentials ...)."""
    cfg = ctx.evaluate(node)
    if cfg is True:
        return Cors(allow_origins=("*",), location=where)
    if not isinstance(cfg, Mapping):
        return None

    def texts(*keys: str) -> tuple[str, ...]:
        for key in keys:
            if key in cfg:
                data = cfg[key]
                items = data if isinstance(data, list) else [data]
                return tuple(str(x) for x in items if x is not None)
        return ()

    creds = cfg.get("AllowCredentials")
    return Cors(allow_origins=texts("AllowOrigins", "AllowOrigin"),
                allow_credentials=creds if isinstance(creds, bool) else ctx.boolean(creds),
                allow_headers=texts("AllowHeaders", "AllowHeader"), allow_methods=texts("AllowMethods", "AllowMethod"),
                location=where)


def function_url(b: Builder, draft: Draft[Function], cfg_node: Any, cfg_location: Location,
                 pointer: tuple[str | int, ...]) -> None:
    """FunctionUrlConfig / AWS::Lambda::Url -> Function.url and a FUNCTION_URL trigger."""
    ctx = b.ctx
    cfg = ctx.mapping(cfg_node, "FunctionUrlConfig", line=cfg_location.line)
    if cfg is None:
        return
    auth = ctx.text(cfg.get("AuthType"))
    where = ctx.key_loc(cfg, "AuthType", *pointer, "AuthType") if "AuthType" in cfg else cfg_location
    if not where.line:
        where = cfg_location
    auth_type = (auth or "UNKNOWN").upper()
    url_cors = cors(ctx, cfg.get("Cors"), ctx.key_loc(cfg, "Cors", *pointer, "Cors")) if "Cors" in cfg else None
    draft.set("url", FunctionUrl(auth_type, where, url_cors, ctx.text(cfg.get("InvokeMode"))), where)
    authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", where) if auth_type == "AWS_IAM" else None
    trust = http_trust(authorizer)
    if auth is None:  # an intrinsic we could not decide: neither call it public nor safe
        trust = http_trust(Authorizer(AuthorizerKind.OTHER, "unresolved", where))
    draft.append("triggers", Trigger(TriggerKind.FUNCTION_URL, trust, where, authorizer=authorizer, cors=url_cors,
                                     properties={"auth_type": auth_type}))


def common(b: Builder, draft: Draft[Function], s: Settings) -> None:
    """Settings spelled the same way in SAM and in CloudFormation."""
    ctx = b.ctx
    for key, field in (("Runtime", "runtime"), ("Handler", "handler")):
        if key in s:
            text = ctx.text(s.get(key))
            if text is not None:
                draft.set(field, text, s.loc(key))
            else:
                draft.locations[field] = s.loc(key)
                if isinstance(ctx.evaluate(s.get(key)), (list, Mapping)):
                    ctx.error(f"{key} of {s.logical_id} should be a string, not {describe(s.get(key))}",
                              s.loc(key))
    for key, field in (("MemorySize", "memory"), ("Timeout", "timeout"),
                       ("ReservedConcurrentExecutions", "reserved_concurrency")):
        if key in s:
            draft.set(field, s.integer(key), s.loc(key))
    if "PackageType" in s and (ctx.text(s.get("PackageType")) or "").lower() == "image":
        draft.set("package_type", PackageType.IMAGE, s.loc("PackageType"))
    if "Architectures" in s:
        archs = ctx.evaluate(s.get("Architectures"))
        items = archs if isinstance(archs, list) else [archs]
        draft.set("architectures", [str(a) for a in items if isinstance(a, str)], s.loc("Architectures"))
    environment(ctx, s, draft)
    vpc(ctx, s, draft)
    for key, field in (("KmsKeyArn", "kms_key"), ("CodeSigningConfigArn", "code_signing")):
        if key in s:
            draft.set(field, ctx.value(s.get(key), s.loc(key)), s.loc(key))
    if "Layers" in s:
        # each layer keeps its own line: a rule about one layer points at that list item
        raw = s.get("Layers")
        values: list[Value] = []
        for item in (raw if isinstance(raw, list) else [raw]):
            evaluated = ctx.evaluate(item)
            where = ctx.loc(item) if line_of(item) else s.loc("Layers")
            for x in (evaluated if isinstance(evaluated, list) else [evaluated]):
                if x is not NO_VALUE:
                    values.append(ctx.resolver.to_value(x, where))
        draft.set("layers", values, s.loc("Layers"))
    if "LoggingConfig" in s:
        logging_cfg = s.mapping("LoggingConfig")
        if logging_cfg is not None and "LogGroup" in logging_cfg:
            target = ctx.ref_target(logging_cfg["LogGroup"])
            draft.extra["log_group_name"] = ctx.value(logging_cfg["LogGroup"])
            if target is not None:
                draft.set("log_group_id", target, s.loc("LoggingConfig"))
    tags = ctx.evaluate(s.get("Tags")) if "Tags" in s else None
    if isinstance(tags, Mapping):
        draft.set("tags", {str(k): str(v) for k, v in tags.items()})
    elif isinstance(tags, list):
        draft.set("tags", {str(t.get("Key")): str(t.get("Value")) for t in tags if isinstance(t, Mapping)})


def role_setting(b: Builder, draft: Draft[Function], s: Settings) -> bool:
    """``Role``: a role of this template (``!GetAtt R.Arn``) or an external ARN. True if set."""
    ctx = b.ctx
    if "Role" not in s:
        return False
    node = s.get("Role")
    where = s.loc("Role")
    target = ctx.ref_target(node)
    if target is not None:
        if target not in b.roles:
            role_draft(b, target, ctx.resource_loc(target) if target in ctx.resources else where)
        draft.set("role_id", target, where)
        return True
    value = ctx.value(node, where)
    draft.set("role_id", external_role(b, value, where), where)
    return True


def _new_draft(b: Builder, logical_id: str, props: Mapping[str, Any]) -> Draft[Function]:
    ctx = b.ctx
    name = ctx.text(props.get("FunctionName")) or logical_id
    draft: Draft[Function] = Draft(Function, {"id": ctx.function_id(logical_id), "name": name,
                                              "location": ctx.resource_loc(logical_id),
                                              "source_kind": ctx.source_kind, "triggers": []})
    b.functions[draft.id] = draft
    return draft


@handles(FUNCTIONS, "AWS::Serverless::Function")
def sam_function(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    from faasguard.loaders.cloudformation.sam_events import read_events

    ctx = b.ctx
    global_props = globals_for(ctx.template, "Function")
    merged, origin = merged_properties(global_props, props)
    s = Settings(ctx, logical_id, merged, origin, "Function", global_props, props)
    draft = _new_draft(b, logical_id, merged)
    common(b, draft, s)
    # code
    if "ImageUri" in s or (draft.get("package_type") is PackageType.IMAGE):
        draft.set("package_type", PackageType.IMAGE, s.loc("PackageType") if "PackageType" in s else None)
        meta = body.get("Metadata")
        if isinstance(meta, Mapping) and isinstance(meta.get("DockerContext"), str):
            path = code_path(ctx, meta["DockerContext"])
            if path:
                draft.set("code_path", path, ctx.key_loc(meta, "DockerContext"))
    elif "InlineCode" in s:
        draft.locations["code_path"] = s.loc("InlineCode")
    elif "CodeUri" in s:
        uri = ctx.evaluate(s.get("CodeUri"))
        if isinstance(uri, str):
            path = code_path(ctx, uri)
            if path:
                draft.set("code_path", path, s.loc("CodeUri"))
    if "Tracing" in s:
        draft.set("tracing", ctx.text(s.get("Tracing")), s.loc("Tracing"))
    if "DeadLetterQueue" in s:
        dlq = s.mapping("DeadLetterQueue")
        if dlq is not None and ctx.present(dlq, "TargetArn"):
            draft.set("dead_letter", ctx.value(dlq["TargetArn"], s.loc("DeadLetterQueue")), s.loc("DeadLetterQueue"))
    if "EventInvokeConfig" in s:
        invoke_config(b, draft, s.get("EventInvokeConfig"), s.loc("EventInvokeConfig"), logical_id)
    if "FunctionUrlConfig" in s:
        function_url(b, draft, s.get("FunctionUrlConfig"), s.loc("FunctionUrlConfig"),
                     s.pointer("FunctionUrlConfig"))
    # role: given, or the one SAM generates from Policies
    if not role_setting(b, draft, s):
        implicit_role(b, draft, s)
    if "Events" in s:
        read_events(b, draft, s)


def invoke_config(b: Builder, draft: Draft[Function], node: Any, where: Location, owner: str) -> None:
    ctx = b.ctx
    cfg = ctx.mapping(node, f"EventInvokeConfig of {owner}", line=where.line)
    if cfg is None:
        return
    dest = ctx.mapping(cfg.get("DestinationConfig"), "DestinationConfig", cfg)
    on_failure = ctx.mapping(dest.get("OnFailure"), "OnFailure", dest) if dest else None
    if on_failure is None:
        return
    if ctx.present(on_failure, "Destination"):
        value = ctx.value(on_failure["Destination"], where)
    else:  # SAM creates the queue/topic itself when only Type is given
        kind = ctx.text(on_failure.get("Type")) or "SQS"
        generated = f"{owner}EventInvokeConfigOnFailure{'Queue' if kind.upper() == 'SQS' else 'Topic'}"
        value = Value(ValueKind.RESOURCE_ATTRIBUTE, ref=generated, raw=f"${{{generated}}}", location=where)
    draft.set("on_failure", value, ctx.key_loc(dest, "OnFailure") if dest is not None else where)


def implicit_role(b: Builder, draft: Draft[Function], s: Settings) -> None:
    """The role SAM generates for a function without ``Role``: ``<FunctionId>Role`` with the
    basic execution policy, the function's Policies, and what Tracing/VPC/DLQ need."""
    ctx = b.ctx
    role_id = f"{s.logical_id}Role"
    where = draft.fields["location"]
    role = role_draft(b, role_id, where, name=role_id,
                      arn=Value(ValueKind.RESOURCE_ATTRIBUTE, ref=role_id, attribute="Arn", raw=f"${{{role_id}.Arn}}"))
    role.append("managed_policies", ManagedPolicyRef(BASIC_EXECUTION, where))
    if (draft.get("tracing") or "").lower() == "active":
        role.append("managed_policies", ManagedPolicyRef(XRAY_WRITE, draft.locations.get("tracing", where)))
    if draft.get("vpc") is not None:
        role.append("managed_policies", ManagedPolicyRef(VPC_EXECUTION, draft.locations.get("vpc", where)))
    dlq = draft.get("dead_letter")
    if isinstance(dlq, Value):
        dlq_node = ctx.mapping(s.get("DeadLetterQueue"), "DeadLetterQueue") or {}
        kind = (ctx.text(dlq_node.get("Type")) or "SQS").upper()
        action = "sns:Publish" if kind == "SNS" else "sqs:SendMessage"
        role.append("statements", Statement("Allow", draft.locations.get("dead_letter", where), actions=(action,),
                                            resources=(dlq,), policy_name="DeadLetterQueuePolicy"))
    if "Policies" in s:
        result = read_policies(b, s.get("Policies"), s.logical_id, s.pointer("Policies"), s.loc("Policies"))
        role.append("statements", *result.statements)
        role.append("managed_policies", *result.managed)
        role.append("policy_templates", *result.templates)
    if "PermissionsBoundary" in s:
        role.set("permissions_boundary", ctx.value(s.get("PermissionsBoundary"), s.loc("PermissionsBoundary")))
    draft.set("role_id", role_id)


@handles(FUNCTIONS, "AWS::Lambda::Function")
def lambda_function(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    s = Settings(ctx, logical_id, props)
    draft = _new_draft(b, logical_id, props)
    common(b, draft, s)
    if "Code" in s:
        code = ctx.evaluate(s.get("Code"))
        if isinstance(code, str):  # `aws cloudformation package` form: a local path
            path = code_path(ctx, code)
            if path:
                draft.set("code_path", path, s.loc("Code"))
        elif isinstance(code, Mapping):
            if "ImageUri" in code:
                draft.set("package_type", PackageType.IMAGE)
            draft.locations["code_path"] = s.loc("Code")
        elif not isinstance(code, Value):
            ctx.error(f"Code of {logical_id} should be a mapping or a path, not {describe(code)}", s.loc("Code"))
    if "TracingConfig" in s:
        cfg = s.mapping("TracingConfig")
        if cfg is not None and "Mode" in cfg:
            draft.set("tracing", ctx.text(cfg["Mode"]), ctx.key_loc(cfg, "Mode"))
    if "DeadLetterConfig" in s:
        cfg = s.mapping("DeadLetterConfig")
        if cfg is not None and ctx.present(cfg, "TargetArn"):
            draft.set("dead_letter", ctx.value(cfg["TargetArn"], s.loc("DeadLetterConfig")),
                      s.loc("DeadLetterConfig"))
    role_setting(b, draft, s)
