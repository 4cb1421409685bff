"""Registry modules modelled from their inputs, without downloading them.

terraform-aws-modules/lambda/aws (the most used Lambda module) creates one function, its role
(unless ``lambda_role`` is given), the role's policies from ``attach_*`` / ``policy_*`` inputs,
a log group, optional function URL, permissions (``allowed_triggers``) and event source
mappings. Its documented defaults are applied where an input is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faasguard.loaders.terraform.context import Context, Draft, as_list, boolean, integer, is_unset, text
from faasguard.loaders.terraform.functions import new_function
from faasguard.loaders.terraform.iam import external_role, json_statements, policy_statements, role_draft
from faasguard.loaders.terraform.module import ModuleCall
from faasguard.loaders.terraform.values import LDict, plain
from faasguard.loaders.trust import default_trust, http_trust
from faasguard.model import (
    Authorizer,
    AuthorizerKind,
    FunctionUrl,
    Location,
    ManagedPolicyRef,
    Permission,
    Statement,
    Trigger,
    TriggerKind,
    Value,
    ValueKind,
    VpcConfig,
)

LAMBDA_MODULE = "terraform-aws-modules/lambda/aws"
VPC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"


def is_lambda_module(source: str) -> bool:
    s = source.lower()
    return s.startswith(LAMBDA_MODULE) or "terraform-aws-modules/terraform-aws-lambda" in s


def model_calls(ctx: Context, calls: list[ModuleCall]) -> None:
    for call in calls:
        if is_lambda_module(call.source):
            lambda_module(ctx, call)


def _loc(call: ModuleCall, name: str | None = None) -> Location:
    line = call.line(name) if name else call.block.line
    return Location(call.block.file, line, pointer=("module", call.block.labels[0], *((name,) if name else ())))


def lambda_module(ctx: Context, call: ModuleCall) -> None:
    if boolean(call.attr("create", True)) is False or boolean(call.attr("create_function", True)) is False:
        return
    if boolean(call.attr("create_layer", False)):
        return
    address = call.address
    name = text(call.attr("function_name")) or call.block.labels[0]
    fn = new_function(ctx, address, name, _loc(call))
    fn.fields["module_call"] = call
    attrs = call.block.body.attributes
    for key, field in (("runtime", "runtime"), ("handler", "handler")):
        if key in attrs:
            fn.set(field, text(call.attr(key)), _loc(call, key))
    fn.set("timeout", integer(call.attr("timeout", 3)), _loc(call, "timeout") if "timeout" in attrs else None)
    fn.set("memory", integer(call.attr("memory_size", 128)),
           _loc(call, "memory_size") if "memory_size" in attrs else None)
    if "reserved_concurrent_executions" in attrs:
        reserved = integer(call.attr("reserved_concurrent_executions"))
        fn.set("reserved_concurrency", None if reserved is not None and reserved < 0 else reserved,
               _loc(call, "reserved_concurrent_executions"))
    if "environment_variables" in attrs:
        env = call.attr("environment_variables")
        where = _loc(call, "environment_variables")
        fn.locations["environment"] = where
        values: dict[str, Value] = {}
        if isinstance(env, Mapping):
            lines = env.key_lines if isinstance(env, LDict) else {}
            for key, value in env.items():
                at = Location(where.file, lines.get(key) or where.line, pointer=(*where.pointer, key))
                values[str(key)] = ctx.value(value, at)
                fn.locations[f"environment.{key}"] = at
        fn.set("environment", values)
    if "tracing_mode" in attrs:
        fn.set("tracing", text(call.attr("tracing_mode")), _loc(call, "tracing_mode"))
    for key, field in (("dead_letter_target_arn", "dead_letter"), ("kms_key_arn", "kms_key"),
                       ("code_signing_config_arn", "code_signing")):
        if key in attrs:
            value = ctx.value(call.attr(key), _loc(call, key))
            if not is_unset(value):
                fn.set(field, value, _loc(call, key))
    if "layers" in attrs:
        fn.set("layers", [ctx.value(v, _loc(call, "layers")) for v in as_list(call.attr("layers"))],
               _loc(call, "layers"))
    if "vpc_subnet_ids" in attrs or "vpc_security_group_ids" in attrs:
        subnets = as_list(call.attr("vpc_subnet_ids"))
        groups = as_list(call.attr("vpc_security_group_ids"))
        where = _loc(call, "vpc_subnet_ids" if "vpc_subnet_ids" in attrs else "vpc_security_group_ids")
        fn.set("vpc", VpcConfig(tuple(ctx.value(s) for s in subnets), tuple(ctx.value(g) for g in groups), where),
               where)
    # the module always creates the log group (retention null = forever) unless told to reuse one
    retention = integer(call.attr("cloudwatch_logs_retention_in_days"))
    fn.set("log_retention_days", retention or None,
           _loc(call, "cloudwatch_logs_retention_in_days") if "cloudwatch_logs_retention_in_days" in attrs else None)
    _code(ctx, fn, call)
    _role(ctx, fn, call)
    _url(ctx, fn, call)
    _allowed_triggers(ctx, fn, call)
    _event_source_mappings(ctx, fn, call)


def _code(ctx: Context, fn: Draft, call: ModuleCall) -> None:
    for key in ("source_path", "local_existing_package"):
        if key not in call.block.body.attributes:
            continue
        where = _loc(call, key)
        fn.locations["code_path"] = where
        value = call.attr(key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            path = item.get("path") if isinstance(item, Mapping) else item
            literal = text(path)
            if not literal or literal.endswith(".zip"):
                continue
            scan_path = call.module.scan_path(literal)
            if scan_path and (ctx.root_module.parsed.root / scan_path).exists():
                fn.set("code_path", scan_path, where)
                return
        return


def _role(ctx: Context, fn: Draft, call: ModuleCall) -> None:
    attrs = call.block.body.attributes
    if "lambda_role" in attrs and not is_unset(ctx.value(call.attr("lambda_role"))):
        target = ctx.target(call.attr("lambda_role"), "aws_iam_role")
        where = _loc(call, "lambda_role")
        role_id = target.address if target is not None else \
            external_role(ctx, ctx.value(call.attr("lambda_role"), where), where)
        fn.set("role_id", role_id, _loc(call, "lambda_role"))
        return
    if boolean(call.attr("create_role", True)) is False:
        return
    role_id = f"{call.address}.aws_iam_role.lambda"
    role = role_draft(ctx, role_id, _loc(call), name=text(call.attr("role_name")) or fn.get("name"),
                      arn=Value(ValueKind.RESOURCE_ATTRIBUTE, ref=role_id, attribute="arn", raw=f"${{{role_id}.arn}}"))
    fn.set("role_id", role_id)
    where = _loc(call)
    if boolean(call.attr("attach_cloudwatch_logs_policy", True)) is not False:
        role.append("statements", Statement("Allow", where, actions=("logs:CreateLogGroup", "logs:CreateLogStream",
                                                                     "logs:PutLogEvents"),
                                            resources=(Value.of(f"arn:aws:logs:*:*:log-group:/aws/lambda/{fn.get('name')}:*"),),
                                            policy_name="logs"))
    if boolean(call.attr("attach_tracing_policy")) is True:
        role.append("managed_policies", ManagedPolicyRef("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
                                                         _loc(call, "attach_tracing_policy")))
    if boolean(call.attr("attach_network_policy")) is True:
        role.append("managed_policies", ManagedPolicyRef(VPC_EXECUTION, _loc(call, "attach_network_policy")))
    if boolean(call.attr("attach_policy_statements")) is True:
        _policy_statements(ctx, role, call)
    if boolean(call.attr("attach_policy_json")) is True:
        role.append("statements", *policy_statements(ctx, call.attr("policy_json"), f"{fn.get('name')}-inline",
                                                     _loc(call, "policy_json")))
    if boolean(call.attr("attach_policy_jsons")) is True:
        for doc in as_list(call.attr("policy_jsons")):
            role.append("statements", *policy_statements(ctx, doc, f"{fn.get('name')}-inline",
                                                         _loc(call, "policy_jsons")))
    if boolean(call.attr("attach_policy")) is True:
        _attach_arn(ctx, role, call.attr("policy"), _loc(call, "policy"))
    if boolean(call.attr("attach_policies")) is True:
        for arn in as_list(call.attr("policies")):
            _attach_arn(ctx, role, arn, _loc(call, "policies"))
    if "role_permissions_boundary" in call.block.body.attributes:
        role.set("permissions_boundary", ctx.value(call.attr("role_permissions_boundary")))


def _attach_arn(ctx: Context, role: Draft, arn: Any, where: Location) -> None:
    from faasguard.loaders.terraform.iam import attach

    attach(ctx, role, arn, where)


def _policy_statements(ctx: Context, role: Draft, call: ModuleCall) -> None:
    """``policy_statements = { name = { effect, actions, resources, condition ... } }``."""
    value = call.attr("policy_statements")
    where = _loc(call, "policy_statements")
    if not isinstance(value, Mapping):
        return
    lines = value.key_lines if isinstance(value, LDict) else {}
    for key, st in value.items():
        if not isinstance(st, Mapping):
            continue
        at = Location(where.file, lines.get(key) or where.line, pointer=(*where.pointer, key))
        doc = {"Statement": [{"Effect": st.get("effect", "Allow"), "Action": st.get("actions"),
                              "NotAction": st.get("not_actions"), "Resource": st.get("resources"),
                              "NotResource": st.get("not_resources"), "Sid": st.get("sid", key)}]}
        stmts = json_statements(ctx, doc, str(key), at)
        conditions: dict[str, Any] = {}
        for cond in as_list(st.get("condition")):
            if isinstance(cond, Mapping):
                conditions.setdefault(str(cond.get("test")), {})[str(cond.get("variable"))] = plain(cond.get("values"))
        for s in stmts:
            role.append("statements", Statement(s.effect, at, s.actions, s.not_actions, s.resources, s.not_resources,
                                                conditions, s.sid, s.policy_name))


def _url(ctx: Context, fn: Draft, call: ModuleCall) -> None:
    if boolean(call.attr("create_lambda_function_url")) is not True:
        return
    attrs = call.block.body.attributes
    auth = (text(call.attr("authorization_type", "NONE")) or "UNKNOWN").upper()
    where = _loc(call, "authorization_type") if "authorization_type" in attrs else _loc(call,
                                                                                          "create_lambda_function_url")
    fn.set("url", FunctionUrl(auth, where), where)
    authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", where) if auth == "AWS_IAM" else None
    fn.append("triggers", Trigger(TriggerKind.FUNCTION_URL, http_trust(authorizer), where, authorizer=authorizer,
                                  properties={"auth_type": auth}))


def _allowed_triggers(ctx: Context, fn: Draft, call: ModuleCall) -> None:
    value = call.attr("allowed_triggers")
    if not isinstance(value, Mapping):
        return
    where = _loc(call, "allowed_triggers")
    lines = value.key_lines if isinstance(value, LDict) else {}
    for key, cfg in value.items():
        if not isinstance(cfg, Mapping):
            continue
        at = Location(where.file, lines.get(key) or where.line, pointer=(*where.pointer, key))
        service = text(cfg.get("service"))
        principal = text(cfg.get("principal")) or (f"{service}.amazonaws.com" if service else "")
        ctx.permissions.append(Permission(
            function_id=fn.get("id"), principal=principal, location=at,
            action=text(cfg.get("action")) or "lambda:InvokeFunction",
            source_arn=ctx.value(cfg["source_arn"], at) if "source_arn" in cfg else None,
            source_account=ctx.value(cfg["source_account"], at) if "source_account" in cfg else None))


def _event_source_mappings(ctx: Context, fn: Draft, call: ModuleCall) -> None:
    from faasguard.loaders.terraform.functions import _ARN_KINDS, _ESM_KINDS

    value = call.attr("event_source_mapping")
    if not isinstance(value, Mapping):
        return
    where = _loc(call, "event_source_mapping")
    lines = value.key_lines if isinstance(value, LDict) else {}
    for key, cfg in value.items():
        if not isinstance(cfg, Mapping):
            continue
        at = Location(where.file, lines.get(key) or where.line, pointer=(*where.pointer, key))
        arn = cfg.get("event_source_arn")
        target = ctx.target(arn, *_ESM_KINDS)
        kind = _ESM_KINDS[target.type] if target is not None else \
            next((k for marker, k in _ARN_KINDS if marker in str(arn)), TriggerKind.OTHER)
        fn.append("triggers", Trigger(kind, default_trust(kind), at, source_id=target.address if target else None,
                                      source=ctx.value(arn, at) if arn is not None else None,
                                      batch_size=integer(cfg.get("batch_size")),
                                      properties={"event_source_mapping": f"{call.address}[{key}]"}))
