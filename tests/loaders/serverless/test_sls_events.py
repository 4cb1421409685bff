"""Events -> triggers: kind, trust, route, authorizer, source and the line of each event entry."""

from __future__ import annotations

import pytest

from faasguard.model import ApiKind, AuthorizerKind, ErrorKind, Function, Trigger, TriggerKind, Trust


@pytest.fixture(scope="module")
def loaded():
    from sls_helpers import FIXTURES, load_project
    return load_project(FIXTURES / "events")


def fn(loaded, key: str) -> Function:
    app, _ = loaded
    found = app.function(key)
    assert found is not None
    return found


def summary(t: Trigger) -> tuple[str, str, str, int]:
    return t.kind.value, t.trust.value, t.route, t.location.line


def test_rest_routes_trust_and_lines(loaded):
    triggers = fn(loaded, "rest").triggers
    assert [summary(t) for t in triggers] == [
        ("rest_api", "public", "GET /public", 30),
        ("rest_api", "authenticated", "PUT /users/{id}", 31),
        ("rest_api", "authenticated", "POST /cognito", 35),
        ("rest_api", "authenticated", "GET /custom", 47),
    ]
    public, private, cognito, custom = triggers
    assert public.api_id == "ApiGatewayRestApi" and public.authorizer is None
    assert public.request_validation is False and public.api_key_required is False
    assert private.api_key_required is True and private.authorizer is None
    assert cognito.authorizer is not None and cognito.authorizer.kind is AuthorizerKind.COGNITO
    assert cognito.authorizer.location is not None and cognito.authorizer.location.line == 38
    assert cognito.request_validation is True
    assert cognito.cors is not None and cognito.cors.allow_origins == ("https://example.com",)
    assert cognito.cors.allow_credentials is True and cognito.cors.location.line == 44
    assert custom.authorizer is not None and custom.authorizer.kind is AuthorizerKind.LAMBDA
    assert custom.authorizer.name == "authorizer"
    # provider.apiGateway.usagePlan.throttle applies to every REST route
    assert public.throttling is not None and public.throttling.location.line == 18
    assert (public.throttling.rate_limit, public.throttling.burst_limit) == (100.0, 200)


def test_http_api_routes_and_authorizers(loaded):
    triggers = fn(loaded, "http").triggers
    assert [summary(t) for t in triggers] == [
        ("http_api", "public", "ANY *", 54),
        ("http_api", "authenticated", "GET /jwt", 55),
        ("http_api", "authenticated", "POST /lambda", 60),
        ("http_api", "authenticated", "DELETE /iam", 65),
    ]
    kinds = [t.authorizer.kind if t.authorizer else None for t in triggers]
    assert kinds == [None, AuthorizerKind.JWT, AuthorizerKind.LAMBDA, AuthorizerKind.IAM]
    assert all(t.api_id == "HttpApi" for t in triggers)
    # provider.httpApi.cors: true -> any origin, pointing at the cors line
    assert triggers[0].cors is not None and triggers[0].cors.any_origin and triggers[0].cors.location.line == 7


def test_websocket_connect_authorizer_guards_every_route(loaded):
    connect, default = fn(loaded, "ws").triggers
    assert (connect.path, connect.trust, connect.location.line) == ("$connect", Trust.AUTHENTICATED, 73)
    assert (default.path, default.trust, default.location.line) == ("$default", Trust.AUTHENTICATED, 76)
    assert default.authorizer is not None and default.authorizer.location.line == 75


def test_storage_and_messaging_sources(loaded):
    triggers = fn(loaded, "data").triggers
    got = [(t.kind.value, t.source_id, t.location.line) for t in triggers]
    assert got == [
        ("s3", "S3BucketPhotos", 80),  # the bucket the framework creates
        ("s3", None, 81),  # existing bucket not defined here
        ("s3", "DefinedBucket", 85),
        ("sqs", "JobsQueue", 87),  # ARN matched to the queue by QueueName
        ("sqs", "Queue", 88),
        ("sns", "SNSTopicAlerts", 92),
        ("sns", "Topic", 93),
        ("dynamodb_stream", "Table", 97),
        ("kinesis", None, 103),
    ]
    s3_existing = triggers[1]
    assert s3_existing.source is not None and s3_existing.source.text() == "existing-bucket"
    assert s3_existing.properties["event"] == "s3:ObjectRemoved:*" and s3_existing.properties["existing"] is True
    assert triggers[4].batch_size == 10
    assert triggers[4].properties["functionResponseType"] == "ReportBatchItemFailures"
    assert triggers[6].on_failure is not None and triggers[6].on_failure.ref == "Queue"
    stream = triggers[7]
    assert stream.batch_size == 50
    assert stream.on_failure is not None
    assert stream.on_failure.text() == "arn:aws:sqs:eu-west-1:123456789012:stream-dlq"
    assert stream.on_failure.location.line == 102
    assert triggers[8].source.text() == "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"
    assert {t.trust for t in triggers[:3]} == {Trust.AUTHENTICATED}
    assert {t.trust for t in triggers[3:]} == {Trust.INTERNAL}


