"""Assembling one service: functions, roles, APIs, and ``resources`` through the CloudFormation
builder, into one :class:`Application`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from faasguard.loaders.base import LoadOptions
from faasguard.loaders.cloudformation.intrinsics import Resolver as IntrinsicResolver
from faasguard.loaders.serverless.apis import build_apis
from faasguard.loaders.serverless.context import (
    DEFAULT_ROLE_ID,
    HTTP_API_ID,
    REST_API_ID,
    WEBSOCKET_API_ID,
    SlsContext,
    bucket_logical_id,
    lambda_logical_id,
    log_group_logical_id,
    normalize_alphanumeric,
    sub,
    topic_logical_id,
)
from faasguard.loaders.serverless.events import EventBuilder, EventSummary, scan_websocket_connect
from faasguard.loaders.serverless.functions import FunctionBuilder, function_definitions
from faasguard.loaders.serverless.iam import RoleBuilder
from faasguard.loaders.serverless.variables import FileMark, MarkedDict, MarkedStr, ResolvedDocument
from faasguard.loaders.trust import source_trust
from faasguard.model import (
    Application,
    ErrorKind,
    Function,
    Resource,
    ResourceKind,
    Role,
    ScanError,
    Trigger,
    TriggerKind,
    Value,
)

log = logging.getLogger(__name__)

_TEMPLATE_SECTIONS = ("Resources", "Conditions", "Parameters", "Mappings", "Outputs")


def assemble(doc: ResolvedDocument, config: Mapping[str, Any], *, root: Path, options: LoadOptions, stage: str,
             included: list[str]) -> tuple[Application | None, list[ScanError]]:
    from faasguard.loaders.serverless import framework_major

    errors: list[ScanError] = []
    service = _service_name(config)
    if service is None:
        errors.append(ScanError(doc.file, "serverless.yml has no usable 'service' name",
                                ErrorKind.PARSE, doc.key_location(config, "service").line))
        service = doc.path.parent.name or "service"
    provider = config.get("provider")
    if provider is not None and not isinstance(provider, Mapping) and not isinstance(provider, str):
        errors.append(ScanError(doc.file, "'provider' should be a mapping", ErrorKind.PARSE,
                                doc.location(provider).line or doc.key_location(config, "provider").line))
    region = options.region
    if region is None and isinstance(provider, Mapping) and isinstance(provider.get("region"), str):
        region = str(provider["region"])
    region = region or "us-east-1"
    template, overrides, extensions = _merge_resources(doc, config, errors)
    resources = template.get("Resources", {})
    app_root = _app_root(doc.path, root)
    fn_defs_probe = config.get("functions")
    fn_keys = _function_keys(fn_defs_probe)
    generated = _generated_ids(config, fn_keys)
    implicit_ids = _inject_implicit_sources(doc, config, resources, overrides, extensions)
    intrinsics = IntrinsicResolver(template, region=options.region,
                                   resource_ids=frozenset(str(k) for k in resources) | generated)
    ctx = SlsContext(doc, config if isinstance(config, Mapping) else {}, service, stage, region, app_root,
                     framework_major(config.get("frameworkVersion")), intrinsics, resources, errors)
    definitions = function_definitions(ctx)
    summary = EventSummary()
    summary.websocket_connect_authorizer = scan_websocket_connect(ctx, {k: d for k, d, _, _ in definitions})
    events = EventBuilder(ctx, summary)
    roles = RoleBuilder(ctx)
    builder = FunctionBuilder(ctx, events, roles)
    functions: list[Function] = []
    for key, definition, key_node, owner in definitions:
        try:
            fn = builder.build(key, definition, key_node, owner)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:  # wrong types deep inside
            log.debug("function %s", key, exc_info=True)
            ctx.error(f"function '{key}' could not be read: {type(exc).__name__}: {exc}", key_node, function=key)
            continue
        functions.append(_apply_function_extensions(ctx, fn, overrides, extensions))
    apis = build_apis(ctx, summary)

    model = _build_resources(ctx, doc, template, root, app_root, options, fn_keys, generated)
    role_drafts = roles.roles()
    model_roles = {r.id: r for r in model.roles} if model else {}
    app_roles: list[Role] = []
    for draft in role_drafts:
        cfn_role = model_roles.pop(draft.id, None)
        if cfn_role is not None and draft.defined_in_resources:
            app_roles.append(replace(cfn_role, functions=tuple(dict.fromkeys(cfn_role.functions + tuple(
                draft.functions)))))
        elif cfn_role is not None:  # e.g. an AWS::IAM::Policy in resources attached to the framework's role
            role = draft.freeze()
            app_roles.append(replace(role, statements=role.statements + cfn_role.statements,
                                     managed_policies=role.managed_policies + cfn_role.managed_policies))
        else:
            app_roles.append(draft.freeze())
    app_roles.extend(model_roles.values())

    if model is not None:
        functions = [model.attach(fn) for fn in functions]
        functions.extend(model.functions)
        apis = _merge_apis(apis, model.apis)
        resources_out = list(model.resources)
        permissions = tuple(model.permissions)
        suppressions = tuple(model.suppressions)
        errors.extend(model.errors)
    else:
        resources_out, permissions, suppressions = [], (), ()
    resources_out = [_mark_implicit(r) if r.id in implicit_ids else r for r in resources_out]
    resources_out.extend(_implicit_sources(ctx, functions, {r.id for r in resources_out}))
    public = {r.id for r in resources_out if r.public}
    functions = [_with_source_trust(fn, public) for fn in functions]
    app_roles = _with_all_users(app_roles, functions)

    app = Application(
        name=service, source_kind="serverless", root=app_root,
        files=tuple(dict.fromkeys([doc.file, *included])),
        location=doc.key_location(config, "service") if "service" in config else doc.location(config),
        provider="aws", stage=stage, region=region, functions=tuple(functions), roles=tuple(app_roles),
        apis=tuple(apis), resources=tuple(resources_out), permissions=permissions, suppressions=suppressions)
    return app, errors


# ---- service-level facts -------------------------------------------------------------------------


def _service_name(config: Mapping[str, Any]) -> str | None:
    node = config.get("service")
    if isinstance(node, Mapping):
        node = node.get("name")
    if isinstance(node, str) and node.strip():
        return node.strip()
    if isinstance(node, Value):
        return node.raw or None
    return None


def _app_root(path: Path, root: Path) -> str:
    try:
        rel = path.parent.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = "."
    return str(PurePosixPath(rel)) if rel else "."


def _function_keys(node: Any) -> list[str]:
    parts = [node] if isinstance(node, Mapping) else node if isinstance(node, list) else []
    return [str(k) for p in parts if isinstance(p, Mapping) for k, v in p.items() if isinstance(v, Mapping)]


def _source_events(config: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(kind, body, event node)`` of every s3/sns/cognitoUserPool event: the framework creates their
    bucket/topic/user pool unless told it exists."""
    out = []
    functions = config.get("functions")
    parts = [functions] if isinstance(functions, Mapping) else functions if isinstance(functions, list) else []
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        for fn in part.values():
            events = fn.get("events") if isinstance(fn, Mapping) else None
            for event in events if isinstance(events, list) else []:
                if isinstance(event, Mapping):
                    for kind in ("s3", "sns", "cognitoUserPool"):
                        if kind in event:
                            out.append((kind, event[kind], event))
    return out


