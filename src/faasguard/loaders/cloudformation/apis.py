"""API Gateway: AWS::Serverless::Api / HttpApi (and the implicit ServerlessRestApi /
ServerlessHttpApi), AWS::ApiGateway::* and AWS::ApiGatewayV2::*, and WAF associations.

API-level facts go on ``Api``; routes become triggers on the functions they integrate with.
Private facts used while linking live in ``Draft.extra``: ``authorizers`` (name -> Authorizer),
``api_key_required``, ``private``, ``self_described`` (no external definition: unset means off).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from faasguard.loaders.cloudformation.builder import DEFINE, DEFINE_APIS, LINKS, handles
from faasguard.loaders.cloudformation.drafts import Draft
from faasguard.loaders.cloudformation.functions import Settings, cors
from faasguard.loaders.cloudformation.intrinsics import intrinsic_name, referenced_ids
from faasguard.loaders.cloudformation.sam_globals import globals_for, merged_properties
from faasguard.loaders.document import Document, DocumentError, load_document
from faasguard.loaders.trust import http_trust
from faasguard.model import (
    Api,
    ApiKind,
    Authorizer,
    AuthorizerKind,
    Cors,
    Location,
    Throttling,
    Trigger,
    TriggerKind,
    Trust,
)

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder
    from faasguard.loaders.cloudformation.context import BuildContext

IMPLICIT_REST = "ServerlessRestApi"
IMPLICIT_HTTP = "ServerlessHttpApi"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "any", "x-amazon-apigateway-any-method")


def _new_api(b: Builder, api_id: str, kind: ApiKind, location: Location, **fields: Any) -> Draft[Api]:
    draft: Draft[Api] = Draft(Api, {"id": api_id, "kind": kind, "location": location, "name": api_id, **fields})
    draft.extra.update(authorizers={}, api_key_required=None, private=False, self_described=True)
    b.apis[api_id] = draft
    return draft


def _throttling(ctx: BuildContext, cfg: Mapping[str, Any], where: Location,
                rate_key: str = "ThrottlingRateLimit", burst_key: str = "ThrottlingBurstLimit") -> Throttling | None:
    rate = ctx.evaluate(cfg.get(rate_key))
    burst = ctx.integer(cfg.get(burst_key)) if burst_key in cfg else None
    rate_f = float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None
    if isinstance(rate, str):
        try:
            rate_f = float(rate)
        except ValueError:
            rate_f = None
    if rate_f is None and burst is None:
        return None
    return Throttling(rate_f, burst, where)


def _rest_cors(ctx: BuildContext, node: Any, where: Location) -> Cors | None:
    """SAM Api ``Cors``: a quoted origin string, or {AllowOrigin, AllowCredentials, ...}."""
    data = ctx.evaluate(node)
    if isinstance(data, str):
        return Cors(allow_origins=(data,), location=where)
    return cors(ctx, node, where)


def _sam_authorizer(ctx: BuildContext, name: str, cfg: Any, where: Location) -> Authorizer:
    cfg = ctx.evaluate(cfg) if not isinstance(cfg, Mapping) else cfg
    if isinstance(cfg, Mapping):
        if "UserPoolArn" in cfg:
            return Authorizer(AuthorizerKind.COGNITO, name, where)
        if "JwtConfiguration" in cfg:
            return Authorizer(AuthorizerKind.JWT, name, where)
        if "FunctionArn" in cfg:
            return Authorizer(AuthorizerKind.LAMBDA, name, where)
    return Authorizer(AuthorizerKind.OTHER, name, where)


def _local_definition(b: Builder, node: Any, where: Location) -> Document | None:
    """The OpenAPI file a ``DefinitionUri: ./api.yaml`` or an ``AWS::Include`` of a local file names,
    parsed (never outside the scan root; S3 locations stay unknown)."""
    ctx = b.ctx
    location: Any = node
    if intrinsic_name(node) == "Fn::Transform":
        transform = node["Fn::Transform"]
        if isinstance(transform, Mapping) and transform.get("Name") == "AWS::Include":
            params = transform.get("Parameters")
            location = params.get("Location") if isinstance(params, Mapping) else None
    text = ctx.text(location) if location is not None else None
    if not text or "://" in text or text.startswith("arn:"):
        return None
    rel = posixpath.normpath(posixpath.join(str(ctx.template_dir), text))
    if rel == ".." or rel.startswith("../") or posixpath.isabs(rel):
        return None
    full = ctx.root / rel
    try:  # never read outside the scan root, even through a symbolic link
        if not full.is_file() or not full.resolve().is_relative_to(ctx.root.resolve()):
            return None
    except OSError:
        return None
    try:
        return load_document(full, rel)
    except DocumentError as exc:
        ctx.error(f"API definition {rel}: {exc.message}", where, exc.kind)
        return None


def read_definition(b: Builder, draft: Draft[Api], node: Any, where: Location, *, external: bool) -> None:
    """An API's OpenAPI definition: inline (DefinitionBody/Body), included, or a local file
    (DefinitionUri). What can't be read leaves the API's routes and auth unknown."""
    source = _local_definition(b, node, where)
    if source is not None:
        draft.extra["definition_doc"] = source
        draft.extra["raw_definition"] = source.data
        _definition_security(b, draft, source.data, where, source)
    elif external or (isinstance(node, Mapping) and "Fn::Transform" in node):
        draft.extra["self_described"] = False
    else:
        draft.extra["raw_definition"] = node
        _definition_security(b, draft, node, where)


def _definition_security(b: Builder, draft: Draft[Api], definition: Any, where: Location,
                         source: Document | None = None) -> None:
    """Auth facts written in an OpenAPI body (x-amazon-apigateway-* extensions)."""
    ctx = b.ctx
    body = ctx.evaluate(definition)
    if not isinstance(body, Mapping):
        draft.extra["self_described"] = False
        return
    schemes: dict[str, Any] = {}
    sd = body.get("securityDefinitions")
    if isinstance(sd, Mapping):
        schemes.update(sd)
    comps = body.get("components")
    if isinstance(comps, Mapping) and isinstance(comps.get("securitySchemes"), Mapping):
        schemes.update(comps["securitySchemes"])
    for name, scheme in schemes.items():
        if not isinstance(scheme, Mapping):
            continue
        auth_type = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
        az = scheme.get("x-amazon-apigateway-authorizer")
        if auth_type == "awssigv4":
            kind = AuthorizerKind.IAM
        elif isinstance(az, Mapping) and str(az.get("type", "")).lower() == "cognito_user_pools":
            kind = AuthorizerKind.COGNITO
        elif isinstance(az, Mapping) and str(az.get("type", "")).lower() == "jwt":
            kind = AuthorizerKind.JWT
        elif isinstance(az, Mapping):
            kind = AuthorizerKind.LAMBDA
        elif str(scheme.get("type", "")).lower() == "apikey":
            kind = AuthorizerKind.API_KEY
        else:
            kind = AuthorizerKind.OTHER
        draft.extra["authorizers"][str(name)] = Authorizer(kind, str(name),
                                                           _scheme_location(source or ctx.doc, definition, str(name),
                                                                            where))
    if body.get("x-amazon-apigateway-request-validators") or body.get("x-amazon-apigateway-request-validator"):
        draft.set("request_validation", True, where)
    if body.get("x-amazon-apigateway-policy"):
        draft.set("resource_policy", True, where)
    draft.extra["definition_security"] = _security_names(body.get("security"))
    draft.extra["definition"] = body


def _scheme_location(doc: Document, raw: Any, name: str, fallback: Location) -> Location:
    """The line of a security scheme in the raw (marked) OpenAPI body."""
    holders = []
    if isinstance(raw, Mapping):
        holders.append(raw.get("securityDefinitions"))
        comps = raw.get("components")
        if isinstance(comps, Mapping):
            holders.append(comps.get("securitySchemes"))
    for holder in holders:
        if isinstance(holder, Mapping) and name in holder:
            loc = doc.key_location(holder, name)
            if loc.line:
                return loc
    return fallback


def _security_names(security: Any) -> list[str] | None:
    if not isinstance(security, list):
        return None
    names: list[str] = []
    for req in security:
        if isinstance(req, Mapping):
            names.extend(str(k) for k in req)
    return names


def definition_routes(b: Builder, draft: Draft[Api], kind: TriggerKind) -> None:
    """Routes of an inline OpenAPI body whose integration URI names a function of the template."""
    body = draft.extra.get("definition")
    if not isinstance(body, Mapping) or not isinstance(body.get("paths"), Mapping):
        return
    raw_paths = _raw_paths(b, draft)
    source: Document = draft.extra.get("definition_doc") or b.ctx.doc
    for path, ops in body["paths"].items():
        if not isinstance(ops, Mapping):
            continue
        for method, op in ops.items():
            if str(method).lower() not in HTTP_METHODS or not isinstance(op, Mapping):
                continue
            integration = op.get("x-amazon-apigateway-integration")
            raw_op = raw_paths.get(str(path), {}).get(str(method)) if raw_paths else None
            raw_integration = raw_op.get("x-amazon-apigateway-integration") if isinstance(raw_op, Mapping) else None
            if not isinstance(integration, Mapping):
                continue
            fn = b.function_by_reference(raw_integration.get("uri") if isinstance(raw_integration, Mapping)
                                         else None)
            if fn is None:
                continue
            raw_ops = raw_paths.get(str(path)) if raw_paths else None
            where = source.key_location(raw_ops, str(method)) if isinstance(raw_ops, Mapping) \
                else draft.fields["location"]
            if not where.line:
                where = draft.fields["location"]
            names = _security_names(op.get("security"))
            if names is None:
                names = draft.extra.get("definition_security") or []
            authorizer = None
            api_key = None
            for name in names:
                found = draft.extra["authorizers"].get(name)
                if found is not None and found.kind is AuthorizerKind.API_KEY:
                    api_key = True
                elif found is not None:
                    authorizer = found
                    break
            if authorizer is None and not names and draft.get("default_authorizer") is not None:
                authorizer = draft.get("default_authorizer")
            method_name = "ANY" if str(method).lower() == "x-amazon-apigateway-any-method" else str(method).upper()
            if any(t.api_id == draft.id and (t.method or "").upper() == method_name and t.path == str(path)
                   for t in fn.get("triggers", [])):
                continue  # already declared by a SAM event on this API
            fn.append("triggers", Trigger(kind, http_trust(authorizer, api_key, draft.extra.get("private", False)),
                                          where, api_id=draft.id, method=method_name, path=str(path),
                                          authorizer=authorizer, api_key_required=api_key,
                                          request_validation=draft.get("request_validation"),
                                          throttling=draft.get("throttling"), cors=draft.get("cors")))


def _raw_paths(b: Builder, draft: Draft[Api]) -> Mapping[str, Any]:
    raw = draft.extra.get("raw_definition")
    paths = raw.get("paths") if isinstance(raw, Mapping) else None
    return paths if isinstance(paths, Mapping) else {}


def sam_rest_api(b: Builder, api_id: str, props: Mapping[str, Any], *, implicit: bool,
                 location: Location) -> Draft[Api]:
    ctx = b.ctx
    global_props = globals_for(ctx.template, "Api")
    merged, origin = merged_properties(global_props, props)
    s = Settings(ctx, api_id, merged, origin, "Api", global_props)
    draft = _new_api(b, api_id, ApiKind.REST, location, implicit=implicit,
                     name=ctx.text(merged.get("Name")) or api_id)
    # Stage settings: stated here or off (SAM creates the stage from these properties).
    draft.set("access_logging", "AccessLogSetting" in s, s.loc("AccessLogSetting") if "AccessLogSetting" in s else None)
    draft.set("tracing", bool(ctx.boolean(merged.get("TracingEnabled"))),
              s.loc("TracingEnabled") if "TracingEnabled" in s else None)
    draft.set("execution_logging", False)
    draft.set("waf", None)
    for i, ms in enumerate(ctx.sequence(merged.get("MethodSettings"), "MethodSettings")):
        if not isinstance(ms, Mapping):
            continue
        where = ctx.loc(ms, *s.pointer("MethodSettings"), i)
        level = (ctx.text(ms.get("LoggingLevel")) or "OFF").upper()
        if level in ("INFO", "ERROR"):
            draft.set("execution_logging", True, where)
        else:
            draft.locations.setdefault("execution_logging", where)
        thr = _throttling(ctx, ms, where)
        if thr is not None and draft.get("throttling") is None:
            draft.set("throttling", thr, where)
        if ctx.boolean(ms.get("DataTraceEnabled")):
            draft.extra["data_trace"] = True
    if "Cors" in s:
        draft.set("cors", _rest_cors(ctx, merged["Cors"], s.loc("Cors")), s.loc("Cors"))
    if "EndpointConfiguration" in s:
        ec = ctx.evaluate(merged["EndpointConfiguration"])
        etype = ec.get("Type") if isinstance(ec, Mapping) else ec
        if isinstance(etype, str):
            draft.set("endpoint_type", etype.upper(), s.loc("EndpointConfiguration"))
            draft.extra["private"] = etype.upper() == "PRIVATE"
    draft.set("usage_plan", False)
    draft.set("resource_policy", False)
    draft.set("request_validation", None)
    auth = ctx.mapping(merged.get("Auth"), f"Auth of {api_id}", merged) if "Auth" in s else None
    if auth is not None:
        auth_ptr = s.pointer("Auth")
        for name, cfg in (ctx.mapping(auth.get("Authorizers"), "Authorizers", auth) or {}).items():
            az_loc = ctx.key_loc(auth["Authorizers"], str(name), *auth_ptr, "Authorizers")
            draft.extra["authorizers"][str(name)] = _sam_authorizer(ctx, str(name), cfg, az_loc)
            if isinstance(cfg, Mapping) and "FunctionArn" in cfg:
                b.authorizer_functions.append((cfg["FunctionArn"], az_loc, api_id, str(name)))
        if "DefaultAuthorizer" in auth:
            where = ctx.key_loc(auth, "DefaultAuthorizer", *auth_ptr, "DefaultAuthorizer")
            draft.set("default_authorizer", _named(draft, ctx.text(auth["DefaultAuthorizer"]), where), where)
        if "ApiKeyRequired" in auth:
            draft.extra["api_key_required"] = ctx.boolean(auth["ApiKeyRequired"])
        if "ResourcePolicy" in auth:
            draft.set("resource_policy", True, ctx.key_loc(auth, "ResourcePolicy", *auth_ptr, "ResourcePolicy"))
        if "UsagePlan" in auth:
            plan = ctx.mapping(auth["UsagePlan"], "UsagePlan", auth) or {}
            create = (ctx.text(plan.get("CreateUsagePlan")) or "NONE").upper()
            draft.set("usage_plan", create in ("PER_API", "SHARED"),
                      ctx.key_loc(auth, "UsagePlan", *auth_ptr, "UsagePlan"))
            quota = ctx.mapping(plan.get("Throttle"), "Throttle", plan)
            if quota and draft.get("throttling") is None:
                draft.set("throttling", _throttling(ctx, quota, ctx.key_loc(plan, "Throttle"), "RateLimit",
                                                    "BurstLimit"))
    if "DefinitionBody" in s:
        read_definition(b, draft, merged["DefinitionBody"], s.loc("DefinitionBody"), external=False)
    elif "DefinitionUri" in s:  # routes and auth live in another file: read it when it is local
        read_definition(b, draft, merged["DefinitionUri"], s.loc("DefinitionUri"), external=True)
    if draft.get("request_validation") is None and draft.extra["self_described"]:
        draft.fields["request_validation"] = False
    return draft


def _named(draft: Draft[Api], name: str | None, where: Location) -> Authorizer | None:
    """An authorizer by the name an event or DefaultAuthorizer uses."""
    if name is None:
        return Authorizer(AuthorizerKind.OTHER, "unresolved", where)
    if name.upper() == "NONE":
        return None
    if name.upper() == "AWS_IAM":
        return Authorizer(AuthorizerKind.IAM, "AWS_IAM", where)
    found = draft.extra["authorizers"].get(name)
    if found is not None:
        return Authorizer(found.kind, found.name, where)
    return Authorizer(AuthorizerKind.OTHER, name, where)


def sam_http_api(b: Builder, api_id: str, props: Mapping[str, Any], *, implicit: bool,
                 location: Location) -> Draft[Api]:
    ctx = b.ctx
    global_props = globals_for(ctx.template, "HttpApi")
    merged, origin = merged_properties(global_props, props)
    s = Settings(ctx, api_id, merged, origin, "HttpApi", global_props)
    draft = _new_api(b, api_id, ApiKind.HTTP, location, implicit=implicit,
                     name=ctx.text(merged.get("Name")) or api_id)
    draft.set("access_logging", "AccessLogSettings" in s,
              s.loc("AccessLogSettings") if "AccessLogSettings" in s else None)
    if "DefaultRouteSettings" in s:
        drs = ctx.mapping(merged["DefaultRouteSettings"], "DefaultRouteSettings", merged) or {}
        draft.set("throttling", _throttling(ctx, drs, s.loc("DefaultRouteSettings")), s.loc("DefaultRouteSettings"))
    if "CorsConfiguration" in s:
        draft.set("cors", cors(ctx, merged["CorsConfiguration"], s.loc("CorsConfiguration")),
                  s.loc("CorsConfiguration"))
    auth = ctx.mapping(merged.get("Auth"), f"Auth of {api_id}", merged) if "Auth" in s else None
    if auth is not None:
        auth_ptr = s.pointer("Auth")
        for name, cfg in (ctx.mapping(auth.get("Authorizers"), "Authorizers", auth) or {}).items():
            az_loc = ctx.key_loc(auth["Authorizers"], str(name), *auth_ptr, "Authorizers")
            draft.extra["authorizers"][str(name)] = _sam_authorizer(ctx, str(name), cfg, az_loc)
            if isinstance(cfg, Mapping) and "FunctionArn" in cfg:
                b.authorizer_functions.append((cfg["FunctionArn"], az_loc, api_id, str(name)))
        if ctx.boolean(auth.get("EnableIamAuthorizer")):
            draft.extra["authorizers"]["AWS_IAM"] = Authorizer(AuthorizerKind.IAM, "AWS_IAM",
                                                               ctx.key_loc(auth, "EnableIamAuthorizer"))
        if "DefaultAuthorizer" in auth:
            where = ctx.key_loc(auth, "DefaultAuthorizer", *auth_ptr, "DefaultAuthorizer")
            draft.set("default_authorizer", _named(draft, ctx.text(auth["DefaultAuthorizer"]), where), where)
    if "DefinitionBody" in s:
        read_definition(b, draft, merged["DefinitionBody"], s.loc("DefinitionBody"), external=False)
    elif "DefinitionUri" in s:
        read_definition(b, draft, merged["DefinitionUri"], s.loc("DefinitionUri"), external=True)
    return draft


@handles(DEFINE_APIS, "AWS::Serverless::Api")
def serverless_api(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    sam_rest_api(b, logical_id, props, implicit=False, location=b.ctx.resource_loc(logical_id))


@handles(DEFINE_APIS, "AWS::Serverless::HttpApi")
def serverless_http_api(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    sam_http_api(b, logical_id, props, implicit=False, location=b.ctx.resource_loc(logical_id))


def implicit_api(b: Builder, kind: ApiKind, location: Location) -> Draft[Api]:
    """ServerlessRestApi / ServerlessHttpApi, created by SAM for events without RestApiId/ApiId,
    configured by Globals.Api / Globals.HttpApi."""
    api_id = IMPLICIT_REST if kind is ApiKind.REST else IMPLICIT_HTTP
    if api_id in b.apis:
        return b.apis[api_id]
    section = "Api" if kind is ApiKind.REST else "HttpApi"
    g = b.ctx.template.get("Globals")
    gsec = g.get(section) if isinstance(g, Mapping) else None
    where = b.ctx.key_loc(g, section, "Globals", section) if isinstance(gsec, Mapping) else location
    if kind is ApiKind.REST:
        return sam_rest_api(b, api_id, {}, implicit=True, location=where)
    return sam_http_api(b, api_id, {}, implicit=True, location=where)


def route_auth(b: Builder, api: Draft[Api], auth_node: Any, where: Location
               ) -> tuple[Authorizer | None, bool | None]:
    """A SAM Api/HttpApi event's authorizer and API key requirement, with the API's defaults."""
    ctx = b.ctx
    auth = ctx.evaluate(auth_node) if auth_node is not None else None
    authorizer = api.get("default_authorizer")
    api_key = api.extra.get("api_key_required")
    if isinstance(auth, Mapping):
        if "Authorizer" in auth:
            name = auth["Authorizer"]
            authorizer = _named(api, name if isinstance(name, str) else None, where)
        if "ApiKeyRequired" in auth:
            value = auth["ApiKeyRequired"]
            api_key = value if isinstance(value, bool) else ctx.boolean(value)
    return authorizer, api_key


# ---- AWS::ApiGateway (REST, v1) ------------------------------------------------------------------

@handles(DEFINE_APIS, "AWS::ApiGateway::RestApi")
def rest_api(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    s = Settings(ctx, logical_id, props)
    draft = _new_api(b, logical_id, ApiKind.REST, ctx.resource_loc(logical_id),
                     name=ctx.text(props.get("Name")) or logical_id)
    draft.set("resource_policy", "Policy" in s, s.loc("Policy") if "Policy" in s else None)
    if "EndpointConfiguration" in s:
        ec = ctx.mapping(props["EndpointConfiguration"], "EndpointConfiguration", props) or {}
        types = ctx.evaluate(ec.get("Types", []))
        types = types if isinstance(types, list) else [types]
        if types and isinstance(types[0], str):
            draft.set("endpoint_type", types[0].upper(), s.loc("EndpointConfiguration"))
            draft.extra["private"] = types[0].upper() == "PRIVATE"
    if "Body" in s:
        read_definition(b, draft, props["Body"], s.loc("Body"), external=False)
    elif "BodyS3Location" in s:
        draft.extra["self_described"] = False
    draft.extra["stage_found"] = False


@handles(DEFINE_APIS, "AWS::ApiGateway::Authorizer")
def rest_authorizer(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    kind = (ctx.text(props.get("Type")) or "").upper()
    b.types[logical_id] = "AWS::ApiGateway::Authorizer"
    name = ctx.text(props.get("Name")) or logical_id
    b.authorizers[logical_id] = Authorizer(
        AuthorizerKind.COGNITO if kind == "COGNITO_USER_POOLS" else AuthorizerKind.LAMBDA,
        name, ctx.resource_loc(logical_id))
    if "AuthorizerUri" in props:
        b.authorizer_functions.append((props["AuthorizerUri"], ctx.resource_loc(logical_id),
                                       ctx.ref_target(props.get("RestApiId")), name))


@handles(DEFINE_APIS, "AWS::ApiGatewayV2::Authorizer")
def v2_authorizer(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    kind = (ctx.text(props.get("AuthorizerType")) or "").upper()
    name = ctx.text(props.get("Name")) or logical_id
    b.authorizers[logical_id] = Authorizer(
        AuthorizerKind.JWT if kind == "JWT" else AuthorizerKind.LAMBDA, name, ctx.resource_loc(logical_id))
    if "AuthorizerUri" in props:
        b.authorizer_functions.append((props["AuthorizerUri"], ctx.resource_loc(logical_id),
                                       ctx.ref_target(props.get("ApiId")), name))


def _resource_path(b: Builder, resource_node: Any) -> str | None:
    """The path of an AWS::ApiGateway::Resource, following ParentId up to the root."""
    ctx = b.ctx
    parts: list[str] = []
    target = ctx.ref_target(resource_node)
    seen: set[str] = set()
    while target is not None and target not in seen:
        seen.add(target)
        body = ctx.resources.get(target)
        if not isinstance(body, Mapping) or body.get("Type") != "AWS::ApiGateway::Resource":
            break
        props = body.get("Properties")
        if not isinstance(props, Mapping):
            break
        parts.append(ctx.text(props.get("PathPart")) or "?")
        target = ctx.ref_target(props.get("ParentId"))
    if not parts:
        return "/" if resource_node is not None else None
    return "/" + "/".join(reversed(parts))


@handles(LINKS, "AWS::ApiGateway::Method")
def rest_method(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    api = b.api_of(ctx.ref_target(props.get("RestApiId")))
    integration = ctx.mapping(props.get("Integration"), f"Integration of {logical_id}", props)
    if integration is None:
        return
    fn = b.function_by_reference(integration.get("Uri"))
    if fn is None:
        return
    s = Settings(ctx, logical_id, props)
    auth_type = (ctx.text(props.get("AuthorizationType")) or "NONE").upper()
    where = s.loc("AuthorizationType") if "AuthorizationType" in s else ctx.resource_loc(logical_id)
    authorizer: Authorizer | None = None
    if auth_type == "AWS_IAM":
        authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", where)
    elif auth_type in ("CUSTOM", "COGNITO_USER_POOLS"):
        found = b.authorizers.get(ctx.ref_target(props.get("AuthorizerId")) or "")
        kind = AuthorizerKind.COGNITO if auth_type == "COGNITO_USER_POOLS" else AuthorizerKind.LAMBDA
        authorizer = Authorizer(found.kind if found else kind, found.name if found else auth_type, where)
    api_key = ctx.boolean(props.get("ApiKeyRequired")) if "ApiKeyRequired" in s else False
    validation = "RequestValidatorId" in s or (api is not None and api.get("request_validation") is True)
    private = bool(api and api.extra.get("private"))
    fn.append("triggers", Trigger(
        TriggerKind.REST_API, http_trust(authorizer, api_key, private), where,
        api_id=api.id if api else ctx.ref_target(props.get("RestApiId")),
        method=(ctx.text(props.get("HttpMethod")) or "ANY").upper(),
        path=_resource_path(b, props.get("ResourceId")), authorizer=authorizer, api_key_required=api_key,
        request_validation=validation, properties={"authorization_type": auth_type}))


def _stage_settings(b: Builder, api: Draft[Api], cfg: Mapping[str, Any], where: Location,
                    pointer: tuple[str | int, ...]) -> None:
    """Stage (or Deployment StageDescription) logging, tracing, throttling."""
    ctx = b.ctx
    api.extra["stage_found"] = True
    if "AccessLogSetting" in cfg or "AccessLogSettings" in cfg:
        key = "AccessLogSetting" if "AccessLogSetting" in cfg else "AccessLogSettings"
        api.set("access_logging", True, ctx.key_loc(cfg, key, *pointer, key))
    elif api.get("access_logging") is None:
        api.set("access_logging", False, where)
    if "TracingEnabled" in cfg:
        api.set("tracing", bool(ctx.boolean(cfg["TracingEnabled"])), ctx.key_loc(cfg, "TracingEnabled"))
    elif api.get("tracing") is None and api.get("kind") is ApiKind.REST:
        api.set("tracing", False, where)
    levels: list[tuple[str, Location]] = []
    if "LoggingLevel" in cfg:
        levels.append(((ctx.text(cfg["LoggingLevel"]) or "OFF").upper(), ctx.key_loc(cfg, "LoggingLevel")))
    settings = ctx.sequence(cfg.get("MethodSettings"), "MethodSettings")
    for i, ms in enumerate(settings):
        if isinstance(ms, Mapping):
            mloc = ctx.loc(ms, *pointer, "MethodSettings", i)
            if "LoggingLevel" in ms:
                levels.append(((ctx.text(ms["LoggingLevel"]) or "OFF").upper(), mloc))
            thr = _throttling(ctx, ms, mloc)
            if thr is not None:
                api.set("throttling", thr, mloc)
    drs = ctx.mapping(cfg.get("DefaultRouteSettings"), "DefaultRouteSettings", cfg)
    if drs:
        dloc = ctx.key_loc(cfg, "DefaultRouteSettings")
        thr = _throttling(ctx, drs, dloc)
        if thr is not None:
            api.set("throttling", thr, dloc)
        if "LoggingLevel" in drs:
            levels.append(((ctx.text(drs["LoggingLevel"]) or "OFF").upper(), dloc))
    thr = _throttling(ctx, cfg, where)
    if thr is not None:
        api.set("throttling", thr, where)
    if any(level in ("INFO", "ERROR") for level, _ in levels):
        api.set("execution_logging", True, next(loc for level, loc in levels if level in ("INFO", "ERROR")))
    elif api.get("execution_logging") is None and api.get("kind") is not ApiKind.HTTP:
        api.set("execution_logging", False, levels[0][1] if levels else where)


@handles(DEFINE, "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage")
def stage(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    api_id = ctx.ref_target(props.get("RestApiId") if "RestApiId" in props else props.get("ApiId"))
    api = b.api_of(api_id)
    if api is None:
        return
    b.api_stages[logical_id] = api.id
    _stage_settings(b, api, props, ctx.resource_loc(logical_id), ("Resources", logical_id, "Properties"))


@handles(DEFINE, "AWS::ApiGateway::Deployment")
def deployment(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    api = b.api_of(ctx.ref_target(props.get("RestApiId")))
    if api is None:
        return
    b.api_stages[logical_id] = api.id
    desc = ctx.mapping(props.get("StageDescription"), "StageDescription", props)
    if desc is not None:
        _stage_settings(b, api, desc, ctx.key_loc(props, "StageDescription"),
                        ("Resources", logical_id, "Properties", "StageDescription"))


@handles(DEFINE, "AWS::ApiGateway::UsagePlan")
def usage_plan(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    throttle = ctx.mapping(props.get("Throttle"), "Throttle", props)
    for stage_ref in ctx.sequence(props.get("ApiStages"), "ApiStages"):
        if not isinstance(stage_ref, Mapping):
            continue
        api = b.api_of(ctx.ref_target(stage_ref.get("ApiId")))
        if api is None:
            continue
        api.set("usage_plan", True, ctx.resource_loc(logical_id))
        if throttle and api.get("throttling") is None:
            api.set("throttling", _throttling(ctx, throttle, ctx.key_loc(props, "Throttle"), "RateLimit",
                                              "BurstLimit"))


@handles(DEFINE, "AWS::ApiGateway::RequestValidator")
def request_validator(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    b.validators.add(logical_id)


# ---- AWS::ApiGatewayV2 (HTTP and WebSocket) ------------------------------------------------------

@handles(DEFINE_APIS, "AWS::ApiGatewayV2::Api")
def v2_api(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    s = Settings(ctx, logical_id, props)
    protocol = (ctx.text(props.get("ProtocolType")) or "HTTP").upper()
    kind = ApiKind.WEBSOCKET if protocol == "WEBSOCKET" else ApiKind.HTTP
    draft = _new_api(b, logical_id, kind, ctx.resource_loc(logical_id), name=ctx.text(props.get("Name")) or logical_id)
    if "CorsConfiguration" in s:
        draft.set("cors", cors(ctx, props["CorsConfiguration"], s.loc("CorsConfiguration")), s.loc("CorsConfiguration"))
    if "Body" in s:
        read_definition(b, draft, props["Body"], s.loc("Body"), external=False)
    elif "BodyS3Location" in s:
        draft.extra["self_described"] = False
    if "Target" in s:  # quick create: one $default route to the target, no authorizer
        draft.extra["quick_target"] = (props["Target"], s.loc("Target"))
    draft.extra["stage_found"] = "Target" in s  # quick create makes a $default stage


@handles(LINKS, "AWS::ApiGatewayV2::Route")
def v2_route(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    api = b.api_of(ctx.ref_target(props.get("ApiId")))
    target = props.get("Target")
    integration_id = next((r for r in referenced_ids(target) if b.types.get(r) == "AWS::ApiGatewayV2::Integration"),
                          None)
    fn = None
    if integration_id is not None:
        integ = ctx.resources[integration_id].get("Properties")
        if isinstance(integ, Mapping):
            fn = b.function_by_reference(integ.get("IntegrationUri"))
    if fn is None:
        return
    s = Settings(ctx, logical_id, props)
    auth_type = (ctx.text(props.get("AuthorizationType")) or "NONE").upper()
    where = s.loc("AuthorizationType") if "AuthorizationType" in s else ctx.resource_loc(logical_id)
    authorizer: Authorizer | None = None
    if auth_type == "AWS_IAM":
        authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", where)
    elif auth_type in ("JWT", "CUSTOM"):
        found = b.authorizers.get(ctx.ref_target(props.get("AuthorizerId")) or "")
        az_kind = AuthorizerKind.JWT if auth_type == "JWT" else AuthorizerKind.LAMBDA
        authorizer = Authorizer(found.kind if found else az_kind, found.name if found else auth_type, where)
    route_key = ctx.text(props.get("RouteKey")) or "$default"
    method, _, path = route_key.partition(" ")
    if not path:
        method, path = "ANY", route_key
    kind = TriggerKind.WEBSOCKET if api is not None and api.get("kind") is ApiKind.WEBSOCKET else TriggerKind.HTTP_API
    api_key = ctx.boolean(props.get("ApiKeyRequired")) if "ApiKeyRequired" in s else None
    fn.append("triggers", Trigger(kind, http_trust(authorizer, api_key), where,
                                  api_id=api.id if api else None, method=method, path=path, authorizer=authorizer,
                                  api_key_required=api_key, cors=api.get("cors") if api else None,
                                  properties={"authorization_type": auth_type, "route_key": route_key}))


@handles(LINKS, "AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation")
def waf_association(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    node = props.get("ResourceArn")
    for rid in referenced_ids(node):
        api = b.api_of(rid)
        if api is None and rid.endswith("Stage"):  # SAM's generated <Api><StageName>Stage ids
            api = next((a for aid, a in b.apis.items() if rid.startswith(aid)), None)
        if api is not None:
            api.set("waf", True, ctx.resource_loc(logical_id))
            return
    text = str(ctx.value(node))
    for api in b.apis.values():
        if f"/restapis/${{{api.id}}}" in text:
            api.set("waf", True, ctx.resource_loc(logical_id))
            return


def finish_apis(b: Builder) -> None:
    """API-level defaults once every stage and association is known, and quick-create routes."""
    for api in b.apis.values():
        kind = api.get("kind")
        if kind is ApiKind.REST:
            if api.get("waf") is None and b.self_contained:
                api.fields["waf"] = False
            if api.get("usage_plan") is None:
                api.fields["usage_plan"] = False
            if not api.extra.get("stage_found", True):
                for key in ("access_logging", "tracing", "execution_logging"):
                    if api.get(key) is None:
                        api.fields[key] = False
        elif kind in (ApiKind.HTTP, ApiKind.WEBSOCKET) and api.get("access_logging") is None \
                and api.extra.get("stage_found"):
            api.fields["access_logging"] = False
        if api.extra.get("private") and api.get("endpoint_type") is None:
            api.fields["endpoint_type"] = "PRIVATE"
        quick = api.extra.get("quick_target")
        if quick:
            node, where = quick
            fn = b.function_by_reference(node)
            if fn is not None:
                fn.append("triggers", Trigger(TriggerKind.HTTP_API, http_trust(None), where, api_id=api.id,
                                              method="ANY", path="$default", cors=api.get("cors")))
        if kind is ApiKind.REST:
            definition_routes(b, api, TriggerKind.REST_API)
        elif kind is ApiKind.HTTP:
            definition_routes(b, api, TriggerKind.HTTP_API)
    _request_validation_from_routes(b)
    _authorizer_function_triggers(b)


def _authorizer_function_triggers(b: Builder) -> None:
    """API Gateway calls a Lambda authorizer with whatever token and headers the caller sends,
    before any authentication: the authorizer function's input is public. It is modelled as an
    OTHER trigger (not an HTTP route: it has no route and no authorizer of its own)."""
    for node, where, api_id, name in b.authorizer_functions:
        fn = b.function_by_reference(node)
        if fn is None:
            continue
        fn.append("triggers", Trigger(TriggerKind.OTHER, Trust.PUBLIC, where, api_id=api_id,
                                      properties={"source": "apigateway_authorizer", "authorizer": name}))


def _request_validation_from_routes(b: Builder) -> None:
    """A REST API whose every route validates its requests validates requests (validators are
    per method); one route without is enough for the API to count as not validating."""
    routes: dict[str, list[bool | None]] = {}
    for fn in b.functions.values():
        for trigger in fn.get("triggers", []):
            if trigger.api_id in b.apis and trigger.kind is TriggerKind.REST_API:
                routes.setdefault(trigger.api_id, []).append(trigger.request_validation)
    for api_id, flags in routes.items():
        api = b.apis[api_id]
        if api.get("request_validation") is not True and flags and all(flags):
            api.fields["request_validation"] = True
        elif api.get("request_validation") is None and any(f is False for f in flags):
            api.fields["request_validation"] = False