def test_implicit_bucket_and_topic_become_resources(loaded):
    app, _ = loaded
    bucket = app.resource("S3BucketPhotos")
    topic = app.resource("SNSTopicAlerts")
    assert bucket is not None and bucket.type == "AWS::S3::Bucket" and bucket.location.line == 80
    assert topic is not None and topic.type == "AWS::SNS::Topic"
    assert app.resource("Queue") is not None and app.resource("Queue").location.line == 140


def test_other_event_types(loaded):
    triggers = fn(loaded, "misc").triggers
    got = [(t.kind.value, t.trust.value, t.location.line) for t in triggers]
    assert got == [
        ("schedule", "internal", 107),
        ("schedule", "internal", 108),
        ("eventbridge", "internal", 111),
        ("alb", "authenticated", 115),
        ("cognito", "public", 122),
        ("iot", "authenticated", 125),
        ("alexa", "public", 127),
        ("cloudwatch_logs", "internal", 128),
        ("kafka", "internal", 129),
        ("mq", "internal", 132),
    ]
    assert triggers[0].properties["rate"] == "rate(5 minutes)"
    assert triggers[1].enabled is False
    assert triggers[2].on_failure is not None and triggers[2].on_failure.ref == "Queue"
    alb = triggers[3]
    assert (alb.method, alb.path) == ("POST", "/alb")
    assert alb.authorizer is not None and alb.authorizer.kind is AuthorizerKind.COGNITO
    assert triggers[4].source_id == "CognitoUserPoolMyPool"
    pool = loaded[0].resource("CognitoUserPoolMyPool")
    assert pool is not None and pool.type == "AWS::Cognito::UserPool" and pool.location.line == 122
    assert triggers[4].properties["trigger"] == "PreSignUp"


def test_unknown_event_type_is_an_error_not_a_crash(loaded):
    _, errors = loaded
    unknown = [e for e in errors if "somethingNew" in e.message]
    assert len(unknown) == 1
    assert (unknown[0].line, unknown[0].kind, unknown[0].function) == (135, ErrorKind.UNSUPPORTED, "misc")


def test_implicit_apis(loaded):
    app, _ = loaded
    rest = app.api("ApiGatewayRestApi")
    http = app.api("HttpApi")
    ws = app.api("WebsocketsApi")
    assert rest is not None and rest.kind is ApiKind.REST and rest.implicit
    assert rest.usage_plan is True and rest.loc("usage_plan").line == 17
    assert rest.throttling is not None
    assert (rest.throttling.rate_limit, rest.throttling.burst_limit) == (100.0, 200)
    assert rest.loc("throttling").line == 18
    assert rest.access_logging is False and rest.tracing is False and rest.waf is False
    assert rest.request_validation is False  # only one of the four routes has a schema
    assert http is not None and http.kind is ApiKind.HTTP and http.cors is not None and http.loc("cors").line == 7
    assert ws is not None and ws.default_authorizer is not None


def test_request_schema_file_is_consumed(loaded):
    app, _ = loaded
    assert app.files == ("serverless.yml", "schema.json")


@pytest.mark.parametrize("event, kind, trust", [
    ("- http: {path: x, method: get, authorizer: aws_iam}", TriggerKind.REST_API, Trust.AUTHENTICATED),
    ("- http: {path: x, method: get, authorizer: {type: request, name: auth}}", TriggerKind.REST_API,
     Trust.AUTHENTICATED),
    ("- http: {path: x, method: get, authorizer: {name: shared, type: token, authorizerId: abc}}",
     TriggerKind.REST_API, Trust.AUTHENTICATED),
    ("- httpApi: 'GET /open'", TriggerKind.HTTP_API, Trust.PUBLIC),
    ("- cloudFront: {eventType: viewer-request, origin: 's3://b.s3.amazonaws.com'}", TriggerKind.OTHER,
     Trust.PUBLIC),
    ("- kafka: {topic: t, bootstrapServers: [a:9092], accessConfigurations: {saslScram512Auth: arn}}",
     TriggerKind.KAFKA, Trust.INTERNAL),
])
def test_single_event_kinds(sls, event, kind, trust):
    app, errors = sls(f"service: s\nprovider: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      {event}\n")
    (trigger,) = app.functions[0].triggers
    assert (trigger.kind, trigger.trust, trigger.location.line) == (kind, trust, 7)
    assert errors == []


