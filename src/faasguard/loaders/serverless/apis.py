"""The APIs the framework creates implicitly (REST ``ApiGatewayRestApi``, HTTP ``HttpApi``,
WebSocket ``WebsocketsApi``), with their stage settings from ``provider``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faasguard.loaders.serverless.context import HTTP_API_ID, REST_API_ID, WEBSOCKET_API_ID, SlsContext, sub
from faasguard.loaders.serverless.events import EventSummary, usage_plan_throttle
from faasguard.model import Api, ApiKind, Cors, Location, Throttling


def _logs(ctx: SlsContext, key: str) -> tuple[bool | None, bool | None, Location | None]:
    """``provider.logs.<key>``: ``true`` or ``{accessLogging, executionLogging}`` (both default on)."""
    logs = ctx.provider.get("logs")
    if not isinstance(logs, Mapping) or key not in logs:
        return False, False, None
    node = logs.get(key)
    loc = ctx.key_loc(logs, key)
    if isinstance(node, Mapping):
        access = ctx.boolean(node.get("accessLogging"))
        execution = ctx.boolean(node.get("executionLogging"))
        return access is not False, execution is not False, loc
    enabled = ctx.boolean(node)
    return bool(enabled), bool(enabled), loc


def build_apis(ctx: SlsContext, summary: EventSummary) -> list[Api]:
    apis: list[Api] = []
    provider = ctx.provider
    api_gateway = sub(provider, "apiGateway")
    if summary.rest_events and api_gateway.get("restApiId") is None:
        apis.append(_rest(ctx, summary, api_gateway))
    http_cfg = sub(provider, "httpApi")
    if summary.http_events and http_cfg.get("id") is None:
        apis.append(_http(ctx, summary, http_cfg))
    if summary.websocket_events:
        locations: dict[str, Location] = {}
        access, execution, log_loc = _logs(ctx, "websocket")
        if log_loc is not None:
            locations["access_logging"] = locations["execution_logging"] = log_loc
        apis.append(Api(WEBSOCKET_API_ID, ApiKind.WEBSOCKET, summary.websocket_events[0],
                        name=ctx.text(provider.get("websocketsApiName")) or f"{ctx.stage}-{ctx.service}-websockets",
                        implicit=True, access_logging=access, execution_logging=execution,
                        default_authorizer=summary.websocket_connect_authorizer, locations=locations))
    return apis


def _rest(ctx: SlsContext, summary: EventSummary, api_gateway: Mapping[str, Any]) -> Api:
    provider = ctx.provider
    locations: dict[str, Location] = {}
    access, execution, log_loc = _logs(ctx, "restApi")
    if log_loc is not None:
        locations["access_logging"] = locations["execution_logging"] = log_loc
    tracing = None
    tracing_cfg = provider.get("tracing")
    if isinstance(tracing_cfg, Mapping) and tracing_cfg.get("apiGateway") is not None:
        tracing = bool(ctx.boolean(tracing_cfg.get("apiGateway")))
        locations["tracing"] = ctx.key_loc(tracing_cfg, "apiGateway")
    else:
        tracing = False
    usage_plan = False
    throttling: Throttling | None = None
    for key in ("usagePlan", "apiKeys"):
        for owner in (api_gateway, provider):  # v3 reads provider.apiGateway; v2 read provider
            node = owner.get(key) if isinstance(owner, Mapping) else None
            if node is None:
                continue
            if ctx.boolean(node) is not False:
                usage_plan = True
                locations.setdefault("usage_plan", ctx.key_loc(owner, key))
                if key == "usagePlan":
                    throttling = usage_plan_throttle(ctx, node) or throttling
                    if throttling is not None and throttling.location is not None:
                        locations["throttling"] = throttling.location
            break
    plugin = ctx.custom.get("apiGatewayThrottling")
    if isinstance(plugin, Mapping):
        rate = ctx.evaluate(plugin.get("maxRequestsPerSecond"))
        loc = ctx.key_loc(ctx.custom, "apiGatewayThrottling")
        throttling = Throttling(float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None,
                                ctx.integer(plugin.get("maxConcurrentRequests"), "maxConcurrentRequests", plugin), loc)
        locations["throttling"] = loc
    policy = api_gateway.get("resourcePolicy") if api_gateway else None
    if policy is None:
        policy = provider.get("resourcePolicy")
        if policy is not None:
            locations["resource_policy"] = ctx.key_loc(provider, "resourcePolicy")
    elif api_gateway:
        locations["resource_policy"] = ctx.key_loc(api_gateway, "resourcePolicy")
    endpoint = ctx.text(provider.get("endpointType"))
    if endpoint is not None:
        locations["endpoint_type"] = ctx.key_loc(provider, "endpointType")
    waf = _waf(ctx, locations)
    name = ctx.text(provider.get("apiName")) or ctx.text(api_gateway.get("apiName") if api_gateway else None) \
        or f"{ctx.stage}-{ctx.service}"
    return Api(REST_API_ID, ApiKind.REST, summary.rest_events[0], name=name, implicit=True,
               request_validation=all(summary.rest_validated),
               endpoint_type=(endpoint or "EDGE").upper(), access_logging=access, execution_logging=execution,
               tracing=tracing, throttling=throttling, usage_plan=usage_plan, waf=waf,
               resource_policy=bool(policy) if policy is not None else False, locations=locations)


_WAF_ASSOCIATIONS = ("AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation")


def _waf(ctx: SlsContext, locations: dict[str, Location]) -> bool:
    """serverless-associate-waf (``custom.associateWaf``) or a WebACLAssociation in resources."""
    assoc = ctx.custom.get("associateWaf")
    if isinstance(assoc, Mapping) and (assoc.get("name") or assoc.get("arn") or assoc.get("webAclArn")):
        locations["waf"] = ctx.key_loc(ctx.custom, "associateWaf")
        return True
    for logical_id, res in ctx.resources.items():
        if isinstance(res, Mapping) and res.get("Type") in _WAF_ASSOCIATIONS \
                and REST_API_ID in repr(res.get("Properties")):
            locations["waf"] = ctx.key_loc(ctx.resources, str(logical_id))
            return True
    return False


def _http(ctx: SlsContext, summary: EventSummary, http_cfg: Mapping[str, Any]) -> Api:
    locations: dict[str, Location] = {}
    access, _execution, log_loc = _logs(ctx, "httpApi")
    if log_loc is not None:
        locations["access_logging"] = log_loc
    cors = None
    if "cors" in http_cfg and http_cfg.get("cors") not in (None, False):
        node = http_cfg.get("cors")
        loc = ctx.key_loc(http_cfg, "cors")
        locations["cors"] = loc
        if isinstance(node, Mapping):
            origins = tuple(t for t in (ctx.text(o) for o in _list(node.get("allowedOrigins"))) if t) or ("*",)
            cors = Cors(origins, ctx.boolean(node.get("allowCredentials")),
                        tuple(t for t in (ctx.text(o) for o in _list(node.get("allowedHeaders"))) if t),
                        tuple(t for t in (ctx.text(o) for o in _list(node.get("allowedMethods"))) if t), loc)
        elif ctx.boolean(node):
            cors = Cors(("*",), location=loc)
    name = ctx.text(http_cfg.get("name")) or f"{ctx.stage}-{ctx.service}"
    return Api(HTTP_API_ID, ApiKind.HTTP, summary.http_events[0], name=name, implicit=True,
               access_logging=access, cors=cors, locations=locations)


def _list(node: Any) -> list[Any]:
    if node is None:
        return []
    return node if isinstance(node, list) else [node]
