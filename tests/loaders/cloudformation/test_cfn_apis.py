"""API Gateway: SAM Api/HttpApi auth and stage settings, inline OpenAPI, CFN REST and v2 resources."""

from __future__ import annotations

from cfn_helpers import line, load

from faasguard.model import ApiKind, AuthorizerKind, TriggerKind, Trust


def routes(app, fn_id: str):
    fn = app.function(fn_id)
    assert fn is not None
    return {t.route: t for t in fn.triggers if t.is_http}


def test_sam_api_default_authorizer_none_override_and_api_key() -> None:
    f = "sam_apis.yaml"
    app, errors = load(f)
    assert errors == []
    r = routes(app, "OrdersFunction")
    orders = r["GET /orders"]
    assert orders.trust is Trust.AUTHENTICATED and orders.authorizer is not None
    assert (orders.authorizer.kind, orders.authorizer.name) == (AuthorizerKind.COGNITO, "UsersPool")
    assert orders.authorizer.location is not None
    assert orders.authorizer.location.line == line(f, "DefaultAuthorizer: UsersPool")
    assert orders.location.line == line(f, "ListOrders:")
    health = r["GET /health"]
    assert (health.trust, health.authorizer) == (Trust.PUBLIC, None)  # Authorizer: NONE beats the default
    assert health.location.line == line(f, "Health:")
    admin = r["POST /admin"]
    assert admin.authorizer is not None and (admin.authorizer.kind, admin.authorizer.name) == (
        AuthorizerKind.LAMBDA, "TokenAuth")
    assert admin.authorizer.location is not None and admin.authorizer.location.line == line(f, "Authorizer: TokenAuth")
    assert admin.api_key_required is True
    # the Lambda authorizer itself is invoked with whatever callers send: public input, no route
    auth_fn = app.function("AuthFunction")
    assert auth_fn is not None
    [az] = auth_fn.triggers
    assert (az.kind, az.trust, az.api_id, az.location.line) == (TriggerKind.OTHER, Trust.PUBLIC, "OrdersApi",
                                                                line(f, "TokenAuth:"))
    assert az.properties == {"source": "apigateway_authorizer", "authorizer": "TokenAuth"}
    internal = r["GET /internal"]
    assert (internal.api_id, internal.trust) == ("PrivateApi", Trust.INTERNAL)


def test_sam_api_stage_settings() -> None:
    f = "sam_apis.yaml"
    app, _ = load(f)
    api = app.api("OrdersApi")
    assert api is not None and (api.kind, api.implicit) == (ApiKind.REST, False)
    assert (api.access_logging, api.execution_logging, api.tracing) == (True, True, True)
    assert api.loc("access_logging").line == line(f, "AccessLogSetting:")
    assert api.loc("execution_logging").line == line(f, "- ResourcePath: '/*'")
    assert api.loc("tracing").line == line(f, "TracingEnabled: true")
    assert api.throttling is not None and (api.throttling.rate_limit, api.throttling.burst_limit) == (100.0, 50)
    assert api.cors is not None and api.cors.any_origin and api.cors.allow_credentials is True
    assert api.loc("cors").line == line(f, "Cors:")
    assert (api.resource_policy, api.usage_plan, api.waf) == (True, True, False)
    assert api.loc("usage_plan").line == line(f, "UsagePlan:")
    private = app.api("PrivateApi")
    assert private is not None and private.endpoint_type == "PRIVATE"
    assert (private.access_logging, private.tracing, private.usage_plan) == (False, False, False)
    assert private.loc("endpoint_type").line == line(f, "EndpointConfiguration:", 1)


def test_sam_http_api_jwt_default_iam_and_none() -> None:
    f = "sam_apis.yaml"
    app, _ = load(f)
    api = app.api("FrontHttpApi")
    assert api is not None and api.kind is ApiKind.HTTP
    assert api.default_authorizer is not None and api.default_authorizer.kind is AuthorizerKind.JWT
    assert api.throttling is not None and (api.throttling.rate_limit, api.throttling.burst_limit) == (10.0, 20)
    assert api.cors is not None and api.cors.allow_origins == ("https://example.com",) and not api.cors.any_origin
    r = routes(app, "OrdersFunction")
    assert r["GET /front"].authorizer is not None and r["GET /front"].authorizer.kind is AuthorizerKind.JWT
    assert (r["GET /public"].trust, r["GET /public"].authorizer) == (Trust.PUBLIC, None)
    iam = r["GET /iam"]
    assert iam.authorizer is not None and iam.authorizer.kind is AuthorizerKind.IAM and iam.trust is Trust.AUTHENTICATED


def test_inline_openapi_routes_and_external_definition() -> None:
    f = "openapi_api.yaml"
    app, errors = load(f)
    assert errors == []
    r = routes(app, "BodyFunction")
    assert set(r) == {"GET /open", "POST /signed", "GET /ext"}
    assert (r["GET /open"].trust, r["GET /open"].location.line) == (Trust.PUBLIC, line(f, "get:"))
    signed = r["POST /signed"]
    assert signed.authorizer is not None and (signed.authorizer.kind, signed.authorizer.name) == (
        AuthorizerKind.IAM, "sigv4")
    assert signed.authorizer.location is not None and signed.authorizer.location.line == line(f, "sigv4:")
    assert signed.request_validation is True
    body_api = app.api("BodyApi")
    assert body_api is not None and body_api.request_validation is True
    external = app.api("ExternalApi")
    assert external is not None and external.request_validation is None  # defined in another file: unknown
    assert r["GET /ext"].properties["api_definition_external"] is True


