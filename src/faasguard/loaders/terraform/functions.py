"""``aws_lambda_function`` -> Function, and the resources that attach things to functions:
permissions, URLs, event source mappings, invoke configs, bucket notifications, SNS
subscriptions, EventBridge targets, log groups."""

from __future__ import annotations

import posixpath
from typing import Any

from faasguard.loaders.terraform.context import Context, Draft, as_list, boolean, integer, is_unset, text
from faasguard.loaders.terraform.hcl import Body
from faasguard.loaders.terraform.iam import role_of_function
from faasguard.loaders.terraform.module import Instance
from faasguard.loaders.terraform.values import LDict, Ref, Unknown, refs_in
from faasguard.loaders.trust import default_trust, http_trust, source_trust
from faasguard.model import (
    Authorizer,
    AuthorizerKind,
    Cors,
    FunctionUrl,
    Location,
    PackageType,
    Permission,
    Trigger,
    TriggerKind,
    VpcConfig,
)

LAMBDA_LOG_PREFIX = "/aws/lambda/"
_ESM_KINDS = {"aws_sqs_queue": TriggerKind.SQS, "aws_dynamodb_table": TriggerKind.DYNAMODB_STREAM,
              "aws_kinesis_stream": TriggerKind.KINESIS, "aws_msk_cluster": TriggerKind.KAFKA,
              "aws_mq_broker": TriggerKind.MQ}
_ARN_KINDS = ((":sqs:", TriggerKind.SQS), (":dynamodb:", TriggerKind.DYNAMODB_STREAM),
              (":kinesis:", TriggerKind.KINESIS), (":kafka:", TriggerKind.KAFKA), (":mq:", TriggerKind.MQ))


def nested(inst: Instance, name: str) -> Body | None:
    block = inst.body.block(name)
    return block.body if block is not None else None


def new_function(ctx: Context, fid: str, name: str, where: Location) -> Draft:
    draft = Draft({"id": fid, "name": name, "location": where, "source_kind": "terraform", "triggers": []})
    ctx.functions[fid] = draft
    return draft


def define_functions(ctx: Context) -> None:
    for inst in ctx.of_type("aws_lambda_function"):
        read_function(ctx, inst)