def test_private_endpoint_makes_routes_internal(sls):
    app, _ = sls("service: s\nprovider:\n  name: aws\n  endpointType: PRIVATE\nfunctions:\n  f:\n"
                 "    handler: h.h\n    events:\n      - http: GET x\n")
    assert app.functions[0].triggers[0].trust is Trust.INTERNAL
    assert app.api("ApiGatewayRestApi").endpoint_type == "PRIVATE"


def test_throttling_plugin_and_http_cors_object(sls):
    app, _ = sls("""service: s
provider: aws
custom:
  apiGatewayThrottling:
    maxRequestsPerSecond: 50
    maxConcurrentRequests: 20
functions:
  f:
    handler: h.h
    events:
      - http:
          path: x
          method: get
          cors:
            origins: ['*']
            allowCredentials: true
      - http:
          path: y
          method: get
          throttling:
            maxRequestsPerSecond: 5
""")
    first, second = app.functions[0].triggers
    assert first.throttling is not None and (first.throttling.rate_limit, first.throttling.burst_limit) == (50.0, 20)
    assert first.throttling.location.line == 4
    assert first.cors.any_origin and first.cors.allow_credentials is True and first.cors.location.line == 14
    assert second.throttling.rate_limit == 5.0 and second.throttling.location.line == 20
    assert app.api("ApiGatewayRestApi").throttling.rate_limit == 50.0


def test_wrongly_typed_events_give_errors(sls):
    app, errors = sls("""service: s
provider: aws
functions:
  f:
    handler: h.h
    events:
      - 42
      - sqs: {batchSize: 3}
      - alb: just-a-string
      - http: [1, 2]
  g:
    handler: h.h
    events: not-a-list
""")
    assert app.function("f").triggers == ()
    assert sorted((e.line, e.function) for e in errors) == [(7, "f"), (8, "f"), (9, "f"), (10, "f"), (13, None)]


def test_unresolved_route_parts_keep_their_text(sls):
    app, _ = sls("service: s\nprovider: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n"
                 "      - http: {path: '${env:PREFIX}/items', method: get}\n")
    assert app.functions[0].triggers[0].route == "GET /${env:PREFIX}/items"


def test_created_bucket_takes_overrides_and_extensions(sls):
    app, errors = sls("""service: s
provider: aws
functions:
  f:
    handler: h.h
    events:
      - s3: photos
      - sns: alerts
resources:
  Resources:
    S3BucketPhotos:
      Properties:
        BucketEncryption:
          ServerSideEncryptionConfiguration:
            - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: alias/photos}
  extensions:
    S3BucketPhotos:
      Properties:
        PublicAccessBlockConfiguration:
          BlockPublicAcls: true
          BlockPublicPolicy: true
          IgnorePublicAcls: true
          RestrictPublicBuckets: true
""")
    assert errors == []
    bucket = app.resource("S3BucketPhotos")
    assert (bucket.location.line, bucket.name.text(), bucket.encrypted, bucket.public_access_blocked) == (
        7, "photos", True, True)
    assert (bucket.loc("encrypted").line, bucket.loc("public_access_blocked").line) == (13, 19)
    assert bucket.properties["implicit"] is True
    topic = app.resource("SNSTopicAlerts")
    assert (topic.location.line, topic.encrypted, topic.name.text()) == (8, False, "alerts")


def test_provider_s3_bucket_settings(sls):
    app, errors = sls("""service: s
provider:
  name: aws
  s3:
    uploads:
      name: acme-uploads
      bucketEncryption:
        serverSideEncryptionConfiguration:
          - serverSideEncryptionByDefault:
              sseAlgorithm: AES256
functions:
  f:
    handler: h.h
    events:
      - s3: uploads
""")
    assert errors == []
    bucket = app.resource("S3BucketUploads")
    assert (bucket.name.text(), bucket.encrypted, bucket.loc("encrypted").line, bucket.location.line) == (
        "acme-uploads", True, 7, 15)
    assert app.functions[0].triggers[0].source_id == "S3BucketUploads"
