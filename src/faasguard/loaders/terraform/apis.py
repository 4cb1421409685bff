"""API Gateway v1 (REST) and v2 (HTTP / WebSocket) in Terraform: APIs with their stage settings,
and routes (methods / routes + integrations) that become triggers on the functions they invoke."""

from __future__ import annotations

from typing import Any

from faasguard.loaders.terraform.context import Context, Draft, as_list, boolean, integer, text
from faasguard.loaders.terraform.functions import function_for, nested
from faasguard.loaders.terraform.module import Instance
from faasguard.loaders.trust import http_trust
from faasguard.model import ApiKind, Authorizer, AuthorizerKind, Cors, Location, Throttling, Trigger, TriggerKind

_V1_AUTH = {"AWS_IAM": AuthorizerKind.IAM, "COGNITO_USER_POOLS": AuthorizerKind.COGNITO,
            "CUSTOM": AuthorizerKind.LAMBDA}
_V1_AUTHORIZER_TYPES = {"TOKEN": AuthorizerKind.LAMBDA, "REQUEST": AuthorizerKind.LAMBDA,
                        "COGNITO_USER_POOLS": AuthorizerKind.COGNITO}


def _address(ctx: Context, value: Any, *types: str) -> str | None:
    target = ctx.target(value, *types)
    return target.address if target is not None else None


def define_apis(ctx: Context) -> None:
    for inst in ctx.of_type("aws_api_gateway_rest_api"):
        cfg = nested(inst, "endpoint_configuration")
        types = as_list(inst.attr("types", cfg)) if cfg is not None else []
        ctx.apis[inst.address] = Draft({
            "id": inst.address, "kind": ApiKind.REST, "location": ctx.loc(inst),
            "name": text(inst.attr("name")) or inst.name, "endpoint_type": str(types[0]) if types else None,
            "access_logging": None, "execution_logging": None, "tracing": None, "waf": None,
            "usage_plan": False})
    for inst in ctx.of_type("aws_apigatewayv2_api"):
        protocol = (text(inst.attr("protocol_type")) or "HTTP").upper()
        kind = ApiKind.WEBSOCKET if protocol == "WEBSOCKET" else ApiKind.HTTP
        draft = Draft({"id": inst.address, "kind": kind, "location": ctx.loc(inst),
                       "name": text(inst.attr("name")) or inst.name, "access_logging": None,
                       "execution_logging": None, "usage_plan": False})
        cors_body = nested(inst, "cors_configuration")
        if cors_body is not None:
            draft.set("cors", Cors(
                allow_origins=tuple(str(o) for o in as_list(inst.attr("allow_origins", cors_body))),
                allow_credentials=boolean(inst.attr("allow_credentials", cors_body)),
                allow_headers=tuple(str(o) for o in as_list(inst.attr("allow_headers", cors_body))),
                allow_methods=tuple(str(o) for o in as_list(inst.attr("allow_methods", cors_body))),
                location=ctx.loc(inst, "cors_configuration")), ctx.loc(inst, "cors_configuration"))
        ctx.apis[inst.address] = draft