def _created_source(kind: str, body: Any) -> tuple[str, str, str, str] | None:
    """``(logical id, type, name property, name)`` of the bucket/topic an event makes the framework create."""
    if kind == "s3":
        bucket = body.get("bucket") if isinstance(body, Mapping) else body
        existing = isinstance(body, Mapping) and body.get("existing") is True
        if isinstance(bucket, str) and bucket and not existing:
            return bucket_logical_id(bucket), "AWS::S3::Bucket", "BucketName", bucket
    elif kind == "sns":
        topic = body.get("topicName") if isinstance(body, Mapping) and body.get("arn") is None else body
        if isinstance(topic, str) and topic and not topic.startswith("arn:"):
            return topic_logical_id(topic), "AWS::SNS::Topic", "TopicName", topic
    elif kind == "cognitoUserPool" and isinstance(body, Mapping) and body.get("existing") is not True:
        pool = body.get("pool")
        if isinstance(pool, str) and pool:
            return f"CognitoUserPool{normalize_alphanumeric(pool)}", "AWS::Cognito::UserPool", "UserPoolName", pool
    return None


def _inject_implicit_sources(doc: ResolvedDocument, config: Mapping[str, Any], resources: Any,
                             overrides: Mapping[str, Mapping[str, Any]],
                             extensions: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Add the buckets and topics the framework creates for s3/sns events to the template, with the
    properties that Type-less overrides or ``extensions`` merge into them, so the CloudFormation
    builder judges them like any other bucket/topic. They point at the event that creates them."""
    injected: set[str] = set()
    if not isinstance(resources, MarkedDict):
        return injected
    provider_s3 = sub(sub(config, "provider"), "s3")
    for kind, body, event in _source_events(config):
        created = _created_source(kind, body)
        if created is None:
            continue
        logical_id, rtype, name_prop, name = created
        if logical_id in resources:
            continue  # declared (or already injected)
        mark = getattr(event, "start_mark", None)
        mark = mark if isinstance(mark, FileMark) else FileMark(0, 0, doc.file)
        props = MarkedDict(mark, mark)
        props[name_prop] = MarkedStr(name, mark, mark)
        configured = provider_s3.get(name) if kind == "s3" else None
        if isinstance(configured, Mapping):  # provider.s3.<ref>: the bucket's name and properties
            for key, value in configured.items():
                if key == "name":
                    props[name_prop] = value
                else:
                    pascal = MarkedStr(_upper_first(str(key)), *_marks(key, mark))
                    props[pascal] = _pascal_keys(value)
                    props.key_nodes[str(pascal)] = pascal
        for source in (overrides, extensions):
            extra = _props(source.get(logical_id))
            if extra is not None:
                for key, value in extra.items():
                    props[key] = value
                    props.key_nodes[str(key)] = key
        body_node = MarkedDict(mark, mark)
        body_node["Type"] = rtype
        body_node["Properties"] = props
        key = MarkedStr(logical_id, mark, mark)
        resources[key] = body_node
        resources.key_nodes[logical_id] = key
        injected.add(logical_id)
    return injected


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _marks(node: Any, fallback: FileMark) -> tuple[FileMark, FileMark]:
    start = getattr(node, "start_mark", None)
    end = getattr(node, "end_mark", None)
    return (start if isinstance(start, FileMark) else fallback, end if isinstance(end, FileMark) else fallback)


def _pascal_keys(node: Any) -> Any:
    """provider.s3 settings are camelCase; CloudFormation properties are PascalCase."""
    if isinstance(node, MarkedDict):
        out = MarkedDict(node.start_mark, node.end_mark)
        for key, value in node.items():
            pascal = MarkedStr(_upper_first(str(key)), *_marks(key, node.start_mark))
            out[pascal] = _pascal_keys(value)
            out.key_nodes[str(pascal)] = pascal
        return out
    if isinstance(node, list):
        return [_pascal_keys(v) for v in node]
    return node


def _mark_implicit(resource: Resource) -> Resource:
    return replace(resource, properties={**resource.properties, "implicit": True})


def _generated_ids(config: Mapping[str, Any], fn_keys: list[str]) -> frozenset[str]:
    """Logical ids the framework generates, so Ref/GetAtt to them are resource references."""
    ids = {DEFAULT_ROLE_ID, REST_API_ID, HTTP_API_ID, WEBSOCKET_API_ID, "ServerlessDeploymentBucket",
           "ApiGatewayDeployment", "HttpApiStage"}
    for key in fn_keys:
        ids |= {lambda_logical_id(key), log_group_logical_id(key)}
    functions = config.get("functions")
    parts = [functions] if isinstance(functions, Mapping) else functions if isinstance(functions, list) else []
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        for fn in part.values():
            events = fn.get("events") if isinstance(fn, Mapping) else None
            for event in events if isinstance(events, list) else []:
                if not isinstance(event, Mapping):
                    continue
                s3 = event.get("s3")
                bucket = s3.get("bucket") if isinstance(s3, Mapping) else s3
                if isinstance(bucket, str):
                    ids.add(bucket_logical_id(bucket))
                sns = event.get("sns")
                topic = sns.get("topicName") if isinstance(sns, Mapping) else sns
                if isinstance(topic, str) and not topic.startswith("arn:"):
                    ids.add(topic_logical_id(topic))
    return frozenset(ids)


# ---- resources ------------------------------------------------------------------------------------


def _merge_resources(doc: ResolvedDocument, config: Mapping[str, Any], errors: list[ScanError]) -> tuple[
        dict[str, Any], dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]]]:
    """``resources`` (a mapping, or a list of ``${file()}`` parts) -> one template.

    Type-less entries of ``Resources`` override properties of generated resources, like
    ``extensions`` do; both are returned separately and kept out of the template."""
    node = config.get("resources")
    template: dict[str, Any] = {}
    overrides: dict[str, Mapping[str, Any]] = {}
    extensions: dict[str, Mapping[str, Any]] = {}
    if node is None:
        template["Resources"] = _empty(doc)
        return template, overrides, extensions
    parts = node if isinstance(node, list) else [node]
    for part in parts:
        if isinstance(part, Value):
            errors.append(ScanError((part.location.file if part.location else doc.file),
                                    f"resources part could not be resolved ({part.raw}); it was not scanned",
                                    ErrorKind.PARSE, part.location.line if part.location else 0))
            continue
        if not isinstance(part, Mapping):
            errors.append(ScanError(doc.file, "'resources' should be a mapping (Resources, Outputs, ...)",
                                    ErrorKind.PARSE, doc.location(part).line or
                                    doc.key_location(config, "resources").line))
            continue
        for section in _TEMPLATE_SECTIONS:
            body = part.get(section)
            if body is None:
                continue
            if not isinstance(body, Mapping):
                errors.append(ScanError(doc.file, f"resources.{section} should be a mapping", ErrorKind.PARSE,
                                        doc.key_location(part, section).line))
                continue
            merged = template.get(section)
            if merged is None:
                merged = template[section] = _empty(doc, body)
            for key, value in body.items():
                if section == "Resources" and isinstance(value, Mapping) and "Type" not in value:
                    overrides[str(key)] = value
                    continue
                merged[key] = value
                merged.key_nodes[str(key)] = key
        ext = part.get("extensions")
        if isinstance(ext, Mapping):
            for key, value in ext.items():
                if isinstance(value, Mapping):
                    extensions[str(key)] = value
    template.setdefault("Resources", _empty(doc))
    return template, overrides, extensions


def _empty(doc: ResolvedDocument, like: Any = None) -> MarkedDict:
    start = getattr(like, "start_mark", None)
    end = getattr(like, "end_mark", None)
    return MarkedDict(start if isinstance(start, FileMark) else FileMark(0, 0, doc.file),
                      end if isinstance(end, FileMark) else FileMark(0, 0, doc.file))


def _build_resources(ctx: SlsContext, doc: ResolvedDocument, template: dict[str, Any], root: Path, app_root: str,
                     options: LoadOptions, fn_keys: list[str], generated: frozenset[str]) -> Any:
    try:
        from faasguard.loaders.cloudformation import build_template_model
    except ImportError:  # the CloudFormation loader is optional at import time
        return None
    try:
        return build_template_model(doc, template, root=root, app_root=app_root, source_kind="serverless",
                                    function_aliases={lambda_logical_id(k): k for k in fn_keys},
                                    region=options.region, extra_resource_ids=generated)
    except Exception as exc:  # a builder bug must not lose the functions we already have
        log.debug("resources of %s", doc.file, exc_info=True)
        ctx.error(f"resources could not be read: {type(exc).__name__}: {exc}", None, ErrorKind.INTERNAL,
                  location=doc.key_location(ctx.config, "resources"))
        return None


def _apply_function_extensions(ctx: SlsContext, fn: Function, overrides: Mapping[str, Mapping[str, Any]],
                               extensions: Mapping[str, Mapping[str, Any]]) -> Function:
    """Properties merged into the generated ``<Fn>LambdaFunction`` / ``<Fn>LogGroup`` resources."""
    changes: dict[str, Any] = {}
    locations = dict(fn.locations)
    for source in (overrides, extensions):
        props = _props(source.get(lambda_logical_id(fn.id)))
        if props is not None:
            for key, field, reader in _LAMBDA_PROPS:
                if props.get(key) is not None:
                    value = reader(ctx, props[key])
                    if value is not None:
                        changes[field] = value
                        locations[field] = ctx.key_loc(props, key)
        log_props = _props(source.get(log_group_logical_id(fn.id)))
        if log_props is not None and log_props.get("RetentionInDays") is not None:
            days = ctx.integer(log_props["RetentionInDays"], "RetentionInDays", log_props)
            if days is not None:
                changes["log_retention_days"] = days
                locations["log_retention_days"] = ctx.key_loc(log_props, "RetentionInDays")
    if not changes:
        return fn
    return replace(fn, locations=locations, **changes)


def _props(node: Any) -> Mapping[str, Any] | None:
    props = node.get("Properties") if isinstance(node, Mapping) else None
    return props if isinstance(props, Mapping) else None


def _tracing_prop(ctx: SlsContext, node: Any) -> str | None:
    return ctx.text(node.get("Mode")) if isinstance(node, Mapping) else None


def _dlq_prop(ctx: SlsContext, node: Any) -> Value | None:
    return ctx.value(node.get("TargetArn")) if isinstance(node, Mapping) and node.get("TargetArn") is not None \
        else None


_LAMBDA_PROPS: tuple[tuple[str, str, Any], ...] = (
    ("ReservedConcurrentExecutions", "reserved_concurrency",
     lambda ctx, n: ctx.integer(n, "ReservedConcurrentExecutions")),
    ("KmsKeyArn", "kms_key", lambda ctx, n: ctx.value(n)),
    ("CodeSigningConfigArn", "code_signing", lambda ctx, n: ctx.value(n)),
    ("TracingConfig", "tracing", _tracing_prop),
    ("DeadLetterConfig", "dead_letter", _dlq_prop),
    ("Timeout", "timeout", lambda ctx, n: ctx.integer(n, "Timeout")),
    ("MemorySize", "memory", lambda ctx, n: ctx.integer(n, "MemorySize")),
)


def _merge_apis(own: list[Any], from_resources: list[Any]) -> list[Any]:
    ids = {a.id for a in from_resources}
    return [a for a in own if a.id not in ids] + list(from_resources)


def _implicit_sources(ctx: SlsContext, functions: list[Function], known: set[str]) -> list[Resource]:
    """Buckets and topics the framework creates for ``s3`` / ``sns`` events (not in resources)."""
    out: list[Resource] = []
    seen = set(known)
    for fn in functions:
        for trigger in fn.triggers:
            if trigger.source_id is None or trigger.source_id in seen:
                continue
            name = trigger.source.text() if trigger.source is not None else None
            if trigger.kind is TriggerKind.S3 and not trigger.properties.get("existing") \
                    and trigger.source_id == bucket_logical_id(name or ""):
                out.append(Resource(trigger.source_id, ResourceKind.BUCKET, "AWS::S3::Bucket", trigger.location,
                                    name=trigger.source, properties={"implicit": True, "BucketName": name}))
            elif trigger.kind is TriggerKind.SNS and name and trigger.source_id == topic_logical_id(name):
                out.append(Resource(trigger.source_id, ResourceKind.TOPIC, "AWS::SNS::Topic", trigger.location,
                                    name=trigger.source, properties={"implicit": True, "TopicName": name}))
            else:
                continue
            seen.add(trigger.source_id)
    return out


def _with_all_users(roles: list[Role], functions: list[Function]) -> list[Role]:
    """Each role lists every function that assumes it, wherever the function was declared
    (``functions:`` or an AWS::Lambda::Function in resources)."""
    users: dict[str, list[str]] = {}
    for fn in functions:
        if fn.role_id is not None:
            users.setdefault(fn.role_id, []).append(fn.id)
    out = []
    for role in roles:
        merged = tuple(dict.fromkeys(role.functions + tuple(users.get(role.id, ()))))
        out.append(replace(role, functions=merged) if merged != role.functions else role)
    return out


def _with_source_trust(fn: Function, public: set[str]) -> Function:
    if not public:
        return fn
    triggers: list[Trigger] = []
    changed = False
    for t in fn.triggers:
        if t.source_id in public and t.kind in (TriggerKind.S3, TriggerKind.SQS, TriggerKind.SNS):
            new = source_trust(t.kind, True)
            if new is not t.trust:
                t = replace(t, trust=new)
                changed = True
        triggers.append(t)
    return replace(fn, triggers=tuple(triggers)) if changed else fn


__all__ = ["assemble"]
