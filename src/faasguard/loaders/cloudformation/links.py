"""Resources that connect others: Lambda permissions, URLs, event source mappings and invoke
configs, bucket notifications, subscriptions, rules and schedules, resource policies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from faasguard.loaders.cloudformation.builder import LINKS, handles
from faasguard.loaders.cloudformation.functions import Settings, function_url, invoke_config
from faasguard.loaders.trust import default_trust
from faasguard.model import Location, Permission, Trigger, TriggerKind, Value

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder

# Event source ARN service -> trigger kind (for literal ARNs and for referenced resources' types).
_ARN_KINDS = (
    (":sqs:", TriggerKind.SQS), (":dynamodb:", TriggerKind.DYNAMODB_STREAM), (":kinesis:", TriggerKind.KINESIS),
    (":kafka:", TriggerKind.KAFKA), (":mq:", TriggerKind.MQ), (":rds:", TriggerKind.OTHER),
    (":docdb", TriggerKind.OTHER),
)
_TYPE_KINDS = {
    "AWS::SQS::Queue": TriggerKind.SQS, "AWS::DynamoDB::Table": TriggerKind.DYNAMODB_STREAM,
    "AWS::DynamoDB::GlobalTable": TriggerKind.DYNAMODB_STREAM, "AWS::Serverless::SimpleTable":
    TriggerKind.DYNAMODB_STREAM, "AWS::Kinesis::Stream": TriggerKind.KINESIS, "AWS::MSK::Cluster": TriggerKind.KAFKA,
    "AWS::AmazonMQ::Broker": TriggerKind.MQ, "AWS::DocDB::DBCluster": TriggerKind.OTHER,
}
_PUBLIC_ACTIONS = {
    "AWS::S3::BucketPolicy": ("s3:getobject", "s3:putobject", "s3:*", "*", "s3:listbucket", "s3:deleteobject",
                              "s3:get*", "s3:put*"),
    "AWS::SQS::QueuePolicy": ("sqs:sendmessage", "sqs:*", "*", "sqs:receivemessage"),
    "AWS::SNS::TopicPolicy": ("sns:publish", "sns:*", "*", "sns:subscribe"),
}


def _principal_is_anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        aws = principal.get("AWS")
        items = aws if isinstance(aws, list) else [aws]
        return any(i == "*" for i in items)
    return False


def public_statement(b: Builder, document: Any, actions: tuple[str, ...]) -> Location | None:
    """The first Allow statement that lets anyone (Principal ``*``, no Condition) do ``actions``."""
    ctx = b.ctx
    doc = ctx.mapping(document, "PolicyDocument")
    if doc is None:
        return None
    for st in ctx.sequence(doc.get("Statement"), "Statement"):
        if not isinstance(st, Mapping):
            continue
        if (ctx.text(st.get("Effect")) or "").lower() != "allow" or st.get("Condition"):
            continue
        if not _principal_is_anyone(ctx.evaluate(st.get("Principal"))):
            continue
        acts = ctx.evaluate(st.get("Action"))
        acts = acts if isinstance(acts, list) else [acts]
        if any(isinstance(a, str) and a.lower() in actions for a in acts):
            return ctx.loc(st)
    return None


@handles(LINKS, "AWS::Lambda::Permission")
def permission(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    s = Settings(ctx, logical_id, props)
    fn = b.function_by_reference(props.get("FunctionName"))
    principal = ctx.value(props.get("Principal"))
    where = s.loc("Principal") if "Principal" in s else ctx.resource_loc(logical_id)

    def opt(key: str) -> Value | None:
        return ctx.value(props[key], s.loc(key)) if key in s else None

    b.permissions.append(Permission(
        function_id=fn.id if fn is not None else None, principal=str(principal), location=where,
        action=ctx.text(props.get("Action")) or "lambda:InvokeFunction", source_arn=opt("SourceArn"),
        source_account=opt("SourceAccount"), function_url_auth_type=ctx.text(props.get("FunctionUrlAuthType")),
        principal_org_id=opt("PrincipalOrgID")))


@handles(LINKS, "AWS::Lambda::Url")
def lambda_url(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    fn = b.function_by_reference(props.get("TargetFunctionArn"))
    if fn is None:
        return
    function_url(b, fn, props, b.ctx.resource_loc(logical_id), ("Resources", logical_id, "Properties"))


@handles(LINKS, "AWS::Lambda::EventInvokeConfig")
def event_invoke_config(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    fn = b.function_by_reference(props.get("FunctionName"))
    if fn is not None:
        invoke_config(b, fn, props, b.ctx.resource_loc(logical_id), logical_id)


@handles(LINKS, "AWS::Lambda::EventSourceMapping")
def event_source_mapping(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    fn = b.function_by_reference(props.get("FunctionName"))
    if fn is None:
        return
    s = Settings(ctx, logical_id, props)
    kind = TriggerKind.OTHER
    source_id: str | None = None
    source: Value | None = None
    if "EventSourceArn" in s:
        node = props["EventSourceArn"]
        source = ctx.value(node, s.loc("EventSourceArn"))
        target = ctx.ref_target(node)
        if target is not None and target in b.types:
            source_id = target
            kind = _TYPE_KINDS.get(b.types[target], TriggerKind.OTHER)
        else:
            text = str(source)
            kind = next((k for marker, k in _ARN_KINDS if marker in text), TriggerKind.OTHER)
    elif "SelfManagedEventSource" in s:
        kind = TriggerKind.KAFKA
    on_failure = None
    dest = ctx.mapping(props.get("DestinationConfig"), "DestinationConfig", props)
    of = ctx.mapping(dest.get("OnFailure"), "OnFailure", dest) if dest else None
    if of and ctx.present(of, "Destination"):
        on_failure = ctx.value(of["Destination"], s.loc("DestinationConfig"))
    enabled = ctx.boolean(props.get("Enabled")) is not False
    batch = ctx.integer(props.get("BatchSize"), "BatchSize") if "BatchSize" in s else None
    fn.append("triggers", Trigger(kind, default_trust(kind), ctx.resource_loc(logical_id), source_id=source_id,
                                  source=source, batch_size=batch, on_failure=on_failure, enabled=enabled,
                                  properties={"event_source_mapping": logical_id}))


@handles(LINKS, "AWS::S3::Bucket")
def bucket_notifications(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    cfg = ctx.mapping(props.get("NotificationConfiguration"), "NotificationConfiguration", props)
    if cfg is None:
        return
    bucket = b.resources.get(logical_id)
    for i, lc in enumerate(ctx.sequence(cfg.get("LambdaConfigurations"), "LambdaConfigurations")):
        if not isinstance(lc, Mapping):
            continue
        fn = b.function_by_reference(lc.get("Function"))
        if fn is None:
            continue
        where = ctx.loc(lc, "Resources", logical_id, "Properties", "NotificationConfiguration",
                        "LambdaConfigurations", i)
        fn.append("triggers", Trigger(TriggerKind.S3, default_trust(TriggerKind.S3), where, source_id=logical_id,
                                      source=bucket.get("name") if bucket else None,
                                      properties={"events": [ctx.text(lc.get("Event"))]}))


@handles(LINKS, "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy")
def resource_policy(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    rtype = str(body["Type"])
    where = public_statement(b, props.get("PolicyDocument"), _PUBLIC_ACTIONS[rtype])
    key = {"AWS::S3::BucketPolicy": "Bucket", "AWS::SQS::QueuePolicy": "Queues",
           "AWS::SNS::TopicPolicy": "Topics"}[rtype]
    for node in ctx.sequence(props.get(key), key):
        target = ctx.ref_target(node)
        resource = b.resources.get(target or "")
        if resource is None:
            # the bucket may be named literally
            text = ctx.text(node)
            resource = next((r for r in b.resources.values() if text and r.get("name")
                             and r.get("name").text() == text), None)
        if resource is None:
            continue
        if where is not None:
            resource.set("public", True, where)
        elif resource.get("public") is None:
            resource.set("public", False, ctx.resource_loc(logical_id))


def _subscription_trigger(b: Builder, protocol: Any, endpoint: Any, topic_id: str | None, topic: Value | None,
                          where: Location, dead_letter: bool) -> None:
    ctx = b.ctx
    if (ctx.text(protocol) or "").lower() != "lambda":
        return
    fn = b.function_by_reference(endpoint)
    if fn is None:
        return
    fn.append("triggers", Trigger(TriggerKind.SNS, default_trust(TriggerKind.SNS), where, source_id=topic_id,
                                  source=topic, properties={"dead_letter": dead_letter}))


@handles(LINKS, "AWS::SNS::Subscription")
def sns_subscription(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    target = ctx.ref_target(props.get("TopicArn"))
    _subscription_trigger(b, props.get("Protocol"), props.get("Endpoint"),
                          target if target in b.resources else None, ctx.value(props.get("TopicArn")),
                          ctx.resource_loc(logical_id), "RedrivePolicy" in props)


@handles(LINKS, "AWS::SNS::Topic")
def topic_subscriptions(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    for i, sub in enumerate(ctx.sequence(props.get("Subscription"), "Subscription")):
        if isinstance(sub, Mapping):
            _subscription_trigger(b, sub.get("Protocol"), sub.get("Endpoint"), logical_id,
                                  Value.of(logical_id), ctx.loc(sub, "Resources", logical_id, "Properties",
                                                                "Subscription", i), False)


@handles(LINKS, "AWS::Events::Rule")
def event_rule(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    schedule = ctx.text(props.get("ScheduleExpression"))
    kind = TriggerKind.SCHEDULE if "ScheduleExpression" in props else TriggerKind.EVENTBRIDGE
    state = (ctx.text(props.get("State")) or "ENABLED").upper()
    for i, target in enumerate(ctx.sequence(props.get("Targets"), "Targets")):
        if not isinstance(target, Mapping):
            continue
        fn = b.function_by_reference(target.get("Arn"))
        if fn is None:
            continue
        where = ctx.loc(target, "Resources", logical_id, "Properties", "Targets", i)
        fn.append("triggers", Trigger(
            kind, default_trust(kind), where, source_id=logical_id, enabled=state != "DISABLED",
            properties={"dead_letter": isinstance(target.get("DeadLetterConfig"), Mapping), "schedule": schedule,
                        "pattern": ctx.evaluate(props.get("EventPattern")), "rule": logical_id}))


@handles(LINKS, "AWS::Scheduler::Schedule")
def scheduler(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    target = ctx.mapping(props.get("Target"), "Target", props)
    if target is None:
        return
    fn = b.function_by_reference(target.get("Arn"))
    if fn is None:
        return
    state = (ctx.text(props.get("State")) or "ENABLED").upper()
    fn.append("triggers", Trigger(
        TriggerKind.SCHEDULE, default_trust(TriggerKind.SCHEDULE), ctx.resource_loc(logical_id), source_id=logical_id,
        enabled=state != "DISABLED",
        properties={"dead_letter": isinstance(target.get("DeadLetterConfig"), Mapping),
                    "schedule": ctx.text(props.get("ScheduleExpression"))}))


@handles(LINKS, "AWS::Logs::SubscriptionFilter")
def log_subscription(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    fn = b.function_by_reference(props.get("DestinationArn"))
    if fn is None:
        return
    target = ctx.ref_target(props.get("LogGroupName"))
    fn.append("triggers", Trigger(TriggerKind.CLOUDWATCH_LOGS, default_trust(TriggerKind.CLOUDWATCH_LOGS),
                                  ctx.resource_loc(logical_id), source_id=target if target in b.resources else None,
                                  source=ctx.value(props.get("LogGroupName"))))


@handles(LINKS, "AWS::IoT::TopicRule")
def iot_rule(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    payload = ctx.mapping(props.get("TopicRulePayload"), "TopicRulePayload", props) or {}
    for action in ctx.sequence(payload.get("Actions"), "Actions"):
        lam = action.get("Lambda") if isinstance(action, Mapping) else None
        if isinstance(lam, Mapping):
            fn = b.function_by_reference(lam.get("FunctionArn"))
            if fn is not None:
                fn.append("triggers", Trigger(TriggerKind.IOT, default_trust(TriggerKind.IOT), ctx.loc(action),
                                              source_id=logical_id, properties={"sql": ctx.text(payload.get("Sql"))}))


@handles(LINKS, "AWS::Cognito::UserPool")
def user_pool_triggers(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    cfg = ctx.mapping(props.get("LambdaConfig"), "LambdaConfig", props)
    if cfg is None:
        return
    for name, node in cfg.items():
        fn = b.function_by_reference(node)
        if fn is not None:
            fn.append("triggers", Trigger(TriggerKind.COGNITO, default_trust(TriggerKind.COGNITO),
                                          ctx.key_loc(cfg, str(name)), source_id=logical_id,
                                          properties={"triggers": [str(name)]}))


@handles(LINKS, "AWS::Lambda::LayerVersionPermission")
def layer_permission(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    layer = b.resources.get(ctx.ref_target(props.get("LayerVersionArn")) or "")
    if layer is not None and ctx.text(props.get("Principal")) == "*" and "OrganizationId" not in props:
        layer.set("public", True, ctx.key_loc(props, "Principal"))


@handles(LINKS, "AWS::ElasticLoadBalancingV2::TargetGroup")
def alb_target_group(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    """A Lambda target group: the load balancer's listeners pass HTTP requests to the function."""
    ctx = b.ctx
    if (ctx.text(props.get("TargetType")) or "").lower() != "lambda":
        return
    for i, target in enumerate(ctx.sequence(props.get("Targets"), "Targets")):
        if not isinstance(target, Mapping):
            continue
        fn = b.function_by_reference(target.get("Id"))
        if fn is not None:
            where = ctx.loc(target, "Resources", logical_id, "Properties", "Targets", i)
            fn.append("triggers", Trigger(TriggerKind.ALB, default_trust(TriggerKind.ALB), where,
                                          source_id=logical_id, properties={"target_group": logical_id}))


