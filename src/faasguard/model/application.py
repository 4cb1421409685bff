"""The application model: what every loader produces and every analyzer reads.

Plain frozen dataclasses. No parsing and no I/O here. Loaders fill in normalised facts (for
example ``Resource.encrypted``) so that each rule is written once, whatever the IaC flavour.
``None`` always means "not stated / not known", which rules treat differently from ``False``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any

from faasguard.model.finding import Suppression
from faasguard.model.location import Location
from faasguard.model.value import Value


class TriggerKind(str, Enum):
    HTTP_API = "http_api"  # API Gateway v2 HTTP API (serverless httpApi, SAM HttpApi)
    REST_API = "rest_api"  # API Gateway v1 REST API (serverless http, SAM Api)
    WEBSOCKET = "websocket"
    FUNCTION_URL = "function_url"
    ALB = "alb"
    S3 = "s3"
    SQS = "sqs"
    SNS = "sns"
    DYNAMODB_STREAM = "dynamodb_stream"
    KINESIS = "kinesis"
    KAFKA = "kafka"  # MSK and self-managed Kafka
    MQ = "mq"
    EVENTBRIDGE = "eventbridge"
    SCHEDULE = "schedule"
    COGNITO = "cognito"
    IOT = "iot"
    ALEXA = "alexa"
    CLOUDWATCH_LOGS = "cloudwatch_logs"
    APPSYNC = "appsync"
    OTHER = "other"


# Event sources AWS invokes asynchronously: failures are retried then dropped unless a DLQ or an
# on-failure destination is configured.
ASYNC_TRIGGER_KINDS = frozenset({
    TriggerKind.S3, TriggerKind.SNS, TriggerKind.EVENTBRIDGE, TriggerKind.SCHEDULE,
    TriggerKind.IOT, TriggerKind.CLOUDWATCH_LOGS,
})
# Poll-based sources: Lambda's event source mapping reads them with the function's role.
POLLED_TRIGGER_KINDS = frozenset({
    TriggerKind.SQS, TriggerKind.DYNAMODB_STREAM, TriggerKind.KINESIS, TriggerKind.KAFKA, TriggerKind.MQ,
})
HTTP_TRIGGER_KINDS = frozenset({
    TriggerKind.HTTP_API, TriggerKind.REST_API, TriggerKind.WEBSOCKET, TriggerKind.FUNCTION_URL,
    TriggerKind.ALB,
})


class Trust(str, Enum):
    """Who can put data into the event."""

    PUBLIC = "public"  # anyone on the internet (an API route without auth, a public bucket)
    AUTHENTICATED = "authenticated"  # any authenticated caller (authorizer, IAM auth, API key)
    INTERNAL = "internal"  # only this account's services (a schedule, an internal queue)


class AuthorizerKind(str, Enum):
    IAM = "iam"
    JWT = "jwt"
    COGNITO = "cognito"
    LAMBDA = "lambda"  # custom / request / token authorizer
    API_KEY = "api_key"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Authorizer:
    kind: AuthorizerKind
    name: str = ""
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_credentials: bool | None = None
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    location: Location | None = None

    @property
    def any_origin(self) -> bool:
        return any(o.strip().strip("'\"") == "*" for o in self.allow_origins)


@dataclass(frozen=True, slots=True)
class Throttling:
    rate_limit: float | None = None
    burst_limit: int | None = None
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Trigger:
    """One way a function gets invoked, with how far its data can be trusted.

    ``source_id`` is the logical id of the resource that emits the event (a bucket, queue,
    topic, table, API) when it is defined in the application, else ``source`` holds the ARN or
    name as written. For HTTP triggers, ``api_id``/``method``/``path`` name the route.
    """

    kind: TriggerKind
    trust: Trust
    location: Location
    source_id: str | None = None
    source: Value | None = None
    api_id: str | None = None
    method: str | None = None
    path: str | None = None
    authorizer: Authorizer | None = None
    api_key_required: bool | None = None
    request_validation: bool | None = None  # a request model/schema/validator is configured
    throttling: Throttling | None = None
    cors: Cors | None = None
    batch_size: int | None = None
    on_failure: Value | None = None  # event source mapping / async on-failure destination
    enabled: bool = True
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def route(self) -> str:
        """``GET /orders/{id}``-style text for messages."""
        if self.method or self.path:
            return f"{(self.method or 'ANY').upper()} {self.path or '/'}".strip()
        return self.kind.value

    @property
    def is_http(self) -> bool:
        return self.kind in HTTP_TRIGGER_KINDS

    @property
    def is_async(self) -> bool:
        return self.kind in ASYNC_TRIGGER_KINDS


@dataclass(frozen=True, slots=True)
class VpcConfig:
    subnet_ids: tuple[Value, ...] = ()
    security_group_ids: tuple[Value, ...] = ()
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class FunctionUrl:
    auth_type: str  # "AWS_IAM" or "NONE" (as AWS spells them)
    location: Location
    cors: Cors | None = None
    invoke_mode: str | None = None


class PackageType(str, Enum):
    ZIP = "zip"
    IMAGE = "image"


@dataclass(frozen=True, slots=True)
class Function:
    """A deployable function, with all settings already merged (provider/Globals defaults).

    ``id`` is the logical id (SAM/CFN resource id, serverless function key, Terraform address)
    and is unique in the application. ``code_path`` is the function's code directory or file,
    relative to the scan root, when it is on disk. ``locations`` maps a setting name (the field
    names of this class: ``runtime``, ``timeout``, ``environment``, ``tracing`` ...) to the line
    that sets it, so a rule can point at the line to change; a setting that is missing points
    at the function itself.
    """

    id: str
    name: str
    location: Location
    runtime: str | None = None
    handler: str | None = None
    code_path: str | None = None
    package_type: PackageType = PackageType.ZIP
    architectures: tuple[str, ...] = ()
    memory: int | None = None
    timeout: int | None = None
    environment: Mapping[str, Value] = field(default_factory=dict)
    role_id: str | None = None
    triggers: tuple[Trigger, ...] = ()
    vpc: VpcConfig | None = None
    tracing: str | None = None  # "Active" / "PassThrough" / None (not set)
    reserved_concurrency: int | None = None
    dead_letter: Value | None = None  # DLQ target (SQS/SNS ARN or ref)
    on_failure: Value | None = None  # async invoke on-failure destination
    kms_key: Value | None = None
    layers: tuple[Value, ...] = ()
    url: FunctionUrl | None = None
    code_signing: Value | None = None
    log_group_id: str | None = None  # resource id of the function's log group, when defined
    log_retention_days: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    source_kind: str = ""  # "serverless", "sam", "cloudformation", "terraform", ...
    locations: Mapping[str, Location] = field(default_factory=dict)

    def loc(self, setting: str) -> Location:
        """The line that sets ``setting``, or the function's own line when it is not set."""
        return self.locations.get(setting, self.location)

    def triggers_of(self, *kinds: TriggerKind) -> Iterator[Trigger]:
        return (t for t in self.triggers if t.kind in kinds)

    @property
    def is_public(self) -> bool:
        return any(t.trust is Trust.PUBLIC for t in self.triggers) or (
            self.url is not None and self.url.auth_type.upper() == "NONE")

    @property
    def language(self) -> str | None:
        """``python``, ``nodejs``, ``java``, ... from the runtime identifier."""
        if not self.runtime:
            return None
        rt = self.runtime.lower()
        for lang in ("python", "nodejs", "java", "dotnet", "ruby", "go", "provided"):
            if rt.startswith(lang):
                return lang
        return rt


