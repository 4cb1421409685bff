"""Implicit APIs: stage settings from provider, with the lines that set them."""

from __future__ import annotations

from faasguard.model import ApiKind, AuthorizerKind, Trust


def test_rest_api_stage_settings(sls):
    app, errors = sls("""service: s
provider:
  name: aws
  endpointType: REGIONAL
  logs:
    restApi:
      accessLogging: true
      executionLogging: false
    httpApi: true
    websocket: true
  tracing:
    apiGateway: true
  apiGateway:
    apiKeys:
      - name: key1
    resourcePolicy:
      - Effect: Allow
        Principal: '*'
        Action: execute-api:Invoke
        Resource: ['execute-api:/*']
custom:
  associateWaf:
    name: my-acl
functions:
  a:
    handler: h.h
    events:
      - http: GET a
      - httpApi: GET /b
      - websocket: $default
""")
    assert errors == []
    rest = app.api("ApiGatewayRestApi")
    assert (rest.kind, rest.implicit, rest.endpoint_type, rest.name) == (ApiKind.REST, True, "REGIONAL", "dev-s")
    assert (rest.access_logging, rest.execution_logging, rest.tracing, rest.usage_plan, rest.resource_policy,
            rest.waf) == (True, False, True, True, True, True)
    assert {k: rest.loc(k).line for k in ("access_logging", "tracing", "usage_plan", "resource_policy", "waf",
                                           "endpoint_type")} == {
        "access_logging": 6, "tracing": 12, "usage_plan": 14, "resource_policy": 16, "waf": 22,
        "endpoint_type": 4}
    assert rest.location.line == 28  # the first route that creates it
    http = app.api("HttpApi")
    assert (http.kind, http.access_logging, http.loc("access_logging").line) == (ApiKind.HTTP, True, 9)
    ws = app.api("WebsocketsApi")
    assert (ws.kind, ws.access_logging, ws.loc("access_logging").line) == (ApiKind.WEBSOCKET, True, 10)
    assert ws.default_authorizer is None
    assert app.functions[0].triggers[2].trust is Trust.PUBLIC


def test_apis_without_settings_are_explicitly_off(sls):
    app, _ = sls("service: s\nprovider: aws\nfunctions:\n  a:\n    handler: h.h\n    events:\n      - http: GET a\n")
    rest = app.api("ApiGatewayRestApi")
    assert (rest.access_logging, rest.execution_logging, rest.tracing, rest.usage_plan, rest.waf,
            rest.resource_policy, rest.throttling) == (False, False, False, False, False, False, None)
    assert rest.loc("access_logging") == rest.location
    assert app.api("HttpApi") is None and app.api("WebsocketsApi") is None


def test_waf_association_in_resources(sls):
    app, _ = sls("""service: s
provider: aws
functions:
  a:
    handler: h.h
    events:
      - http: GET a
resources:
  Resources:
    Waf:
      Type: AWS::WAFv2::WebACLAssociation
      Properties:
        ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${ApiGatewayRestApi}/stages/dev
        WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1
""")
    rest = app.api("ApiGatewayRestApi")
    assert rest.waf is True and rest.loc("waf").line == 10


def test_external_apis_are_not_implicit(sls):
    app, _ = sls("""service: s
provider:
  name: aws
  apiGateway:
    restApiId: abc123
    restApiRootResourceId: root
  httpApi:
    id: def456
functions:
  a:
    handler: h.h
    events:
      - http: GET a
      - httpApi: GET /b
""")
    rest, http = app.functions[0].triggers
    assert (rest.api_id, http.api_id) == ("abc123", "def456")
    assert app.apis == ()


def test_http_api_cors_and_authorizer_types(sls):
    app, _ = sls("""service: s
provider:
  name: aws
  httpApi:
    cors:
      allowedOrigins: ['*']
      allowCredentials: true
    authorizers:
      custom:
        type: request
        functionName: auth
functions:
  a:
    handler: h.h
    events:
      - httpApi:
          path: /x
          method: get
          authorizer: custom
""")
    http = app.api("HttpApi")
    assert http.cors.any_origin and http.cors.allow_credentials is True and http.loc("cors").line == 5
    (trigger,) = app.functions[0].triggers
    assert trigger.authorizer.kind is AuthorizerKind.LAMBDA and trigger.trust is Trust.AUTHENTICATED
    assert trigger.cors.allow_credentials is True