def read_function(ctx: Context, inst: Instance) -> None:
    name = text(inst.attr("function_name")) or inst.name
    fn = new_function(ctx, inst.address, name, ctx.loc(inst))
    fn.fields["instance"] = inst
    for key, field in (("runtime", "runtime"), ("handler", "handler")):
        if inst.has(key):
            fn.set(field, text(inst.attr(key)), ctx.loc(inst, key))
    for key, field in (("memory_size", "memory"), ("timeout", "timeout")):
        if inst.has(key):
            fn.set(field, integer(inst.attr(key)), ctx.loc(inst, key))
    if inst.has("reserved_concurrent_executions"):
        reserved = integer(inst.attr("reserved_concurrent_executions"))
        fn.set("reserved_concurrency", None if reserved is not None and reserved < 0 else reserved,
               ctx.loc(inst, "reserved_concurrent_executions"))
    if (text(inst.attr("package_type")) or "").lower() == "image" or inst.has("image_uri"):
        fn.set("package_type", PackageType.IMAGE, ctx.loc(inst, "package_type"))
    if inst.has("architectures"):
        fn.set("architectures", [str(a) for a in as_list(inst.attr("architectures")) if isinstance(a, str)])
    env = nested(inst, "environment")
    if env is not None:
        fn.locations["environment"] = ctx.loc(inst, "environment")
        attr = env.attributes.get("variables")
        if attr is not None:
            environment(ctx, fn, inst.attr("variables", env),
                        Location(attr.file, attr.line, pointer=("resource", inst.type, inst.name, "environment")))
    vpc = nested(inst, "vpc_config")
    if vpc is not None:
        subnets = inst.attr("subnet_ids", vpc)
        groups = inst.attr("security_group_ids", vpc)
        where = ctx.loc(inst, "vpc_config")
        fn.set("vpc", VpcConfig(tuple(ctx.value(s) for s in as_list(subnets)) if subnets is not None else (),
                                tuple(ctx.value(g) for g in as_list(groups)) if groups is not None else (), where),
               where)
    tracing = nested(inst, "tracing_config")
    if tracing is not None and "mode" in tracing.attributes:
        fn.set("tracing", text(inst.attr("mode", tracing)), ctx.loc(inst, "mode", tracing, "tracing_config"))
    dlq = nested(inst, "dead_letter_config")
    if dlq is not None and "target_arn" in dlq.attributes:
        value = ctx.value(inst.attr("target_arn", dlq), ctx.loc(inst, "dead_letter_config"))
        if not is_unset(value):
            fn.set("dead_letter", value, ctx.loc(inst, "dead_letter_config"))
    for key, field in (("kms_key_arn", "kms_key"), ("code_signing_config_arn", "code_signing")):
        if inst.has(key):
            value = ctx.value(inst.attr(key), ctx.loc(inst, key))
            if not is_unset(value):
                fn.set(field, value, ctx.loc(inst, key))
            else:
                fn.locations[field] = ctx.loc(inst, key)
    if inst.has("layers"):
        where = ctx.loc(inst, "layers")
        fn.set("layers", [ctx.value(v, where) for v in as_list(inst.attr("layers"))], where)
    logging_cfg = nested(inst, "logging_config")
    if logging_cfg is not None and "log_group" in logging_cfg.attributes:
        group = ctx.target(inst.attr("log_group", logging_cfg), "aws_cloudwatch_log_group")
        if group is not None:
            fn.set("log_group_id", group.address, ctx.loc(inst, "logging_config"))
    tags = inst.attr("tags")
    if isinstance(tags, dict):
        fn.set("tags", {str(k): str(v) for k, v in tags.items()})
    fn.set("role_id", role_of_function(ctx, inst.attr("role"), ctx.loc(inst, "role")), ctx.loc(inst, "role"))
    code_location(ctx, fn, inst)


def environment(ctx: Context, fn: Draft, variables: Any, where: Location) -> None:
    values = {}
    if isinstance(variables, dict):
        lines = variables.key_lines if isinstance(variables, LDict) else {}
        for key, value in variables.items():
            at = Location(where.file, lines.get(key) or where.line, pointer=(*where.pointer, "variables", key))
            values[str(key)] = ctx.value(value, at)
            fn.locations[f"environment.{key}"] = at
    fn.set("environment", values)


def code_location(ctx: Context, fn: Draft, inst: Instance) -> None:
    """Where the code lives: ``filename`` built by an ``archive_file`` data source from a directory
    or file, or a literal path that exists unzipped."""
    for key in ("filename", "s3_key", "image_uri"):
        if not inst.has(key):
            continue
        where = ctx.loc(inst, key)
        fn.locations["code_path"] = where
        value = inst.attr(key)
        archive = ctx.target(value, "archive_file")
        if archive is not None and archive.mode == "data":
            path = archive_source(ctx, archive)
            if path:
                fn.set("code_path", path, where)
            return
        literal = text(value)
        if key == "filename" and literal:
            path = inst.module.scan_path(literal)
            if path and not literal.endswith((".zip", ".jar")) and (ctx.root_module.parsed.root / path).exists():
                fn.set("code_path", path, where)
            elif path and literal.endswith(".zip"):
                stem = path[:-4]
                if (ctx.root_module.parsed.root / stem).is_dir():
                    fn.set("code_path", stem, where)
        return


def archive_source(ctx: Context, archive: Instance) -> str | None:
    for key in ("source_dir", "source_file"):
        value = text(archive.attr(key))
        if value:
            path = archive.module.scan_path(value)
            if path and (ctx.root_module.parsed.root / path).exists():
                return path
    return None


# ---- links -------------------------------------------------------------------------------------