@dataclass(frozen=True, slots=True)
class Statement:
    """One IAM policy statement. Lists are as written (not expanded)."""

    effect: str  # "Allow" | "Deny"
    location: Location
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[Value, ...] = ()
    not_resources: tuple[Value, ...] = ()
    conditions: Mapping[str, Any] = field(default_factory=dict)
    sid: str = ""
    policy_name: str = ""  # the inline policy / managed policy / SAM template it came from

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    @property
    def resource_texts(self) -> tuple[str, ...]:
        return tuple(str(r) for r in self.resources)

    @property
    def on_any_resource(self) -> bool:
        return any(r.is_literal and r.text() == "*" for r in self.resources)


@dataclass(frozen=True, slots=True)
class ManagedPolicyRef:
    """An attached managed policy (AWS managed by name/ARN, or customer managed by resource id)."""

    name: str  # "AdministratorAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess", or a logical id
    location: Location
    aws_managed: bool = True


@dataclass(frozen=True, slots=True)
class PolicyTemplateRef:
    """A SAM policy template as written (``S3CrudPolicy: {BucketName: '*'}``); its expanded
    statements are in ``Role.statements`` with ``policy_name`` set to the template name."""

    name: str
    arguments: Mapping[str, Value]
    location: Location


@dataclass(frozen=True, slots=True)
class Role:
    """An execution role. ``functions`` lists the ids of the functions that assume it.

    ``external`` roles are referenced by ARN/name but not defined in the application, so their
    permissions are unknown (rules must not call them clean).
    """

    id: str
    location: Location
    name: str = ""
    statements: tuple[Statement, ...] = ()
    managed_policies: tuple[ManagedPolicyRef, ...] = ()
    policy_templates: tuple[PolicyTemplateRef, ...] = ()
    functions: tuple[str, ...] = ()
    external: bool = False
    arn: Value | None = None
    permissions_boundary: Value | None = None
    source_kind: str = ""

    @property
    def allow_statements(self) -> Iterator[Statement]:
        return (s for s in self.statements if s.allows)