def _stages(ctx: Context) -> None:
    for inst in ctx.of_type("aws_api_gateway_stage", "aws_apigatewayv2_stage"):
        api_id = _address(ctx, inst.attr("rest_api_id" if inst.type.startswith("aws_api_gateway_") else "api_id"),
                          "aws_api_gateway_rest_api", "aws_apigatewayv2_api")
        api = ctx.apis.get(api_id or "")
        if api is None:
            continue
        ctx.api_stages[inst.address] = str(api_id)
        where = ctx.loc(inst)
        logs = inst.body.block("access_log_settings")
        if logs is not None:
            api.set("access_logging", True, ctx.loc(inst, "access_log_settings"))
        elif not api.get("access_logging"):
            api.set("access_logging", False, where)
        if inst.type == "aws_api_gateway_stage":
            if inst.has("xray_tracing_enabled"):
                api.set("tracing", bool(boolean(inst.attr("xray_tracing_enabled"))),
                        ctx.loc(inst, "xray_tracing_enabled"))
            elif not api.get("tracing"):
                api.set("tracing", False, where)
            if api.get("execution_logging") is None:
                api.set("execution_logging", False, where)
            if "throttling" not in api.locations:
                api.locations["throttling"] = where
        else:
            routes = nested(inst, "default_route_settings")
            if routes is not None:
                rate, burst = inst.attr("throttling_rate_limit", routes), inst.attr("throttling_burst_limit", routes)
                if rate is not None or burst is not None:
                    rate_num = rate if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None
                    api.set("throttling", Throttling(rate_num, integer(burst), ctx.loc(inst, "default_route_settings")),
                            ctx.loc(inst, "default_route_settings"))
                level = (text(inst.attr("logging_level", routes)) or "OFF").upper()
                if level in ("INFO", "ERROR"):
                    api.set("execution_logging", True, ctx.loc(inst, "default_route_settings"))
            if api.get("execution_logging") is None:
                api.set("execution_logging", False, where)
            if "throttling" not in api.locations:
                api.locations["throttling"] = where
    for inst in ctx.of_type("aws_api_gateway_method_settings"):
        api = ctx.apis.get(_address(ctx, inst.attr("rest_api_id"), "aws_api_gateway_rest_api") or "")
        settings = nested(inst, "settings")
        if api is None or settings is None:
            continue
        where = ctx.loc(inst, "settings")
        level = (text(inst.attr("logging_level", settings)) or "OFF").upper()
        if level in ("INFO", "ERROR"):
            api.set("execution_logging", True, where)
        else:
            api.locations.setdefault("execution_logging", where)
        rate, burst = inst.attr("throttling_rate_limit", settings), inst.attr("throttling_burst_limit", settings)
        if rate is not None or burst is not None:
            rate_num = rate if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None
            api.set("throttling", Throttling(rate_num, integer(burst), where), where)
    for inst in ctx.of_type("aws_api_gateway_usage_plan"):
        for block in inst.body.blocks_of("api_stages"):
            value = inst.attr("api_id", block.body)
            api = ctx.apis.get(_address(ctx, value, "aws_api_gateway_rest_api") or "")
            if api is not None:
                api.set("usage_plan", True, ctx.loc(inst))
    for inst in ctx.of_type("aws_wafv2_web_acl_association", "aws_waf_web_acl_association",
                            "aws_wafregional_web_acl_association"):
        value = inst.attr("resource_arn")
        target = ctx.target(value, "aws_api_gateway_stage", "aws_api_gateway_rest_api")
        if target is None:
            continue
        api_id = ctx.api_stages.get(target.address, target.address)
        if api_id in ctx.apis:
            ctx.apis[api_id].set("waf", True, ctx.loc(inst))


def _path(ctx: Context, resource: Instance | None, depth: int = 0) -> str:
    if resource is None or resource.type != "aws_api_gateway_resource" or depth > 30:
        return ""
    part = text(resource.attr("path_part")) or "{?}"
    parent = ctx.target(resource.attr("parent_id"), "aws_api_gateway_resource")
    return f"{_path(ctx, parent, depth + 1)}/{part}"


def _authorizer(ctx: Context, value: Any, where: Location, kinds: dict[str, AuthorizerKind], key: str) -> Authorizer:
    target = ctx.target(value, "aws_api_gateway_authorizer", "aws_apigatewayv2_authorizer")
    kind = AuthorizerKind.LAMBDA
    name = ""
    if target is not None:
        kind = kinds.get((text(target.attr(key)) or "").upper(), AuthorizerKind.LAMBDA)
        name = text(target.attr("name")) or target.name
    return Authorizer(kind, name, where)


