"""Every SAM event type becomes a trigger with the shared trust policy and the event's line."""

from __future__ import annotations

from cfn_helpers import line, load

from faasguard.model import ApiKind, ErrorKind, TriggerKind, Trust, ValueKind

F = "sam_events.yaml"


def triggers():
    app, errors = load(F)
    fn = app.function("Handler")
    assert fn is not None
    return app, errors, {t.properties["event"]: t for t in fn.triggers}


def test_unknown_event_type_is_an_error_not_a_crash() -> None:
    _, errors, by_event = triggers()
    assert [(e.kind, e.line, e.function) for e in errors] == [(ErrorKind.PARSE, line(F, "Type: Carrier Pigeon"),
                                                               "Handler")]
    assert "unknown Type 'Carrier Pigeon'" in errors[0].message
    assert "Weird" not in by_event


def test_kinds_trust_and_lines() -> None:
    _, _, by_event = triggers()
    expected = {
        "RestGet": (TriggerKind.REST_API, Trust.PUBLIC),
        "HttpAny": (TriggerKind.HTTP_API, Trust.PUBLIC),
        "Upload": (TriggerKind.S3, Trust.AUTHENTICATED),
        "Jobs": (TriggerKind.SQS, Trust.INTERNAL),
        "Alerts": (TriggerKind.SNS, Trust.INTERNAL),
        "Orders": (TriggerKind.DYNAMODB_STREAM, Trust.INTERNAL),
        "Clicks": (TriggerKind.KINESIS, Trust.INTERNAL),
        "Msk": (TriggerKind.KAFKA, Trust.INTERNAL),
        "Mq": (TriggerKind.MQ, Trust.INTERNAL),
        "Kafka": (TriggerKind.KAFKA, Trust.INTERNAL),
        "Docs": (TriggerKind.OTHER, Trust.INTERNAL),
        "Bus": (TriggerKind.EVENTBRIDGE, Trust.INTERNAL),
        "Legacy": (TriggerKind.EVENTBRIDGE, Trust.INTERNAL),
        "Nightly": (TriggerKind.SCHEDULE, Trust.INTERNAL),
        "Hourly": (TriggerKind.SCHEDULE, Trust.INTERNAL),
        "Logs": (TriggerKind.CLOUDWATCH_LOGS, Trust.INTERNAL),
        "Iot": (TriggerKind.IOT, Trust.AUTHENTICATED),
        "Alexa": (TriggerKind.ALEXA, Trust.PUBLIC),
        "SignUp": (TriggerKind.COGNITO, Trust.PUBLIC),
    }
    assert {name: (t.kind, t.trust) for name, t in by_event.items()} == expected
    for name, t in by_event.items():
        assert t.location.line == line(F, f"        {name}:"), name


def test_sources_are_logical_ids_when_defined_here() -> None:
    _, _, by_event = triggers()
    assert {n: t.source_id for n, t in by_event.items() if t.source_id} == {
        "Upload": "Uploads", "Jobs": "JobsQueue", "Alerts": "AlertsTopic", "Orders": "OrdersTable",
        "Logs": "AppLogs", "SignUp": "Users"}
    clicks = by_event["Clicks"]
    assert clicks.source is not None and clicks.source.text() == "arn:aws:kinesis:us-east-1:111111111111:stream/clicks"
    assert clicks.source.location is not None and clicks.source.location.line == line(F, "Stream: arn:aws:kinesis")
    assert by_event["Orders"].source is not None and by_event["Orders"].source.attribute == "StreamArn"


def test_event_options() -> None:
    _, _, by_event = triggers()
    assert by_event["Jobs"].batch_size == 10
    assert by_event["Clicks"].enabled is False and by_event["Nightly"].enabled is False
    assert by_event["Hourly"].enabled is True
    orders = by_event["Orders"]
    assert orders.on_failure is not None and (orders.on_failure.kind, orders.on_failure.ref) == (
        ValueKind.RESOURCE_ATTRIBUTE, "JobsQueue")
    assert by_event["Alerts"].properties["dead_letter"] is True
    assert by_event["Bus"].properties["dead_letter"] is True
    assert by_event["Legacy"].properties["dead_letter"] is False
    assert by_event["Nightly"].properties["schedule"] == "rate(1 day)"
    assert by_event["Kafka"].properties["bootstrap_servers"] == ["broker:9092"]
    assert by_event["Upload"].properties["events"] == ["s3:ObjectCreated:*"]


def test_implicit_apis_with_globals() -> None:
    app, _, by_event = triggers()
    rest = app.api("ServerlessRestApi")
    http = app.api("ServerlessHttpApi")
    assert rest is not None and http is not None
    assert (rest.kind, rest.implicit, http.kind, http.implicit) == (ApiKind.REST, True, ApiKind.HTTP, True)
    assert rest.tracing is True  # Globals.Api.TracingEnabled
    assert rest.request_validation is True  # its only route validates its requests
    assert rest.location.line == line(F, "  Api:")
    get = by_event["RestGet"]
    assert (get.api_id, get.method, get.path) == ("ServerlessRestApi", "GET", "/items/{id}")
    assert get.route == "GET /items/{id}"
    assert get.api_key_required is False and get.request_validation is True
    anyr = by_event["HttpAny"]
    assert (anyr.api_id, anyr.method, anyr.path) == ("ServerlessHttpApi", "ANY", "$default")