class ResourceKind(str, Enum):
    BUCKET = "bucket"
    TABLE = "table"
    QUEUE = "queue"
    TOPIC = "topic"
    SECRET = "secret"
    KEY = "key"
    LOG_GROUP = "log_group"
    EVENT_RULE = "event_rule"
    STREAM = "stream"
    PARAMETER = "parameter"
    ACCESS_KEY = "access_key"  # long-lived IAM user access key
    USER_POOL = "user_pool"
    STATE_MACHINE = "state_machine"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Resource:
    """A non-function resource that functions use or are triggered by.

    Normalised facts (``None`` = not stated):
    - ``encrypted``: at-rest encryption is on (SSE-S3/SQS-managed count as True);
      ``kms_key`` holds the customer key when one is set.
    - ``public``: reachable/readable by anyone (bucket ACL/policy, topic/queue policy with ``*``).
    - ``public_access_blocked``: S3 Block Public Access with all four settings on.
    - ``dead_letter``: the queue has a redrive policy / the subscription or target has a DLQ.
    - ``retention_days``: log group retention.
    ``properties`` keeps the raw properties for rules that need more.
    """

    id: str
    kind: ResourceKind
    type: str  # as the IaC names it: "AWS::S3::Bucket", "aws_s3_bucket", ...
    location: Location
    name: Value | None = None
    encrypted: bool | None = None
    kms_key: Value | None = None
    public: bool | None = None
    public_access_blocked: bool | None = None
    dead_letter: bool | None = None
    retention_days: int | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    locations: Mapping[str, Location] = field(default_factory=dict)

    def loc(self, setting: str) -> Location:
        return self.locations.get(setting, self.location)


class ApiKind(str, Enum):
    REST = "rest"
    HTTP = "http"
    WEBSOCKET = "websocket"


@dataclass(frozen=True, slots=True)
class Api:
    """An API Gateway API (explicit, or the implicit one serverless/SAM create).

    Stage settings are normalised; routes live on the functions' triggers (``api_id``).
    """

    id: str
    kind: ApiKind
    location: Location
    name: str = ""
    implicit: bool = False  # created by the framework, not declared by the user
    endpoint_type: str | None = None  # EDGE / REGIONAL / PRIVATE
    default_authorizer: Authorizer | None = None
    access_logging: bool | None = None
    execution_logging: bool | None = None
    tracing: bool | None = None
    throttling: Throttling | None = None
    usage_plan: bool | None = None
    waf: bool | None = None
    cors: Cors | None = None
    request_validation: bool | None = None
    resource_policy: bool | None = None
    locations: Mapping[str, Location] = field(default_factory=dict)

    def loc(self, setting: str) -> Location:
        return self.locations.get(setting, self.location)