@handles(LINKS, "AWS::AppSync::DataSource")
def appsync_data_source(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    cfg = ctx.mapping(props.get("LambdaConfig"), "LambdaConfig", line=ctx.key_loc(props, "LambdaConfig").line)
    if cfg is None:
        return
    fn = b.function_by_reference(cfg.get("LambdaFunctionArn"))
    if fn is not None:
        target = ctx.ref_target(props.get("ApiId"))
        fn.append("triggers", Trigger(TriggerKind.APPSYNC, default_trust(TriggerKind.APPSYNC),
                                      ctx.resource_loc(logical_id), source_id=target if target in b.types else None,
                                      properties={"data_source": logical_id}))


@handles(LINKS, "AWS::Serverless::GraphQLApi")
def sam_graphql_api(b: Builder, logical_id: str, body: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    ctx = b.ctx
    sources = ctx.mapping(props.get("DataSources"), "DataSources", line=ctx.key_loc(props, "DataSources").line)
    lambdas = ctx.mapping(sources.get("Lambda"), "DataSources.Lambda") if sources else None
    for name, cfg in (lambdas or {}).items():
        if not isinstance(cfg, Mapping):
            continue
        fn = b.function_by_reference(cfg.get("FunctionArn"))
        if fn is not None:
            fn.append("triggers", Trigger(TriggerKind.APPSYNC, default_trust(TriggerKind.APPSYNC),
                                          ctx.key_loc(lambdas, str(name)), source_id=logical_id,
                                          properties={"data_source": str(name)}))