def function_for(ctx: Context, value: Any) -> Draft | None:
    """The function an argument names: a reference to an aws_lambda_function (or the registry
    lambda module), or a literal name / ARN ending with a function's name."""
    for ref in refs_in(value):
        inst = ctx.instance(ref)
        if inst is not None and inst.address in ctx.functions:
            return ctx.functions[inst.address]
        if ref.address in ctx.functions:
            return ctx.functions[ref.address]
        base = ref.address.split("[", 1)[0]
        if base in ctx.functions:
            return ctx.functions[base]
    name = text(value)
    if name:
        if ":function:" in name:
            name = name.split(":function:", 1)[1].split(":")[0]
        for fn in ctx.functions.values():
            if fn.get("name") == name or fn.get("id") == name:
                return fn
    return None


def link_functions(ctx: Context) -> None:
    for inst in ctx.of_type("aws_lambda_permission"):
        permission(ctx, inst)
    for inst in ctx.of_type("aws_lambda_function_url"):
        fn = function_for(ctx, inst.attr("function_name"))
        if fn is not None:
            function_url(ctx, fn, inst)
    for inst in ctx.of_type("aws_lambda_event_source_mapping"):
        event_source_mapping(ctx, inst)
    for inst in ctx.of_type("aws_lambda_function_event_invoke_config"):
        fn = function_for(ctx, inst.attr("function_name"))
        dest = nested(inst, "destination_config")
        failure = dest.block("on_failure") if dest is not None else None
        if fn is not None and failure is not None and "destination" in failure.body.attributes:
            value = inst.attr("destination", failure.body)
            fn.set("on_failure", ctx.value(value, ctx.loc(inst)), ctx.loc(inst, "destination_config"))
    for inst in ctx.of_type("aws_s3_bucket_notification"):
        bucket_notification(ctx, inst)
    for inst in ctx.of_type("aws_sns_topic_subscription"):
        if (text(inst.attr("protocol")) or "").lower() != "lambda":
            continue
        fn = function_for(ctx, inst.attr("endpoint"))
        if fn is None:
            continue
        topic = ctx.target(inst.attr("topic_arn"), "aws_sns_topic")
        fn.append("triggers", Trigger(TriggerKind.SNS, _trust(ctx, TriggerKind.SNS, topic), ctx.loc(inst),
                                      source_id=topic.address if topic else None,
                                      source=ctx.value(inst.attr("topic_arn")),
                                      properties={"dead_letter": inst.has("redrive_policy")}))
    for inst in ctx.of_type("aws_cloudwatch_event_target"):
        event_target(ctx, inst)
    _other_sources(ctx)
    _log_groups(ctx)


def _other_sources(ctx: Context) -> None:
    """Load balancer targets, EventBridge Scheduler, log subscriptions, Cognito triggers."""
    for inst in ctx.of_type("aws_lb_target_group_attachment", "aws_alb_target_group_attachment"):
        fn = function_for(ctx, inst.attr("target_id"))
        if fn is not None:
            group = ctx.target(inst.attr("target_group_arn"))
            fn.append("triggers", Trigger(TriggerKind.ALB, default_trust(TriggerKind.ALB), ctx.loc(inst),
                                          source_id=group.address if group else None,
                                          properties={"target_group": group.address if group else None}))
    for inst in ctx.of_type("aws_scheduler_schedule"):
        target = nested(inst, "target")
        fn = function_for(ctx, inst.attr("arn", target)) if target is not None else None
        if fn is not None:
            state = (text(inst.attr("state")) or "ENABLED").upper()
            fn.append("triggers", Trigger(
                TriggerKind.SCHEDULE, default_trust(TriggerKind.SCHEDULE), ctx.loc(inst), source_id=inst.address,
                enabled=state != "DISABLED",
                properties={"dead_letter": target is not None and target.block("dead_letter_config") is not None,
                            "schedule": text(inst.attr("schedule_expression"))}))
    for inst in ctx.of_type("aws_cloudwatch_log_subscription_filter"):
        fn = function_for(ctx, inst.attr("destination_arn"))
        if fn is not None:
            group = ctx.target(inst.attr("log_group_name"), "aws_cloudwatch_log_group")
            fn.append("triggers", Trigger(TriggerKind.CLOUDWATCH_LOGS, default_trust(TriggerKind.CLOUDWATCH_LOGS),
                                          ctx.loc(inst), source_id=group.address if group else None,
                                          source=ctx.value(inst.attr("log_group_name"))))
    for inst in ctx.of_type("aws_cognito_user_pool"):
        cfg = inst.body.block("lambda_config")
        if cfg is None:
            continue
        for name, attr in cfg.body.attributes.items():
            fn = function_for(ctx, inst.attr(name, cfg.body))
            if fn is not None:
                fn.append("triggers", Trigger(TriggerKind.COGNITO, default_trust(TriggerKind.COGNITO),
                                              Location(attr.file, attr.line, pointer=(
                                                  "resource", inst.type, inst.name, "lambda_config", name)),
                                              source_id=inst.address, properties={"triggers": [name]}))