@dataclass(frozen=True, slots=True)
class Permission:
    """A resource-based policy statement on a function (AWS::Lambda::Permission & co.)."""

    function_id: str | None
    principal: str
    location: Location
    action: str = "lambda:InvokeFunction"
    source_arn: Value | None = None
    source_account: Value | None = None
    function_url_auth_type: str | None = None
    principal_org_id: Value | None = None


@dataclass(frozen=True)
class Application:
    """One deployable application: a serverless.yml service, a SAM/CFN stack, a TF root.

    Lookups by id and by literal name are O(1): indexes are built on first use (an app can have
    10,000 functions, and rules look functions and resources up constantly).
    """

    name: str
    source_kind: str  # "serverless", "sam", "cloudformation", "terraform", "chalice", "zappa", ...
    root: str  # directory of the app, relative to the scan root ("." for the root itself)
    files: tuple[str, ...]
    location: Location
    provider: str = "aws"
    stage: str | None = None
    region: str | None = None
    functions: tuple[Function, ...] = ()
    roles: tuple[Role, ...] = ()
    apis: tuple[Api, ...] = ()
    resources: tuple[Resource, ...] = ()
    permissions: tuple[Permission, ...] = ()
    suppressions: tuple[Suppression, ...] = ()

    @cached_property
    def _functions_by_id(self) -> dict[str, Function]:
        return {f.id: f for f in reversed(self.functions)}  # first wins, as a linear search would

    @cached_property
    def _functions_by_name(self) -> dict[str, Function]:
        return {f.name: f for f in reversed(self.functions)}

    @cached_property
    def _roles_by_id(self) -> dict[str, Role]:
        return {r.id: r for r in reversed(self.roles)}

    @cached_property
    def _resources_by_id(self) -> dict[str, Resource]:
        return {r.id: r for r in reversed(self.resources)}

    @cached_property
    def _resources_by_name(self) -> dict[str, Resource]:
        return {r.name.text() or "": r for r in reversed(self.resources)
                if r.name is not None and r.name.is_literal and r.name.text()}

    @cached_property
    def _apis_by_id(self) -> dict[str, Api]:
        return {a.id: a for a in reversed(self.apis)}

    @cached_property
    def _permissions_by_function(self) -> dict[str | None, tuple[Permission, ...]]:
        index: dict[str | None, list[Permission]] = {}
        for p in self.permissions:
            index.setdefault(p.function_id, []).append(p)
        return {k: tuple(v) for k, v in index.items()}

    def function(self, function_id: str) -> Function | None:
        return self._functions_by_id.get(function_id)

    def function_named(self, name: str) -> Function | None:
        """The function deployed under ``name`` (its ``Function.name``)."""
        return self._functions_by_name.get(name)

    def role(self, role_id: str | None) -> Role | None:
        if role_id is None:
            return None
        return self._roles_by_id.get(role_id)

    def role_of(self, fn: Function) -> Role | None:
        return self.role(fn.role_id)

    def resource(self, resource_id: str | None) -> Resource | None:
        if resource_id is None:
            return None
        return self._resources_by_id.get(resource_id)

    def resource_named(self, name: str) -> Resource | None:
        """The resource whose literal name (bucket, table, queue name ...) is ``name``."""
        return self._resources_by_name.get(name)

    def api(self, api_id: str | None) -> Api | None:
        if api_id is None:
            return None
        return self._apis_by_id.get(api_id)

    def resources_of(self, *kinds: ResourceKind) -> Iterator[Resource]:
        return (r for r in self.resources if r.kind in kinds)

    def permissions_for(self, fn: Function) -> Iterator[Permission]:
        return iter(self._permissions_by_function.get(fn.id, ()))
