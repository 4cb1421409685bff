"""``functions.<name>.events`` -> :class:`Trigger` objects, with trust from the shared policy."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faasguard.loaders.cloudformation.intrinsics import intrinsic_name
from faasguard.loaders.document import line_of
from faasguard.loaders.serverless.context import (
    HTTP_API_ID,
    REST_API_ID,
    WEBSOCKET_API_ID,
    SlsContext,
    bucket_logical_id,
    normalize_alphanumeric,
    sub,
    topic_logical_id,
)
from faasguard.loaders.trust import default_trust, http_trust
from faasguard.model import (
    Authorizer,
    AuthorizerKind,
    Cors,
    ErrorKind,
    Location,
    Throttling,
    Trigger,
    TriggerKind,
    Trust,
    Value,
)


@dataclass
class EventSummary:
    """What the events of the whole service say about the implicit APIs."""

    rest_events: list[Location] = field(default_factory=list)
    rest_validated: list[bool] = field(default_factory=list)  # per REST route: a request schema is set
    http_events: list[Location] = field(default_factory=list)
    websocket_events: list[Location] = field(default_factory=list)
    websocket_connect_authorizer: Authorizer | None = None


def scan_websocket_connect(ctx: SlsContext, functions: Mapping[str, Any]) -> Authorizer | None:
    """The ``$connect`` route's authorizer guards every route of the WebSocket API."""
    for key, fn in functions.items():
        if not isinstance(fn, Mapping) or not isinstance(fn.get("events"), list):
            continue
        for event in fn["events"]:
            if not isinstance(event, Mapping) or not isinstance(event.get("websocket"), Mapping):
                continue
            body = event["websocket"]
            if ctx.text(body.get("route")) == "$connect" and body.get("authorizer") is not None:
                return _websocket_authorizer(ctx, body, str(key))
    return None


def _websocket_authorizer(ctx: SlsContext, body: Mapping[str, Any], _fn: str) -> Authorizer:
    auth = body.get("authorizer")
    loc = ctx.key_loc(body, "authorizer")
    if isinstance(auth, Mapping):
        name = ctx.text(auth.get("name")) or ctx.text(auth.get("arn")) or ""
    else:
        name = ctx.text(auth) or ""
    return Authorizer(AuthorizerKind.LAMBDA, name, loc)