def _rest_routes(ctx: Context) -> None:
    methods: dict[tuple[str, str, str], Instance] = {}
    for inst in ctx.of_type("aws_api_gateway_method"):
        key = (_address(ctx, inst.attr("rest_api_id")) or "", _address(ctx, inst.attr("resource_id")) or
               str(inst.attr("resource_id")), (text(inst.attr("http_method")) or "").upper())
        methods[key] = inst
    for integ in ctx.of_type("aws_api_gateway_integration"):
        fn = function_for(ctx, integ.attr("uri"))
        if fn is None:
            continue
        api_id = _address(ctx, integ.attr("rest_api_id"), "aws_api_gateway_rest_api")
        resource_id = _address(ctx, integ.attr("resource_id")) or str(integ.attr("resource_id"))
        http_method = integ.attr("http_method")
        method = ctx.target(http_method, "aws_api_gateway_method")
        if method is None:
            method = methods.get((api_id or "", resource_id, (text(http_method) or "").upper()))
        resource = ctx.target(integ.attr("resource_id"), "aws_api_gateway_resource")
        path = _path(ctx, resource) or "/"
        inst = method or integ
        verb = (text(inst.attr("http_method")) or "ANY").upper()
        auth = (text(inst.attr("authorization")) or "NONE").upper() if method is not None else "NONE"
        where = ctx.loc(inst, "authorization") if method is not None else ctx.loc(integ)
        authorizer = None
        if auth == "AWS_IAM":
            authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", where)
        elif auth in _V1_AUTH:
            authorizer = _authorizer(ctx, inst.attr("authorizer_id"), where, _V1_AUTHORIZER_TYPES, "type")
        api_key = boolean(inst.attr("api_key_required")) if method is not None else None
        api = ctx.apis.get(api_id or "")
        private = api is not None and (api.get("endpoint_type") or "").upper() == "PRIVATE"
        validated = method is not None and (method.has("request_validator_id") or method.has("request_models"))
        fn.append("triggers", Trigger(TriggerKind.REST_API, http_trust(authorizer, api_key, private), where,
                                      api_id=api_id, method=verb, path=path, authorizer=authorizer,
                                      api_key_required=api_key, request_validation=validated or None))


def _http_routes(ctx: Context) -> None:
    integrations: dict[str, Draft] = {}
    for integ in ctx.of_type("aws_apigatewayv2_integration"):
        fn = function_for(ctx, integ.attr("integration_uri"))
        if fn is not None:
            integrations[integ.address] = fn
    for route in ctx.of_type("aws_apigatewayv2_route"):
        target = ctx.target(route.attr("target"), "aws_apigatewayv2_integration")
        fn = integrations.get(target.address) if target is not None else None
        if fn is None:
            continue
        api_id = _address(ctx, route.attr("api_id"), "aws_apigatewayv2_api")
        api = ctx.apis.get(api_id or "")
        websocket = api is not None and api.get("kind") is ApiKind.WEBSOCKET
        route_key = text(route.attr("route_key")) or "$default"
        method, _, path = route_key.partition(" ") if " " in route_key else ("ANY", "", route_key)
        auth = (text(route.attr("authorization_type")) or "NONE").upper()
        where = ctx.loc(route, "authorization_type") if route.has("authorization_type") else ctx.loc(route)
        authorizer = None
        if auth == "AWS_IAM":
            authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", where)
        elif auth in ("JWT", "CUSTOM"):
            authorizer = _authorizer(ctx, route.attr("authorizer_id"), where,
                                     {"JWT": AuthorizerKind.JWT, "REQUEST": AuthorizerKind.LAMBDA}, "authorizer_type")
        api_key = boolean(route.attr("api_key_required"))
        kind = TriggerKind.WEBSOCKET if websocket else TriggerKind.HTTP_API
        fn.append("triggers", Trigger(kind, http_trust(authorizer, api_key), where, api_id=api_id,
                                      method=None if websocket else method, path=path, authorizer=authorizer,
                                      api_key_required=api_key, cors=api.get("cors") if api else None,
                                      properties={"route": route_key}))
    for inst in ctx.of_type("aws_apigatewayv2_api"):  # quick create: target = a function
        if not inst.has("target"):
            continue
        fn = function_for(ctx, inst.attr("target"))
        if fn is not None:
            route_key = text(inst.attr("route_key")) or "$default"
            fn.append("triggers", Trigger(TriggerKind.HTTP_API, http_trust(None), ctx.loc(inst, "target"),
                                          api_id=inst.address, method="ANY", path=route_key,
                                          properties={"route": route_key}))


def link_apis(ctx: Context) -> None:
    _stages(ctx)
    _rest_routes(ctx)
    _http_routes(ctx)