def _trust(ctx: Context, kind: TriggerKind, source: Instance | None) -> Any:
    if source is None:
        return default_trust(kind)
    resource = ctx.resources.get(source.address)
    return source_trust(kind, resource.get("public") if resource is not None else None)


def permission(ctx: Context, inst: Instance) -> None:
    fn = function_for(ctx, inst.attr("function_name"))

    def opt(key: str) -> Any:
        return ctx.value(inst.attr(key), ctx.loc(inst, key)) if inst.has(key) else None

    principal = ctx.value(inst.attr("principal"))
    ctx.permissions.append(Permission(
        function_id=fn.get("id") if fn is not None else None, principal=str(principal),
        location=ctx.loc(inst, "principal"), action=text(inst.attr("action")) or "lambda:InvokeFunction",
        source_arn=opt("source_arn"), source_account=opt("source_account"),
        function_url_auth_type=text(inst.attr("function_url_auth_type")), principal_org_id=opt("principal_org_id")))


def function_url(ctx: Context, fn: Draft, inst: Instance) -> None:
    auth = text(inst.attr("authorization_type"))
    where = ctx.loc(inst, "authorization_type")
    auth_type = (auth or "UNKNOWN").upper()
    cors_body = nested(inst, "cors")
    url_cors = None
    if cors_body is not None:
        url_cors = Cors(allow_origins=tuple(str(o) for o in as_list(inst.attr("allow_origins", cors_body))),
                        allow_credentials=boolean(inst.attr("allow_credentials", cors_body)),
                        allow_headers=tuple(str(o) for o in as_list(inst.attr("allow_headers", cors_body))),
                        allow_methods=tuple(str(o) for o in as_list(inst.attr("allow_methods", cors_body))),
                        location=ctx.loc(inst, "cors"))
    fn.set("url", FunctionUrl(auth_type, where, url_cors, text(inst.attr("invoke_mode"))), where)
    authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", where) if auth_type == "AWS_IAM" else None
    trust = http_trust(authorizer)
    if auth is None:
        trust = http_trust(Authorizer(AuthorizerKind.OTHER, "unresolved", where))
    fn.append("triggers", Trigger(TriggerKind.FUNCTION_URL, trust, where, authorizer=authorizer, cors=url_cors,
                                  properties={"auth_type": auth_type}))