class EventBuilder:
    def __init__(self, ctx: SlsContext, summary: EventSummary) -> None:
        self.ctx = ctx
        self.summary = summary
        self._handlers: dict[str, Callable[[str, Any, Location, Mapping[str, Any]], Trigger | None]] = {
            "http": self._http, "httpApi": self._http_api, "websocket": self._websocket, "s3": self._s3,
            "sqs": self._sqs, "sns": self._sns, "stream": self._stream, "schedule": self._schedule,
            "eventBridge": self._event_bridge, "cloudwatchEvent": self._cloudwatch_event, "alb": self._alb,
            "cognitoUserPool": self._cognito, "iot": self._iot, "iotFleetProvisioning": self._iot,
            "alexaSkill": self._alexa, "alexaSmartHome": self._alexa, "cloudwatchLog": self._cloudwatch_log,
            "kafka": self._kafka, "msk": self._msk, "activemq": self._mq, "rabbitmq": self._mq,
            "cloudFront": self._cloudfront,
        }

    def build(self, fn_key: str, events: Any, owner: Any) -> list[Trigger]:
        ctx = self.ctx
        triggers: list[Trigger] = []
        for event in ctx.sequence(events, f"functions.{fn_key}.events", owner):
            if not isinstance(event, Mapping) or len(event) == 0:
                # scalars carry no line: point at the events list
                ctx.error(f"function '{fn_key}': an event should be a mapping like '- http: ...'",
                          event if line_of(event) else events, function=fn_key)
                continue
            kind = str(next(iter(event)))
            body = event[kind]
            loc = ctx.loc_or(event, ctx.loc(owner))
            handler = self._handlers.get(kind)
            if handler is None:
                ctx.error(f"function '{fn_key}': unknown event type '{kind}'; its trigger was not modelled",
                          event, ErrorKind.UNSUPPORTED, fn_key)
                continue
            try:
                trigger = handler(fn_key, body, loc, event)
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
                ctx.error(f"function '{fn_key}': cannot read {kind} event: {exc}", event, function=fn_key)
                continue
            if trigger is not None:
                triggers.append(trigger)
        return triggers

    # ---- helpers ----------------------------------------------------------------------------

    def _body(self, fn_key: str, kind: str, body: Any, event: Any) -> Mapping[str, Any] | None:
        if isinstance(body, Mapping) and _is_config(body):
            return body
        self.ctx.error(f"function '{fn_key}': {kind} event should be a mapping, not {type(body).__name__}",
                       event, function=fn_key)
        return None

    def _source_value(self, node: Any, loc: Location) -> Value | None:
        return None if node is None else self.ctx.value(node, self.ctx.loc_or(node, loc))

    def _resource_by_name(self, cfn_type: str, name_prop: str, name: str | None) -> str | None:
        if not name:
            return None
        for logical_id, res in self.ctx.resources.items():
            if not isinstance(res, Mapping) or res.get("Type") != cfn_type:
                continue
            props = res.get("Properties")
            if isinstance(props, Mapping) and self.ctx.text(props.get(name_prop)) == name:
                return str(logical_id)
        return None

    def _arn_target(self, node: Any, cfn_type: str, name_prop: str) -> str | None:
        """The logical id of the resource an ARN-ish setting points at."""
        target = self.ctx.ref_target(node)
        if target is not None:
            return target
        text = self.ctx.text(node)
        if text and text.startswith("arn:"):
            return self._resource_by_name(cfn_type, name_prop, re.split(r"[:/]", text)[-1])
        return None

    def _cors(self, node: Any, loc: Location, *, rest: bool) -> Cors | None:
        ctx = self.ctx
        if node is None or node is False:
            return None
        if node is True or ctx.boolean(node) is True:
            return Cors(allow_origins=("*",), location=loc)
        if not isinstance(node, Mapping):
            return None
        if rest:
            origins = _texts(ctx, node.get("origins")) or _texts(ctx, node.get("origin")) or ("*",)
            return Cors(origins, ctx.boolean(node.get("allowCredentials")), _texts(ctx, node.get("headers")),
                        _texts(ctx, node.get("methods")), loc)
        origins = _texts(ctx, node.get("allowedOrigins")) or ("*",)
        return Cors(origins, ctx.boolean(node.get("allowCredentials")), _texts(ctx, node.get("allowedHeaders")),
                    _texts(ctx, node.get("allowedMethods")), loc)

    # ---- HTTP ---------------------------------------------------------------------------------

    def _http(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        method, path = None, None
        auth: Authorizer | None = None
        private = None
        cors: Cors | None = None
        validation = False
        throttling = self._rest_throttling()
        props: dict[str, Any] = {}
        if isinstance(body, str):
            method, path = _method_path(body)
        elif _is_config(body):
            method = _as_text(ctx, body.get("method"))
            path = _as_text(ctx, body.get("path"))
            private = ctx.boolean(body.get("private"))
            if body.get("authorizer") is not None:
                auth = self._rest_authorizer(body["authorizer"], ctx.key_loc(body, "authorizer"))
            if "cors" in body:
                cors = self._cors(body.get("cors"), ctx.key_loc(body, "cors"), rest=True)
            request = body.get("request")
            if isinstance(request, Mapping):
                schemas = request.get("schemas") or request.get("schema")
                validation = bool(schemas) and not isinstance(schemas, Value)
            if isinstance(body.get("throttling"), Mapping):
                throttling = _plugin_throttling(ctx, body["throttling"], ctx.key_loc(body, "throttling"))
            integration = ctx.text(body.get("integration"))
            if integration:
                props["integration"] = integration
            if ctx.boolean(body.get("async")):
                props["async"] = True
        else:
            self._body(fn_key, "http", body, event)
            return None
        endpoint_type = (ctx.text(ctx.provider.get("endpointType")) or "").upper()
        api_id = ctx.text(_get(ctx.provider, "apiGateway", "restApiId")) or REST_API_ID
        self.summary.rest_events.append(loc)
        self.summary.rest_validated.append(validation)
        return Trigger(TriggerKind.REST_API, http_trust(auth, private, endpoint_type == "PRIVATE"), loc,
                       api_id=api_id, method=(method or "ANY").upper(), path=_slash(path), authorizer=auth,
                       api_key_required=bool(private), request_validation=validation, throttling=throttling,
                       cors=cors, properties=props)

    def _rest_throttling(self) -> Throttling | None:
        """serverless-api-gateway-throttling's defaults, else the usage plan's throttle."""
        node = self.ctx.custom.get("apiGatewayThrottling")
        if isinstance(node, Mapping):
            return _plugin_throttling(self.ctx, node, self.ctx.key_loc(self.ctx.custom, "apiGatewayThrottling"))
        plan = sub(self.ctx.provider, "apiGateway").get("usagePlan")
        return usage_plan_throttle(self.ctx, plan) if plan is not None else None

    def _rest_authorizer(self, node: Any, loc: Location) -> Authorizer | None:
        ctx = self.ctx
        if isinstance(node, Mapping):
            kind_text = (ctx.text(node.get("type")) or "").lower()
            arn = ctx.text(node.get("arn")) or ""
            name = ctx.text(node.get("name")) or arn
            target = ctx.ref_target(node.get("authorizerId"))
            if not kind_text and target is not None:
                res = ctx.resources.get(target)
                props = res.get("Properties") if isinstance(res, Mapping) else None
                if isinstance(props, Mapping):
                    kind_text = (ctx.text(props.get("Type")) or "").lower()
                name = name or target
            if not name and node.get("authorizerId") is not None:
                name = str(ctx.value(node.get("authorizerId")))
            return Authorizer(_rest_kind(kind_text, arn), name, loc)
        text = ctx.text(node)
        if text is None:
            return Authorizer(AuthorizerKind.OTHER, str(ctx.value(node)), loc) if node is not None else None
        return Authorizer(_rest_kind(text.lower() if text.lower() == "aws_iam" else "", text), text, loc)

    def _http_api(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        auth: Authorizer | None = None
        if isinstance(body, str):
            method, path = _method_path(body)
        elif _is_config(body):
            method = _as_text(ctx, body.get("method"))
            path = _as_text(ctx, body.get("path"))
            if body.get("authorizer") is not None:
                auth = self._http_api_authorizer(body["authorizer"], ctx.key_loc(body, "authorizer"))
        else:
            self._body(fn_key, "httpApi", body, event)
            return None
        http_cfg = ctx.provider.get("httpApi")
        cors = None
        if isinstance(http_cfg, Mapping) and "cors" in http_cfg:
            cors = self._cors(http_cfg.get("cors"), ctx.key_loc(http_cfg, "cors"), rest=False)
        if method == "*" and path is None:
            method, path = "ANY", "*"
        api_id = ctx.text(_get(ctx.provider, "httpApi", "id")) or HTTP_API_ID
        self.summary.http_events.append(loc)
        return Trigger(TriggerKind.HTTP_API, http_trust(auth), loc, api_id=api_id,
                       method=("ANY" if not method or method == "*" else method.upper()),
                       path=path if path == "*" else _slash(path), authorizer=auth, cors=cors)

    def _http_api_authorizer(self, node: Any, loc: Location) -> Authorizer | None:
        ctx = self.ctx
        if not isinstance(node, Mapping):
            name = ctx.text(node)
            if name is None:
                return None
            node = {"name": name}
        kind_text = (ctx.text(node.get("type")) or "").lower()
        name = ctx.text(node.get("name")) or ctx.text(node.get("id")) or ""
        if kind_text == "aws_iam":
            return Authorizer(AuthorizerKind.IAM, name or "aws_iam", loc)
        defined = _get(ctx.provider, "httpApi", "authorizers", name) if name else None
        if isinstance(defined, Mapping):
            kind_text = kind_text or (ctx.text(defined.get("type")) or "jwt").lower()
        if kind_text == "request" or (isinstance(defined, Mapping) and
                                      (defined.get("functionName") or defined.get("functionArn"))):
            return Authorizer(AuthorizerKind.LAMBDA, name, loc)
        if kind_text in ("jwt", "") and (defined is not None or not node.get("id")):
            return Authorizer(AuthorizerKind.JWT, name, loc)
        return Authorizer(AuthorizerKind.OTHER, name, loc)

    def _websocket(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        if isinstance(body, str):
            route = body
            auth = None
        elif _is_config(body):
            route = ctx.text(body.get("route")) or ""
            auth = _websocket_authorizer(ctx, body, fn_key) if body.get("authorizer") is not None else None
        else:
            self._body(fn_key, "websocket", body, event)
            return None
        # Authorization happens once, on $connect: it guards every other route too.
        effective = auth if route == "$connect" else (self.summary.websocket_connect_authorizer or auth)
        self.summary.websocket_events.append(loc)
        return Trigger(TriggerKind.WEBSOCKET, http_trust(effective), loc, api_id=WEBSOCKET_API_ID, path=route,
                       authorizer=effective)

    def _alb(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        m = self._body(fn_key, "alb", body, event)
        if m is None:
            return None
        conditions = sub(m, "conditions")
        methods = _texts(ctx, conditions.get("method"))
        paths = _texts(ctx, conditions.get("path"))
        auth = None
        if m.get("authorizer") is not None:
            names = _texts(ctx, m.get("authorizer"))
            defs = _get(ctx.provider, "alb", "authorizers")
            kind = AuthorizerKind.OTHER
            for n in names:
                d = defs.get(n) if isinstance(defs, Mapping) else None
                if isinstance(d, Mapping) and (ctx.text(d.get("type")) or "").lower() == "cognito":
                    kind = AuthorizerKind.COGNITO
            auth = Authorizer(kind, ",".join(names), ctx.key_loc(m, "authorizer"))
        return Trigger(TriggerKind.ALB, http_trust(auth), loc, source=self._source_value(m.get("listenerArn"), loc),
                       method=methods[0].upper() if len(methods) == 1 else "ANY",
                       path=paths[0] if paths else "/", authorizer=auth,
                       properties={"methods": methods, "paths": paths})

    def _cloudfront(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        m = self._body(fn_key, "cloudFront", body, event)
        if m is None:
            return None
        event_type = self.ctx.text(m.get("eventType")) or ""
        # viewer events carry the internet's requests (Lambda@Edge)
        trust = Trust.PUBLIC if event_type.startswith("viewer") or not event_type else Trust.INTERNAL
        return Trigger(TriggerKind.OTHER, trust, loc, properties={"type": "cloudFront", "eventType": event_type})

    # ---- storage and messaging -----------------------------------------------------------------

    def _s3(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        existing = False
        props: dict[str, Any] = {}
        if _is_config(body):
            bucket_node = body.get("bucket")
            existing = bool(ctx.boolean(body.get("existing")))
            props["event"] = ctx.text(body.get("event")) or "s3:ObjectCreated:*"
            if body.get("rules") is not None:
                props["rules"] = ctx.evaluate(body.get("rules"))
        else:
            bucket_node = body
            props["event"] = "s3:ObjectCreated:*"
        if bucket_node is None:
            ctx.error(f"function '{fn_key}': s3 event without a bucket", event, function=fn_key)
            return None
        source = self._source_value(bucket_node, loc)
        source_id = ctx.ref_target(bucket_node)
        name = ctx.text(bucket_node)
        if source_id is None and name:
            source_id = self._resource_by_name("AWS::S3::Bucket", "BucketName", name)
            if source_id is None and not existing:
                source_id = bucket_logical_id(name)
        props["existing"] = existing
        return Trigger(TriggerKind.S3, default_trust(TriggerKind.S3), loc, source_id=source_id, source=source,
                       properties=props)

    def _sqs(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        batch = None
        enabled = True
        props: dict[str, Any] = {}
        if _is_config(body):
            arn = body.get("arn")
            batch = ctx.integer(body.get("batchSize"), "sqs batchSize", body)
            enabled = ctx.boolean(body.get("enabled")) is not False
            frt = ctx.text(body.get("functionResponseType"))
            if frt:
                props["functionResponseType"] = frt
        else:
            arn = body
        if arn is None:
            ctx.error(f"function '{fn_key}': sqs event without an arn", event, function=fn_key)
            return None
        return Trigger(TriggerKind.SQS, default_trust(TriggerKind.SQS), loc,
                       source_id=self._arn_target(arn, "AWS::SQS::Queue", "QueueName"),
                       source=self._source_value(arn, loc), batch_size=batch, enabled=enabled, properties=props)

    def _sns(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        on_failure = None
        props: dict[str, Any] = {}
        if _is_config(body):
            node = body.get("arn") if body.get("arn") is not None else body.get("topicName")
            topic_name = ctx.text(body.get("topicName"))
            redrive = body.get("redrivePolicy")
            if isinstance(redrive, Mapping):
                target = redrive.get("deadLetterTargetArn") or redrive.get("deadLetterTargetRef") \
                    or redrive.get("deadLetterTargetImport")
                if target is not None:
                    on_failure = ctx.value(target, ctx.key_loc(body, "redrivePolicy"))
            if body.get("filterPolicy") is not None:
                props["filterPolicy"] = ctx.evaluate(body.get("filterPolicy"))
        else:
            node, topic_name = body, None
        if node is None:
            ctx.error(f"function '{fn_key}': sns event without a topic", event, function=fn_key)
            return None
        text = ctx.text(node)
        source_id = ctx.ref_target(node)
        if source_id is None and text:
            if text.startswith("arn:"):
                source_id = self._resource_by_name("AWS::SNS::Topic", "TopicName", text.rsplit(":", 1)[-1])
            else:  # a topic name: the framework creates the topic
                source_id = self._resource_by_name("AWS::SNS::Topic", "TopicName", text) or topic_logical_id(text)
        elif source_id is None and topic_name:
            source_id = self._resource_by_name("AWS::SNS::Topic", "TopicName", topic_name)
        return Trigger(TriggerKind.SNS, default_trust(TriggerKind.SNS), loc, source_id=source_id,
                       source=self._source_value(node, loc), on_failure=on_failure, properties=props)

    def _stream(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        batch = None
        enabled = True
        on_failure = None
        type_text = ""
        if _is_config(body):
            arn = body.get("arn")
            type_text = (ctx.text(body.get("type")) or "").lower()
            batch = ctx.integer(body.get("batchSize"), "stream batchSize", body)
            enabled = ctx.boolean(body.get("enabled")) is not False
            dest = body.get("destinations")
            if isinstance(dest, Mapping) and dest.get("onFailure") is not None:
                target = dest["onFailure"]
                if isinstance(target, Mapping) and "arn" in target:
                    target = target["arn"]
                on_failure = ctx.value(target, ctx.key_loc(dest, "onFailure"))
        else:
            arn = body
        if arn is None:
            ctx.error(f"function '{fn_key}': stream event without an arn", event, function=fn_key)
            return None
        source_id = ctx.ref_target(arn)
        text = ctx.text(arn) or ""
        if not type_text:
            res = ctx.resources.get(source_id) if source_id else None
            res_type = res.get("Type") if isinstance(res, Mapping) else ""
            type_text = "kinesis" if ":kinesis:" in text or res_type == "AWS::Kinesis::Stream" else "dynamodb"
        kind = TriggerKind.KINESIS if type_text == "kinesis" else TriggerKind.DYNAMODB_STREAM
        if source_id is None and text.startswith("arn:"):
            if kind is TriggerKind.KINESIS:
                source_id = self._resource_by_name("AWS::Kinesis::Stream", "Name", text.rsplit("/", 1)[-1])
            else:
                m = re.search(r":table/([^/]+)", text)
                source_id = self._resource_by_name("AWS::DynamoDB::Table", "TableName", m.group(1) if m else None)
        return Trigger(kind, default_trust(kind), loc, source_id=source_id, source=self._source_value(arn, loc),
                       batch_size=batch, on_failure=on_failure, enabled=enabled)

    def _kafka(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        m = self._body(fn_key, "kafka", body, event)
        if m is None:
            return None
        return Trigger(TriggerKind.KAFKA, default_trust(TriggerKind.KAFKA), loc,
                       source=self._source_value(m.get("bootstrapServers"), loc),
                       batch_size=self.ctx.integer(m.get("batchSize"), "kafka batchSize", m),
                       enabled=self.ctx.boolean(m.get("enabled")) is not False,
                       properties={"topic": self.ctx.text(m.get("topic"))})

    def _msk(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        m = self._body(fn_key, "msk", body, event)
        if m is None:
            return None
        return Trigger(TriggerKind.KAFKA, default_trust(TriggerKind.KAFKA), loc,
                       source_id=self.ctx.ref_target(m.get("arn")), source=self._source_value(m.get("arn"), loc),
                       batch_size=self.ctx.integer(m.get("batchSize"), "msk batchSize", m),
                       enabled=self.ctx.boolean(m.get("enabled")) is not False,
                       properties={"topic": self.ctx.text(m.get("topic"))})

    def _mq(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        m = self._body(fn_key, "mq", body, event)
        if m is None:
            return None
        return Trigger(TriggerKind.MQ, default_trust(TriggerKind.MQ), loc,
                       source_id=self.ctx.ref_target(m.get("arn")), source=self._source_value(m.get("arn"), loc),
                       batch_size=self.ctx.integer(m.get("batchSize"), "mq batchSize", m),
                       enabled=self.ctx.boolean(m.get("enabled")) is not False,
                       properties={"queue": self.ctx.text(m.get("queue"))})

    # ---- schedules and events ------------------------------------------------------------------

    def _schedule(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        enabled = True
        if _is_config(body):
            rate = ctx.evaluate(body.get("rate"))
            enabled = ctx.boolean(body.get("enabled")) is not False
        else:
            rate = ctx.evaluate(body)
        return Trigger(TriggerKind.SCHEDULE, default_trust(TriggerKind.SCHEDULE), loc, enabled=enabled,
                       properties={"rate": rate})

    def _event_bridge(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        m = self._body(fn_key, "eventBridge", body, event)
        if m is None:
            return None
        dlq = m.get("deadLetterQueueArn")
        on_failure = ctx.value(dlq, ctx.key_loc(m, "deadLetterQueueArn")) if dlq is not None else None
        kind = TriggerKind.SCHEDULE if m.get("schedule") is not None else TriggerKind.EVENTBRIDGE
        bus = m.get("eventBus")
        return Trigger(kind, default_trust(kind), loc, source_id=ctx.ref_target(bus) if bus is not None else None,
                       source=self._source_value(bus, loc), on_failure=on_failure,
                       enabled=ctx.boolean(m.get("enabled")) is not False,
                       properties={"pattern": ctx.evaluate(m.get("pattern")),
                                   "schedule": ctx.evaluate(m.get("schedule"))})

    def _cloudwatch_event(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        m = self._body(fn_key, "cloudwatchEvent", body, event)
        if m is None:
            return None
        return Trigger(TriggerKind.EVENTBRIDGE, default_trust(TriggerKind.EVENTBRIDGE), loc,
                       enabled=self.ctx.boolean(m.get("enabled")) is not False,
                       properties={"pattern": self.ctx.evaluate(m.get("event"))})

    def _cloudwatch_log(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        node = body.get("logGroup") if _is_config(body) else body
        return Trigger(TriggerKind.CLOUDWATCH_LOGS, default_trust(TriggerKind.CLOUDWATCH_LOGS), loc,
                       source=self._source_value(node, loc))

    def _cognito(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        ctx = self.ctx
        m = self._body(fn_key, "cognitoUserPool", body, event)
        if m is None:
            return None
        pool = ctx.text(m.get("pool"))
        existing = bool(ctx.boolean(m.get("existing")))
        source_id = None
        if pool:
            source_id = self._resource_by_name("AWS::Cognito::UserPool", "UserPoolName", pool)
            if source_id is None and not existing:
                source_id = f"CognitoUserPool{normalize_alphanumeric(pool)}"
        return Trigger(TriggerKind.COGNITO, default_trust(TriggerKind.COGNITO), loc, source_id=source_id,
                       source=self._source_value(m.get("pool"), loc),
                       properties={"trigger": ctx.text(m.get("trigger")), "existing": existing})

    def _iot(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        m = body if isinstance(body, Mapping) else {}
        return Trigger(TriggerKind.IOT, default_trust(TriggerKind.IOT), loc,
                       enabled=self.ctx.boolean(m.get("enabled")) is not False,
                       properties={"sql": self.ctx.text(m.get("sql"))})

    def _alexa(self, fn_key: str, body: Any, loc: Location, event: Any) -> Trigger | None:
        app_id = body.get("appId") if _is_config(body) else body
        enabled = self.ctx.boolean(body.get("enabled")) is not False if _is_config(body) else True
        return Trigger(TriggerKind.ALEXA, default_trust(TriggerKind.ALEXA), loc,
                       source=self._source_value(app_id, loc), enabled=enabled)


def _as_text(ctx: SlsContext, node: Any) -> str | None:
    """A literal as text, or an unresolved reference as written (a route keeps its ``${...}``)."""
    if node is None:
        return None
    text = ctx.text(node)
    return text if text is not None else str(ctx.value(node))


def _is_config(body: Any) -> bool:
    """An event's settings mapping, as opposed to a scalar or an intrinsic (``sqs: !GetAtt Q.Arn``)."""
    return isinstance(body, Mapping) and intrinsic_name(body) is None


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _texts(ctx: SlsContext, node: Any) -> tuple[str, ...]:
    if node is None:
        return ()
    items = node if isinstance(node, list) else [node]
    return tuple(t for t in (ctx.text(i) for i in items) if t is not None)


def _slash(path: str | None) -> str:
    if not path:
        return "/"
    return path if path.startswith("/") else "/" + path


def _method_path(text: str) -> tuple[str | None, str | None]:
    parts = text.strip().split(None, 1)
    if len(parts) == 2:
        return parts[0], parts[1]
    if parts and parts[0] == "*":
        return "*", None
    return None, parts[0] if parts else None


def _rest_kind(kind_text: str, arn: str) -> AuthorizerKind:
    if kind_text == "aws_iam":
        return AuthorizerKind.IAM
    if kind_text == "cognito_user_pools" or ":cognito-idp:" in arn:
        return AuthorizerKind.COGNITO
    return AuthorizerKind.LAMBDA


def usage_plan_throttle(ctx: SlsContext, node: Any) -> Throttling | None:
    """``usagePlan.throttle`` (one plan, or the first of a list of named plans)."""
    plans = node if isinstance(node, list) else [node]
    for plan in plans:
        if not isinstance(plan, Mapping):
            continue
        if len(plan) == 1 and isinstance(next(iter(plan.values())), Mapping) and "throttle" not in plan:
            plan = next(iter(plan.values()))  # [{free: {...}}, {paid: {...}}]
        throttle = plan.get("throttle") if isinstance(plan, Mapping) else None
        if isinstance(throttle, Mapping):
            rate = ctx.evaluate(throttle.get("rateLimit"))
            return Throttling(float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None,
                              ctx.integer(throttle.get("burstLimit"), "burstLimit", throttle),
                              ctx.key_loc(plan, "throttle"))
    return None


def _plugin_throttling(ctx: SlsContext, node: Mapping[str, Any], loc: Location) -> Throttling:
    """serverless-api-gateway-throttling: ``maxRequestsPerSecond`` / ``maxConcurrentRequests``."""
    rate = node.get("maxRequestsPerSecond")
    burst = node.get("maxConcurrentRequests")
    rate_v = ctx.evaluate(rate)
    return Throttling(float(rate_v) if isinstance(rate_v, (int, float)) and not isinstance(rate_v, bool) else None,
                      ctx.integer(burst, "maxConcurrentRequests", node), loc)


__all__ = ["EventBuilder", "EventSummary", "scan_websocket_connect", "usage_plan_throttle"]
