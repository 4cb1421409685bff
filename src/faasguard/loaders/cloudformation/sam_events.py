"""SAM function ``Events`` (every type SAM knows) -> Triggers.

Each trigger points at the event's own line. ``source_id`` is the logical id of the bucket /
queue / topic / table / stream when it is defined in the template; ``source`` keeps the ARN or
name as written. For SNS, EventBridge and schedules, ``properties["dead_letter"]`` says whether
the event has a dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from faasguard.loaders.cloudformation.apis import implicit_api, route_auth
from faasguard.loaders.trust import default_trust, http_trust
from faasguard.model import ApiKind, Function, Location, Trigger, TriggerKind, Value

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder
    from faasguard.loaders.cloudformation.drafts import Draft
    from faasguard.loaders.cloudformation.functions import Settings


class Event:
    """One entry of ``Events`` being read."""

    def __init__(self, b: Builder, fn: Draft[Function], name: str, props: Mapping[str, Any], where: Location,
                 pointer: tuple[str | int, ...]) -> None:
        self.b = b
        self.ctx = b.ctx
        self.fn = fn
        self.name = name
        self.props = props
        self.where = where
        self.pointer = pointer

    def key_loc(self, key: str) -> Location:
        loc = self.ctx.key_loc(self.props, key, *self.pointer, "Properties", key)
        return loc if loc.line else self.where

    def source(self, key: str) -> tuple[str | None, Value | None]:
        """(logical id of the source when it is in the template, the source as written)."""
        if key not in self.props:
            return None, None
        node = self.props[key]
        target = self.ctx.ref_target(node)
        source_id = target if target is not None and target in self.ctx.resources else None
        return source_id, self.ctx.value(node, self.key_loc(key))

    def enabled(self) -> bool:
        if "Enabled" in self.props and self.ctx.boolean(self.props["Enabled"]) is False:
            return False
        state = self.ctx.text(self.props.get("State"))
        return not (state and state.upper() == "DISABLED")

    def on_failure(self) -> Value | None:
        """DestinationConfig.OnFailure.Destination of a stream/queue event."""
        dest = self.props.get("DestinationConfig")
        on_failure = dest.get("OnFailure") if isinstance(dest, Mapping) else None
        if isinstance(on_failure, Mapping) and self.ctx.present(on_failure, "Destination"):
            return self.ctx.value(on_failure["Destination"], self.key_loc("DestinationConfig"))
        return None

    def trigger(self, kind: TriggerKind, key: str | None = None, **fields: Any) -> Trigger:
        source_id, source = self.source(key) if key else (None, None)
        props = {"event": self.name, **fields.pop("properties", {})}
        batch = self.ctx.integer(self.props["BatchSize"], "BatchSize") if "BatchSize" in self.props else None
        return Trigger(kind, fields.pop("trust", default_trust(kind)), self.where, source_id=source_id, source=source,
                       batch_size=batch, enabled=self.enabled(), properties=props, **fields)


def _explicit_api(ev: Event, node: Any) -> tuple[Any, str]:
    """RestApiId/ApiId: ``!Ref MyApi``, or the logical id as a plain string (SAM accepts both)."""
    target = ev.ctx.ref_target(node) or ev.ctx.text(node)
    api = ev.b.api_of(target)
    return api, api.id if api is not None else (target or str(ev.ctx.value(node)))


def _api(ev: Event) -> Trigger:
    b, ctx, p = ev.b, ev.ctx, ev.props
    if "RestApiId" in p:
        api, api_id = _explicit_api(ev, p["RestApiId"])
    else:
        api = implicit_api(b, ApiKind.REST, ev.where)
        api_id = api.id
    auth = p.get("Auth")
    auth_map = auth if isinstance(auth, Mapping) else {}
    auth_loc = ctx.key_loc(auth_map, "Authorizer", *ev.pointer, "Properties", "Auth", "Authorizer") \
        if "Authorizer" in auth_map else ev.where
    if not auth_loc.line:
        auth_loc = ev.where
    if api is not None:
        authorizer, api_key = route_auth(b, api, auth, auth_loc)
    else:
        from faasguard.model import Authorizer, AuthorizerKind

        name = ctx.text(auth_map.get("Authorizer"))
        authorizer = None if not name or name.upper() == "NONE" else Authorizer(
            AuthorizerKind.IAM if name.upper() == "AWS_IAM" else AuthorizerKind.OTHER, name, auth_loc)
        api_key = ctx.boolean(auth_map.get("ApiKeyRequired")) if "ApiKeyRequired" in auth_map else None
    validation: bool | None = None
    model = ctx.mapping(p.get("RequestModel"), "RequestModel", p) if "RequestModel" in p else None
    if model is not None:
        validation = bool(ctx.boolean(model.get("ValidateBody")) or ctx.boolean(model.get("ValidateParameters")))
    if not validation and api is not None and api.get("request_validation") is not None:
        validation = bool(api.get("request_validation")) or bool(validation)
    private = bool(api.extra.get("private")) if api is not None else False
    return ev.trigger(
        TriggerKind.REST_API, trust=http_trust(authorizer, api_key, private), api_id=api_id,
        method=(ctx.text(p.get("Method")) or "ANY").upper(), path=ctx.text(p.get("Path")),
        authorizer=authorizer, api_key_required=api_key, request_validation=validation,
        throttling=api.get("throttling") if api is not None else None,
        cors=api.get("cors") if api is not None else None,
        properties={"request_parameters": bool(p.get("RequestParameters")),
                    # routes and auth of an API defined in another file (DefinitionUri) are unknown
                    "api_definition_external": api is not None and not api.extra.get("self_described", True)})


def _http_api(ev: Event) -> Trigger:
    b, ctx, p = ev.b, ev.ctx, ev.props
    if "ApiId" in p:
        api, api_id = _explicit_api(ev, p["ApiId"])
    else:
        api = implicit_api(b, ApiKind.HTTP, ev.where)
        api_id = api.id
    auth = p.get("Auth")
    auth_map = auth if isinstance(auth, Mapping) else {}
    auth_loc = ctx.key_loc(auth_map, "Authorizer", *ev.pointer, "Properties", "Auth", "Authorizer") \
        if "Authorizer" in auth_map else ev.where
    if not auth_loc.line:
        auth_loc = ev.where
    authorizer, _ = route_auth(b, api, auth, auth_loc) if api is not None else (None, None)
    if api is None and auth_map.get("Authorizer"):
        from faasguard.model import Authorizer, AuthorizerKind

        name = ctx.text(auth_map.get("Authorizer")) or "unresolved"
        authorizer = None if name.upper() == "NONE" else Authorizer(AuthorizerKind.OTHER, name, auth_loc)
    throttling = api.get("throttling") if api is not None else None
    route_settings = ctx.mapping(p.get("RouteSettings"), "RouteSettings", p) if "RouteSettings" in p else None
    if route_settings:
        from faasguard.loaders.cloudformation.apis import _throttling

        throttling = _throttling(ctx, route_settings, ev.key_loc("RouteSettings")) or throttling
    method = ctx.text(p.get("Method"))
    path = ctx.text(p.get("Path"))
    if path is None and method is None:
        method, path = "ANY", "$default"
    return ev.trigger(TriggerKind.HTTP_API, trust=http_trust(authorizer), api_id=api_id,
                      method=(method or "ANY").upper(), path=path, authorizer=authorizer, throttling=throttling,
                      cors=api.get("cors") if api is not None else None)


def _dead_letter(ev: Event, *keys: str) -> bool:
    return any(k in ev.props and ev.ctx.evaluate(ev.props[k]) not in (None, {}) for k in keys)


def _s3(ev: Event) -> Trigger:
    events = ev.ctx.evaluate(ev.props.get("Events"))
    return ev.trigger(TriggerKind.S3, "Bucket", properties={"events": events if isinstance(events, list) else [events]})


def _sqs(ev: Event) -> Trigger:
    return ev.trigger(TriggerKind.SQS, "Queue")


def _sns(ev: Event) -> Trigger:
    return ev.trigger(TriggerKind.SNS, "Topic", properties={"dead_letter": _dead_letter(ev, "RedrivePolicy")})


def _stream(kind: TriggerKind, key: str) -> Callable[[Event], Trigger]:
    def read(ev: Event) -> Trigger:
        position = ev.ctx.text(ev.props.get("StartingPosition"))
        return ev.trigger(kind, key, on_failure=ev.on_failure(),
                          properties={"starting_position": position} if position else {})
    return read


def _self_managed_kafka(ev: Event) -> Trigger:
    servers = ev.ctx.evaluate(ev.props.get("KafkaBootstrapServers"))
    return ev.trigger(TriggerKind.KAFKA, on_failure=ev.on_failure(),
                      properties={"bootstrap_servers": servers if isinstance(servers, list) else [servers],
                                  "self_managed": True})


def _rule(kind: TriggerKind) -> Callable[[Event], Trigger]:
    def read(ev: Event) -> Trigger:
        props: dict[str, Any] = {"dead_letter": _dead_letter(ev, "DeadLetterConfig")}
        for key in ("Schedule", "ScheduleExpression"):
            if key in ev.props:
                props["schedule"] = ev.ctx.text(ev.props[key])
        if "Pattern" in ev.props:
            props["pattern"] = ev.ctx.evaluate(ev.props["Pattern"])
        if "EventBusName" in ev.props:
            props["event_bus"] = str(ev.ctx.value(ev.props["EventBusName"]))
        return ev.trigger(kind, "EventBusName" if kind is TriggerKind.EVENTBRIDGE else None, properties=props)
    return read


def _logs(ev: Event) -> Trigger:
    return ev.trigger(TriggerKind.CLOUDWATCH_LOGS, "LogGroupName")


def _iot(ev: Event) -> Trigger:
    return ev.trigger(TriggerKind.IOT, properties={"sql": ev.ctx.text(ev.props.get("Sql"))})


def _alexa(ev: Event) -> Trigger:
    # Without a SkillId any Alexa skill (anyone's) may invoke the function.
    return ev.trigger(TriggerKind.ALEXA, properties={"skill_id": ev.ctx.text(ev.props.get("SkillId"))})


def _cognito(ev: Event) -> Trigger:
    trig = ev.ctx.evaluate(ev.props.get("Trigger"))
    return ev.trigger(TriggerKind.COGNITO, "UserPool",
                      properties={"triggers": trig if isinstance(trig, list) else [trig]})


def _documentdb(ev: Event) -> Trigger:
    return ev.trigger(TriggerKind.OTHER, "Cluster", on_failure=ev.on_failure(),
                      properties={"service": "documentdb"})


EVENT_TYPES: dict[str, Callable[[Event], Trigger]] = {
    "Api": _api,
    "HttpApi": _http_api,
    "S3": _s3,
    "SQS": _sqs,
    "SNS": _sns,
    "Kinesis": _stream(TriggerKind.KINESIS, "Stream"),
    "DynamoDB": _stream(TriggerKind.DYNAMODB_STREAM, "Stream"),
    "MSK": _stream(TriggerKind.KAFKA, "Stream"),
    "MQ": _stream(TriggerKind.MQ, "Broker"),
    "SelfManagedKafka": _self_managed_kafka,
    "DocumentDB": _documentdb,
    "EventBridgeRule": _rule(TriggerKind.EVENTBRIDGE),
    "CloudWatchEvent": _rule(TriggerKind.EVENTBRIDGE),
    "Schedule": _rule(TriggerKind.SCHEDULE),
    "ScheduleV2": _rule(TriggerKind.SCHEDULE),
    "CloudWatchLogs": _logs,
    "IoTRule": _iot,
    "AlexaSkill": _alexa,
    "Cognito": _cognito,
}


def read_events(b: Builder, fn: Draft[Function], s: Settings) -> None:
    ctx = b.ctx
    events = s.mapping("Events")
    if events is None:
        return
    pointer = s.pointer("Events")
    for name, body in events.items():
        where = ctx.key_loc(events, str(name), *pointer, str(name))
        if not where.line:
            where = s.loc("Events")
        event = ctx.mapping(body, f"event {name} of {s.logical_id}", line=where.line)
        if event is None:
            continue
        etype = ctx.text(event.get("Type"))
        reader = EVENT_TYPES.get(etype or "")
        if reader is None:
            ctx.error(f"event {name} of {s.logical_id} has unknown Type {etype!r}; ignored", event,
                      function=fn.id)
            continue
        props = ctx.mapping(event.get("Properties"), f"Properties of event {name}",
                            line=ctx.key_loc(event, "Properties").line) or {}
        fn.append("triggers", reader(Event(b, fn, str(name), props, where, (*pointer, str(name)))))