def test_cloudformation_rest_methods_stage_plan_waf() -> None:
    f = "cfn_apis.yaml"
    app, errors = load(f)
    assert errors == []
    assert app.source_kind == "cloudformation"
    r = routes(app, "Fn")
    public = r["GET /items/{id}"]
    assert (public.kind, public.trust, public.api_id) == (TriggerKind.REST_API, Trust.PUBLIC, "RestApi")
    assert public.location.line == line(f, "AuthorizationType: NONE")
    guarded = r["POST /items"]
    assert guarded.authorizer is not None and (guarded.authorizer.kind, guarded.authorizer.name) == (
        AuthorizerKind.LAMBDA, "token")
    assert guarded.request_validation is True and public.request_validation is False
    rest = app.api("RestApi")
    assert rest is not None and rest.request_validation is False  # one route without a validator
    api = app.api("RestApi")
    assert api is not None
    assert (api.endpoint_type, api.access_logging, api.execution_logging, api.tracing) == ("REGIONAL", False, False,
                                                                                          False)
    assert api.loc("tracing").line == line(f, "TracingEnabled: false")
    assert api.loc("execution_logging").line == line(f, "- ResourcePath: '/*'")
    assert api.throttling is not None and api.throttling.rate_limit == 5.0
    assert (api.usage_plan, api.waf) == (True, True)
    assert api.loc("waf").line == line(f, "  WafAssociation:")
    other = app.api("OtherRestApi")
    assert other is not None and (other.waf, other.usage_plan, other.access_logging) == (False, False, False)


def test_cloudformation_v2_routes_and_quick_create() -> None:
    f = "cfn_apis.yaml"
    app, _ = load(f)
    r = routes(app, "Fn")
    open_route = r["GET /open"]
    assert (open_route.kind, open_route.trust, open_route.api_id) == (TriggerKind.HTTP_API, Trust.PUBLIC, "HttpApi")
    jwt = r["POST /orders"]
    assert jwt.authorizer is not None and (jwt.authorizer.kind, jwt.authorizer.name) == (AuthorizerKind.JWT, "jwt")
    assert jwt.location.line == line(f, "AuthorizationType: JWT")
    quick = r["ANY $default"]
    assert (quick.api_id, quick.trust, quick.location.line) == ("QuickApi", Trust.PUBLIC, line(f, "Target: !GetAtt"))
    http = app.api("HttpApi")
    assert http is not None and http.access_logging is True and http.cors is not None and http.cors.any_origin
    assert http.cors.allow_credentials is True


def test_lambda_permission() -> None:
    f = "cfn_apis.yaml"
    app, _ = load(f)
    [perm] = app.permissions
    assert (perm.function_id, perm.principal, perm.action) == ("Fn", "apigateway.amazonaws.com",
                                                               "lambda:InvokeFunction")
    assert perm.location.line == line(f, "Principal: apigateway.amazonaws.com")
    assert perm.source_arn is not None and perm.source_arn.ref == "RestApi"
    assert str(perm.source_arn) == "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*"
    assert perm.source_account is None


IMPLICIT_WAF = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    EndpointConfiguration: PRIVATE
    Cors: "'*'"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k.zip
      Handler: a.b
      Runtime: python3.12
      AutoPublishAlias: live
      Events:
        Get:
          Type: Api
          Properties: {Path: /, Method: get}
  Assoc:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${ServerlessRestApi}/stages/Prod
      WebACLArn: arn:aws:wafv2:us-east-1:1:regional/webacl/x/y
  AliasPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Fn.Alias
      Principal: '*'
"""


def test_implicit_api_globals_waf_and_alias_reference() -> None:
    from cfn_helpers import load_text

    app, errors = load_text(IMPLICIT_WAF)
    assert errors == []
    api = app.api("ServerlessRestApi")
    assert api is not None and api.implicit
    assert (api.endpoint_type, api.waf) == ("PRIVATE", True)
    assert api.loc("waf").line == 18 and api.loc("endpoint_type").line == 4
    assert api.cors is not None and api.cors.any_origin
    fn = app.function("Fn")
    assert fn is not None
    [get] = fn.triggers
    assert (get.trust, get.cors) == (Trust.INTERNAL, api.cors)  # private endpoint: reachable from a VPC only
    [perm] = app.permissions
    assert (perm.function_id, perm.principal, perm.location.line) == ("Fn", "*", 27)


def test_openapi_from_local_files_points_into_them() -> None:
    f = "include_app/template.yaml"
    app, errors = load(f)
    assert errors == []
    fn = app.function("ItemsFunction")
    assert fn is not None
    r = {t.route: t for t in fn.triggers}
    assert set(r) == {"GET /items", "POST /items", "GET /ping"}
    get = r["GET /items"]
    assert get.authorizer is not None and (get.authorizer.kind, get.authorizer.name) == (AuthorizerKind.COGNITO,
                                                                                         "cognito")
    assert (get.location.file, get.location.line) == ("include_app/api/openapi.yaml",
                                                      line("include_app/api/openapi.yaml", "    get:"))
    assert get.authorizer.location is not None
    assert get.authorizer.location.line == line("include_app/api/openapi.yaml", "    cognito:")
    post = r["POST /items"]
    assert (post.trust, post.location.line) == (Trust.PUBLIC, line("include_app/api/openapi.yaml", "    post:"))
    ping = r["GET /ping"]  # DefinitionUri file, integration URI with a literal function ARN
    assert (ping.kind, ping.api_id, ping.location.file) == (TriggerKind.HTTP_API, "FileHttpApi",
                                                            "include_app/api/http.yaml")
    included = app.api("IncludedApi")
    assert included is not None and included.request_validation is False  # read: no validators in it
    assert app.files == ("include_app/template.yaml", "include_app/api/openapi.yaml", "include_app/api/http.yaml")
    escape = app.api("Escape")
    assert escape is not None and escape.request_validation is None  # outside the scan root: unknown