def event_source_mapping(ctx: Context, inst: Instance) -> None:
    fn = function_for(ctx, inst.attr("function_name"))
    if fn is None:
        return
    kind = TriggerKind.OTHER
    source_id = None
    source = None
    if inst.has("event_source_arn"):
        value = inst.attr("event_source_arn")
        source = ctx.value(value, ctx.loc(inst, "event_source_arn"))
        target = ctx.target(value, *_ESM_KINDS)
        if target is not None:
            source_id, kind = target.address, _ESM_KINDS[target.type]
        else:
            kind = next((k for marker, k in _ARN_KINDS if marker in str(source)), TriggerKind.OTHER)
    elif nested(inst, "self_managed_event_source") is not None:
        kind = TriggerKind.KAFKA
    on_failure = None
    dest = nested(inst, "destination_config")
    failure = dest.block("on_failure") if dest is not None else None
    if failure is not None and "destination_arn" in failure.body.attributes:
        on_failure = ctx.value(inst.attr("destination_arn", failure.body),
                               ctx.loc(inst, "destination_config"))
    enabled = boolean(inst.attr("enabled")) is not False
    fn.append("triggers", Trigger(kind, default_trust(kind), ctx.loc(inst), source_id=source_id, source=source,
                                  batch_size=integer(inst.attr("batch_size")), on_failure=on_failure,
                                  enabled=enabled, properties={"event_source_mapping": inst.address}))


def bucket_notification(ctx: Context, inst: Instance) -> None:
    bucket = ctx.target(inst.attr("bucket"), "aws_s3_bucket")
    resource = ctx.resources.get(bucket.address) if bucket is not None else None
    for i, block in enumerate(inst.body.blocks_of("lambda_function")):
        attr = block.body.attributes.get("lambda_function_arn")
        if attr is None:
            continue
        fn = function_for(ctx, inst.attr("lambda_function_arn", block.body))
        if fn is None:
            continue
        events = inst.attr("events", block.body, [])
        where = Location(block.file, block.line, pointer=("resource", inst.type, inst.name, "lambda_function", i))
        fn.append("triggers", Trigger(TriggerKind.S3, _trust(ctx, TriggerKind.S3, bucket), where,
                                      source_id=bucket.address if bucket else None,
                                      source=resource.get("name") if resource else ctx.value(inst.attr("bucket")),
                                      properties={"events": [str(e) for e in as_list(events)]}))


def event_target(ctx: Context, inst: Instance) -> None:
    fn = function_for(ctx, inst.attr("arn"))
    if fn is None:
        return
    rule = ctx.target(inst.attr("rule"), "aws_cloudwatch_event_rule")
    schedule = text(rule.attr("schedule_expression")) if rule is not None else None
    kind = TriggerKind.SCHEDULE if rule is not None and rule.has("schedule_expression") else TriggerKind.EVENTBRIDGE
    state = "ENABLED"
    if rule is not None:
        state = (text(rule.attr("state")) or ("DISABLED" if boolean(rule.attr("is_enabled")) is False else
                                              "ENABLED")).upper()
    fn.append("triggers", Trigger(
        kind, default_trust(kind), ctx.loc(inst), source_id=rule.address if rule else None,
        enabled=state != "DISABLED",
        properties={"dead_letter": inst.body.block("dead_letter_config") is not None, "schedule": schedule,
                    "pattern": rule.attr("event_pattern") if rule is not None else None,
                    "rule": rule.address if rule else None}))


def _log_groups(ctx: Context) -> None:
    for inst in ctx.of_type("aws_cloudwatch_log_group"):
        res = ctx.resources.get(inst.address)
        if res is None:
            continue
        name = inst.attr("name")
        targets: list[Draft] = []
        literal = text(name)
        if literal and literal.startswith(LAMBDA_LOG_PREFIX):
            wanted = literal[len(LAMBDA_LOG_PREFIX):]
            targets = [f for f in ctx.functions.values() if f.get("name") == wanted]
        elif isinstance(name, (Unknown, Ref)) and LAMBDA_LOG_PREFIX in str(name):
            fn = function_for(ctx, name)
            targets = [fn] if fn is not None else []
        targets += [f for f in ctx.functions.values() if f.get("log_group_id") == inst.address and f not in targets]
        for fn in targets:
            fn.set("log_group_id", inst.address, fn.locations.get("log_group_id"))
            fn.set("log_retention_days", res.get("retention_days"),
                   res.locations.get("retention_days", res.get("location")))


def relative_code_path(base: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(base, path))
