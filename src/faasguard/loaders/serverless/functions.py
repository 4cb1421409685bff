"""``functions:`` -> :class:`Function`, with provider settings merged the way the framework does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faasguard.loaders.serverless.context import SlsContext, log_group_logical_id
from faasguard.loaders.serverless.events import EventBuilder
from faasguard.loaders.serverless.iam import RoleBuilder
from faasguard.loaders.trust import http_trust
from faasguard.model import (
    Authorizer,
    AuthorizerKind,
    Cors,
    Function,
    FunctionUrl,
    Location,
    PackageType,
    Trigger,
    TriggerKind,
    Value,
    VpcConfig,
)

DEFAULT_MEMORY = 1024
DEFAULT_TIMEOUT = 6


def default_runtime(framework_major: int | None) -> str:
    """The runtime the framework deploys when none is set."""
    if framework_major is not None and framework_major <= 2:
        return "nodejs12.x"
    if framework_major == 3:
        return "nodejs14.x"
    return "nodejs20.x"


def function_definitions(ctx: SlsContext) -> list[tuple[str, Mapping[str, Any], Any, Mapping[str, Any]]]:
    """``(key, definition, key node, owner mapping)`` for every function, in order.

    ``functions`` may be a mapping, or a list of mappings (often ``${file()}`` includes)."""
    node = ctx.config.get("functions")
    if node is None:
        return []
    parts: list[Any]
    if isinstance(node, Mapping):
        parts = [node]
    elif isinstance(node, list):
        parts = node
    else:
        what = f"an unresolved reference ({node.raw})" if isinstance(node, Value) else type(node).__name__
        ctx.error(f"'functions' should be a mapping of function definitions, not {what}", node
                  if not isinstance(node, Value) else None,
                  location=node.location if isinstance(node, Value) else ctx.key_loc(ctx.config, "functions"))
        return []
    out: list[tuple[str, Mapping[str, Any], Any, Mapping[str, Any]]] = []
    seen: set[str] = set()
    for part in parts:
        if not isinstance(part, Mapping):
            ctx.error("each item of 'functions' should be a mapping of function definitions", part,
                      location=None if getattr(part, "start_mark", None) else ctx.key_loc(ctx.config, "functions"))
            continue
        for key, fn in part.items():
            name = str(key)
            if not isinstance(fn, Mapping):
                ctx.error(f"function '{name}' should be a mapping, not {type(fn).__name__}", key, function=name)
                continue
            if name in seen:
                ctx.error(f"function '{name}' is defined twice; the last definition wins", key, function=name)
                out = [o for o in out if o[0] != name]
            seen.add(name)
            out.append((name, fn, key, part))
    return out


class FunctionBuilder:
    def __init__(self, ctx: SlsContext, events: EventBuilder, roles: RoleBuilder) -> None:
        self.ctx = ctx
        self.events = events
        self.roles = roles

    def build(self, key: str, fn: Mapping[str, Any], key_node: Any, owner: Mapping[str, Any]) -> Function:
        ctx = self.ctx
        provider = ctx.provider
        loc = ctx.key_loc(owner, key)
        locations: dict[str, Location] = {}

        def pick(name: str, provider_name: str | None = None) -> Any:
            """Function setting, else provider setting; records the line that sets it."""
            if fn.get(name) is not None:
                locations[_FIELD.get(name, name)] = ctx.key_loc(fn, name)
                return fn[name]
            pname = provider_name or name
            if provider.get(pname) is not None:
                locations[_FIELD.get(name, name)] = ctx.key_loc(provider, pname)
                return provider[pname]
            return None

        image = fn.get("image")
        handler = ctx.text(fn.get("handler"))
        if fn.get("handler") is not None:
            locations["handler"] = ctx.key_loc(fn, "handler")
        package_type = PackageType.IMAGE if image is not None and handler is None else PackageType.ZIP
        runtime = None
        if package_type is PackageType.ZIP:  # container images bring their own runtime
            runtime = ctx.text(pick("runtime")) or default_runtime(ctx.framework_major)
        memory = ctx.integer(pick("memorySize"), "memorySize", fn)
        timeout = ctx.integer(pick("timeout"), "timeout", fn)
        architecture = ctx.text(pick("architecture"))

        environment, env_locs = self._environment(key, fn)
        locations.update(env_locs)

        tracing = self._tracing(fn, locations)
        vpc = self._vpc(fn, locations)
        layers = self._layers(fn, locations)
        kms = pick("kmsKeyArn")
        dead_letter = self._dead_letter(fn, locations)
        on_failure = None
        destinations = fn.get("destinations")
        if isinstance(destinations, Mapping) and destinations.get("onFailure") is not None:
            target = destinations["onFailure"]
            if isinstance(target, Mapping) and "arn" in target:
                target = target["arn"]
            locations["on_failure"] = ctx.key_loc(destinations, "onFailure")
            on_failure = ctx.value(target, locations["on_failure"])
        reserved = None
        if fn.get("reservedConcurrency") is not None:
            locations["reserved_concurrency"] = ctx.key_loc(fn, "reservedConcurrency")
            reserved = ctx.integer(fn["reservedConcurrency"], "reservedConcurrency", fn)
        retention_node = pick("logRetentionInDays")
        retention = ctx.integer(retention_node, "logRetentionInDays", fn) if retention_node is not None else None
        url = self._url(fn, locations)
        tags = self._tags(fn)

        role_id = self.roles.assign(key, fn, loc)
        locations["role_id"] = ctx.key_loc(fn, "role") if fn.get("role") is not None \
            else self.roles.drafts[role_id].location
        triggers = tuple(self.events.build(key, fn.get("events"), key_node if key_node is not None else fn))
        if url is not None:
            triggers += (_url_trigger(url),)
        name_node = fn.get("name")
        name = ctx.text(name_node) or (str(ctx.value(name_node)) if name_node is not None else "") \
            or f"{ctx.service}-{ctx.stage}-{key}"
        disable_logs = ctx.boolean(fn.get("disableLogs")) is True
        return Function(
            id=key, name=name, location=loc, runtime=runtime, handler=handler,
            code_path=self._code_path(fn), package_type=package_type,
            architectures=(architecture,) if architecture else (),
            memory=memory if memory is not None else DEFAULT_MEMORY,
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            environment=environment, role_id=role_id, triggers=triggers, vpc=vpc, tracing=tracing,
            reserved_concurrency=reserved, dead_letter=dead_letter, on_failure=on_failure,
            kms_key=ctx.value(kms, locations.get("kms_key")) if kms is not None else None,
            layers=layers, url=url, log_group_id=None if disable_logs else log_group_logical_id(key),
            log_retention_days=retention, tags=tags, source_kind="serverless", locations=locations)

    # ---- settings -------------------------------------------------------------------------------

    def _environment(self, key: str, fn: Mapping[str, Any]) -> tuple[dict[str, Value], dict[str, Location]]:
        ctx = self.ctx
        env: dict[str, Value] = {}
        locs: dict[str, Location] = {}
        for owner, what in ((ctx.provider, "provider.environment"), (fn, f"functions.{key}.environment")):
            node = owner.get("environment")
            if node is None:
                continue
            locs["environment"] = ctx.key_loc(owner, "environment")
            if isinstance(node, Value):
                ctx.error(f"{what} could not be resolved ({node.raw}); its variables are unknown",
                          location=node.location or locs["environment"], function=key)
                continue
            mapping = ctx.mapping(node, what, owner)
            if mapping is None:
                continue
            for name, raw in mapping.items():
                var_loc = ctx.key_loc(mapping, str(name))
                locs[f"environment.{name}"] = var_loc
                env[str(name)] = ctx.value(raw, ctx.loc_or(raw, var_loc))
        return env, locs

    def _tracing(self, fn: Mapping[str, Any], locations: dict[str, Location]) -> str | None:
        ctx = self.ctx
        if fn.get("tracing") is not None:
            locations["tracing"] = ctx.key_loc(fn, "tracing")
            return _tracing_mode(ctx.evaluate(fn["tracing"]))
        tracing = ctx.provider.get("tracing")
        if isinstance(tracing, Mapping) and tracing.get("lambda") is not None:
            locations["tracing"] = ctx.key_loc(tracing, "lambda")
            return _tracing_mode(ctx.evaluate(tracing["lambda"]))
        return None

    def _vpc(self, fn: Mapping[str, Any], locations: dict[str, Location]) -> VpcConfig | None:
        ctx = self.ctx
        owner = fn if "vpc" in fn else ctx.provider
        node = owner.get("vpc")
        if node is None:
            return None
        loc = ctx.key_loc(owner, "vpc")
        vpc = ctx.mapping(node, "vpc", owner)
        if vpc is None:
            return None
        locations["vpc"] = loc
        return VpcConfig(_values(ctx, vpc.get("subnetIds"), loc), _values(ctx, vpc.get("securityGroupIds"), loc), loc)

    def _layers(self, fn: Mapping[str, Any], locations: dict[str, Location]) -> tuple[Value, ...]:
        ctx = self.ctx
        owner = fn if fn.get("layers") is not None else ctx.provider
        node = owner.get("layers")
        if node is None:
            return ()
        loc = ctx.key_loc(owner, "layers")
        locations["layers"] = loc
        return _values(ctx, node, loc)

    def _dead_letter(self, fn: Mapping[str, Any], locations: dict[str, Location]) -> Value | None:
        ctx = self.ctx
        if fn.get("onError") is not None:
            locations["dead_letter"] = ctx.key_loc(fn, "onError")
            return ctx.value(fn["onError"], locations["dead_letter"])
        dl = fn.get("deadLetter")  # serverless-plugin-lambda-dead-letter
        if isinstance(dl, Mapping):
            locations["dead_letter"] = ctx.key_loc(fn, "deadLetter")
            target = dl.get("targetArn")
            if target is None:
                sqs = dl.get("sqs")
                target = sqs.get("queueName") if isinstance(sqs, Mapping) else sqs
            if target is None:
                target = dl.get("sns")
            if target is not None:
                return ctx.value(target, locations["dead_letter"])
        return None

    def _url(self, fn: Mapping[str, Any], locations: dict[str, Location]) -> FunctionUrl | None:
        ctx = self.ctx
        node = fn.get("url")
        if node is None or ctx.boolean(node) is False:
            return None
        loc = ctx.key_loc(fn, "url")
        locations["url"] = loc
        if isinstance(node, Mapping):
            auth = (ctx.text(node.get("authorizer")) or "").lower()
            cors_node = node.get("cors")
            cors = None
            if cors_node is True or ctx.boolean(cors_node) is True:
                cors = Cors(("*",), location=ctx.key_loc(node, "cors"))
            elif isinstance(cors_node, Mapping):
                cors = Cors(_texts(ctx, cors_node.get("allowedOrigins")) or ("*",),
                            ctx.boolean(cors_node.get("allowCredentials")),
                            _texts(ctx, cors_node.get("allowedHeaders")), _texts(ctx, cors_node.get("allowedMethods")),
                            ctx.key_loc(node, "cors"))
            return FunctionUrl("AWS_IAM" if auth == "aws_iam" else "NONE", loc, cors,
                               ctx.text(node.get("invokeMode")))
        return FunctionUrl("NONE", loc)

    def _tags(self, fn: Mapping[str, Any]) -> dict[str, str]:
        tags: dict[str, str] = {}
        for node in (self.ctx.provider.get("tags"), fn.get("tags")):
            if isinstance(node, Mapping):
                for k, v in node.items():
                    tags[str(k)] = str(self.ctx.value(v))
        return tags

    def _code_path(self, fn: Mapping[str, Any]) -> str:
        ctx = self.ctx
        package = fn.get("package")
        artifact = ctx.text(package.get("artifact")) if isinstance(package, Mapping) else None
        if artifact is None:
            top = ctx.config.get("package")
            artifact = ctx.text(top.get("artifact")) if isinstance(top, Mapping) else None
        if artifact and not artifact.startswith(("s3://", "https://", "http://")):
            return ctx.code_dir(artifact)
        module = ctx.text(fn.get("module"))  # serverless-python-requirements with individually packaged modules
        if module and module not in (".", "./"):
            return ctx.code_dir(module)
        return ctx.code_dir()


_FIELD = {"memorySize": "memory", "kmsKeyArn": "kms_key", "logRetentionInDays": "log_retention_days",
          "architecture": "architectures"}


def _tracing_mode(data: Any) -> str | None:
    if data is True:
        return "Active"
    if isinstance(data, str):
        low = data.strip().lower()
        if low in ("active", "true"):
            return "Active"
        if low == "passthrough":
            return "PassThrough"
    return None


def _values(ctx: SlsContext, node: Any, loc: Location) -> tuple[Value, ...]:
    if node is None:
        return ()
    if isinstance(node, Value):
        return (node,)
    items = node if isinstance(node, list) else [node]
    return tuple(ctx.value(i, ctx.loc_or(i, loc)) for i in items)


def _texts(ctx: SlsContext, node: Any) -> tuple[str, ...]:
    if node is None:
        return ()
    items = node if isinstance(node, list) else [node]
    return tuple(t for t in (ctx.text(i) for i in items) if t is not None)


def _url_trigger(url: FunctionUrl) -> Trigger:
    """A function URL is an HTTP trigger like any other (the CloudFormation and Terraform loaders
    model it the same way), so code analysis sees its event as public when AuthType is NONE."""
    authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", url.location) if url.auth_type == "AWS_IAM" else None
    return Trigger(TriggerKind.FUNCTION_URL, http_trust(authorizer), url.location, authorizer=authorizer,
                   cors=url.cors, properties={"auth_type": url.auth_type})
