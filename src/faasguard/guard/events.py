"""Event sources: recognise the shape of a Lambda event and list its attacker-controlled
values, decoded the way the platform encoded them.

Each value comes with its path in the event (``$.queryStringParameters.id``,
``$.body<base64><json>.items[0].name``, ``$.Records[0].body<json>.Message<json>.x``), so a
detection points at the exact field. Platform-set fields (request contexts, ARNs, bucket
names, sequence numbers) are not inspected. Work is bounded: depth, number of values and
body size have limits; exceeding one is reported as a ``limits`` value, not silently skipped.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl, unquote, unquote_plus

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any

APIGW_REST = "apigw_rest"
APIGW_HTTP = "apigw_http"
FUNCTION_URL = "function_url"
ALB = "alb"
S3 = "s3"
SQS = "sqs"
SNS = "sns"
DYNAMODB = "dynamodb"
KINESIS = "kinesis"
EVENTBRIDGE = "eventbridge"
COGNITO = "cognito"
CLOUDFORMATION = "cloudformation"
UNKNOWN = "unknown"
HTTP_SOURCES = frozenset({APIGW_REST, APIGW_HTTP, FUNCTION_URL, ALB})

# Headers set or overwritten by API Gateway, CloudFront or the load balancer, and headers whose
# values are credentials (inspected by nobody, redacted by the log filter instead).
_PLATFORM_HEADERS = frozenset({
    "x-amzn-trace-id", "x-forwarded-port", "x-forwarded-proto", "x-amz-cf-id", "via", "content-length",
    "cloudfront-forwarded-proto", "cloudfront-is-desktop-viewer", "cloudfront-is-mobile-viewer",
    "cloudfront-is-smarttv-viewer", "cloudfront-is-tablet-viewer", "cloudfront-viewer-country",
    "cloudfront-viewer-asn", "x-amzn-tls-version", "x-amzn-tls-cipher-suite", "x-amzn-vpc-id",
    "x-amzn-vpce-id", "x-amzn-vpce-config", "authorization", "x-amz-security-token", "x-amz-date",
    "x-amz-content-sha256", "x-api-key", "x-amzn-requestid", "accept-encoding", "connection",
    "upgrade-insecure-requests", "x-imforwards", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site",
    "sec-fetch-user",
})


class Limits:
    """Bounds on the work done per event."""

    __slots__ = ("max_depth", "max_values", "max_body_bytes", "max_value_chars")

    def __init__(self, max_depth: int = 32, max_values: int = 5000, max_body_bytes: int = 1_048_576,
                 max_value_chars: int = 65536) -> None:
        self.max_depth = max_depth
        self.max_values = max_values
        self.max_body_bytes = max_body_bytes
        self.max_value_chars = max_value_chars


DEFAULT_LIMITS = Limits()


class Value:
    """One string to inspect (``kind`` is ``text``, ``key`` for an object key, or ``limit``)."""

    __slots__ = ("path", "text", "kind")

    def __init__(self, path: str, text: str, kind: str = "text") -> None:
        self.path = path
        self.text = text
        self.kind = kind

    def __repr__(self) -> str:
        return f"Value({self.path!r}, {self.text[:40]!r}, {self.kind!r})"


class OperatorKey:
    """A JSON object key that is a query operator (``$ne``): a structural NoSQL signal."""

    __slots__ = ("path", "key")

    def __init__(self, path: str, key: str) -> None:
        self.path = path
        self.key = key


def source_of(event: Any) -> str:
    """Which AWS service produced ``event`` (``unknown`` when the shape is not recognised)."""
    if not isinstance(event, dict):
        return UNKNOWN
    ctx = event.get("requestContext")
    if isinstance(ctx, dict):
        if "elb" in ctx:
            return ALB
        if event.get("version") == "2.0" or "http" in ctx:
            domain = str(ctx.get("domainName", ""))
            return FUNCTION_URL if ".lambda-url." in domain else APIGW_HTTP
        if "httpMethod" in event or "resourcePath" in ctx:
            return APIGW_REST
    if "httpMethod" in event and "path" in event:
        return APIGW_REST
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        first = records[0]
        src = first.get("eventSource") or first.get("EventSource") or ""
        return {"aws:s3": S3, "aws:sqs": SQS, "aws:sns": SNS, "aws:dynamodb": DYNAMODB,
                "aws:kinesis": KINESIS}.get(src, UNKNOWN)
    if "detail-type" in event and "detail" in event:
        return EVENTBRIDGE
    if "triggerSource" in event and "userPoolId" in event:
        return COGNITO
    if "RequestType" in event and "ResponseURL" in event and "StackId" in event:
        return CLOUDFORMATION  # a custom resource: only the template's properties come from a person
    return UNKNOWN


class _Walker:
    """Collects values with a shared budget across the whole event."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.values: list[Value] = []
        self.operator_keys: list[OperatorKey] = []
        self.exhausted = False

    def add(self, path: str, text: Any, kind: str = "text") -> None:
        if self.exhausted:
            return
        if len(self.values) >= self.limits.max_values:
            self.exhausted = True
            self.values.append(Value(path, f"more than {self.limits.max_values} values", "limit"))
            return
        if not isinstance(text, str):
            return
        if len(text) > self.limits.max_value_chars:
            self.values.append(Value(path, f"value longer than {self.limits.max_value_chars} characters",
                                     "limit"))
            text = text[: self.limits.max_value_chars]
        if text:
            self.values.append(Value(path, text, kind))

    def walk(self, node: Any, path: str, depth: int = 0, keys: bool = True) -> None:
        """Every string (and object key) under ``node``, with JSON embedded in strings expanded."""
        if self.exhausted:
            return
        if depth > self.limits.max_depth:
            self.values.append(Value(path, f"nesting deeper than {self.limits.max_depth}", "limit"))
            return
        if isinstance(node, dict):
            values = self.values
            max_values = self.limits.max_values
            max_chars = self.limits.max_value_chars
            for key, child in node.items():
                key_s = key if type(key) is str else str(key)
                if keys:
                    if key_s[:1] == "$" or "__" in key_s:
                        self.operator_keys.append(OperatorKey(f"{path}.{key_s}", key_s))
                    if not key_s.isidentifier():
                        self.add(f"{path}.{key_s}<key>", key_s, "key")
                # hot path: a plain string leaf (most of an event) is appended without a call
                if type(child) is str and child and child[0] not in _JSON_OR_SPACE and not self.exhausted \
                        and len(values) < max_values and len(child) <= max_chars:
                    values.append(Value(f"{path}.{key_s}", child))
                elif type(child) is not int and child is not None and type(child) is not bool:
                    self.walk(child, f"{path}.{key_s}", depth + 1, keys)
        elif isinstance(node, list):
            for i, child in enumerate(node):
                self.walk(child, f"{path}[{i}]", depth + 1, keys)
        elif isinstance(node, str):
            embedded = _maybe_json(node)
            if embedded is not None:
                self.walk(embedded, f"{path}<json>", depth + 1, keys)
            else:
                self.add(path, node)

    def body(self, body: Any, path: str, is_base64: bool = False, content_type: str = "") -> None:
        """An HTTP or message body: base64, JSON, form or plain text."""
        if body is None or body == "":
            return
        if not isinstance(body, str):
            self.walk(body, path)
            return
        if len(body) > self.limits.max_body_bytes:
            self.values.append(Value(path, f"body larger than {self.limits.max_body_bytes} bytes", "limit"))
            body = body[: self.limits.max_body_bytes]
        if is_base64:
            decoded = _b64decode(body)
            if decoded is None:
                self.add(path, body)
                return
            body, path = decoded, f"{path}<base64>"
        ctype = content_type.lower()
        parsed = _maybe_json(body)
        if parsed is not None:
            self.walk(parsed, f"{path}<json>")
            return
        if "multipart/" in ctype:
            self.add(path, body)
            return
        if "x-www-form-urlencoded" in ctype or _looks_like_form(body):
            pairs = parse_qsl(body, keep_blank_values=True)
            if pairs:
                for key, val in pairs:
                    self.add(f"{path}<form>.{key}<key>", key, "key")
                    if key.startswith("$") or "[$" in key:
                        self.operator_keys.append(OperatorKey(f"{path}<form>.{key}", key))
                    self.add(f"{path}<form>.{key}", val)
                return
        self.add(path, body)


_JSON_OR_SPACE = frozenset("{[ \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0")


def _maybe_json(text: str) -> Any | None:
    if not text or len(text) > 4_194_304:
        return None
    first = text[0]
    if first not in "{[" and (not first.isspace() or text.lstrip()[:1] not in ("{", "[")):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, (dict, list)) else None


def _b64decode(text: str) -> str | None:
    try:
        raw = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return None
    return raw.decode("utf-8", "replace")


def _looks_like_form(body: str) -> bool:
    head = body[:200]
    return "=" in head and " " not in head and "\n" not in head


def _header(headers: Any, name: str) -> str:
    if not isinstance(headers, dict):
        return ""
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value)
    return ""


def _http(walker: _Walker, event: dict[str, Any], source: str) -> None:
    path_value = event.get("rawPath") if source in (APIGW_HTTP, FUNCTION_URL) else event.get("path")
    if isinstance(path_value, str):
        walker.add("$.rawPath" if "rawPath" in event else "$.path", path_value)
    for key in ("pathParameters", "queryStringParameters", "multiValueQueryStringParameters",
                "stageVariables"):
        params = event.get(key)
        if isinstance(params, dict) and key != "stageVariables":
            walker.walk(params, f"$.{key}")
    raw_qs = event.get("rawQueryString")
    if isinstance(raw_qs, str) and raw_qs and not isinstance(event.get("queryStringParameters"), dict):
        for k, v in parse_qsl(raw_qs, keep_blank_values=True):
            walker.add(f"$.rawQueryString.{k}", v)
    for key in ("headers", "multiValueHeaders"):
        headers = event.get(key)
        if not isinstance(headers, dict):
            continue
        for name, value in headers.items():
            lname = str(name).lower()
            if lname in _PLATFORM_HEADERS or lname.startswith("cloudfront-"):
                continue
            if lname == "cookie":
                for v in value if isinstance(value, list) else [value]:
                    _cookies(walker, f"$.{key}.{name}", str(v).split(";"))
                continue
            walker.walk(value, f"$.{key}.{name}")
    cookies = event.get("cookies")
    if isinstance(cookies, list):
        _cookies(walker, "$.cookies", [str(c) for c in cookies])
    walker.body(event.get("body"), "$.body", bool(event.get("isBase64Encoded")),
                _header(event.get("headers"), "content-type"))


def _cookies(walker: _Walker, path: str, parts: list[str]) -> None:
    for part in parts:
        name, _, value = part.strip().partition("=")
        if name:
            walker.add(f"{path}.{name}", unquote(value))


def _records(walker: _Walker, event: dict[str, Any], source: str) -> None:
    records = event.get("Records") or []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        base = f"$.Records[{i}]"
        if source == S3:
            key = ((rec.get("s3") or {}).get("object") or {}).get("key")
            if isinstance(key, str):
                walker.add(f"{base}.s3.object.key", unquote_plus(key))
        elif source == SQS:
            walker.body(rec.get("body"), f"{base}.body")
            for name, attr in (rec.get("messageAttributes") or {}).items():
                if isinstance(attr, dict):
                    walker.add(f"{base}.messageAttributes.{name}", attr.get("stringValue"))
        elif source == SNS:
            sns = rec.get("Sns") or {}
            walker.body(sns.get("Message"), f"{base}.Sns.Message")
            walker.add(f"{base}.Sns.Subject", sns.get("Subject"))
            for name, attr in (sns.get("MessageAttributes") or {}).items():
                if isinstance(attr, dict):
                    walker.add(f"{base}.Sns.MessageAttributes.{name}", attr.get("Value"))
        elif source == DYNAMODB:
            ddb = rec.get("dynamodb") or {}
            for image in ("Keys", "NewImage", "OldImage"):
                if isinstance(ddb.get(image), dict):
                    walker.walk(ddb[image], f"{base}.dynamodb.{image}", keys=False)
        elif source == KINESIS:
            data = (rec.get("kinesis") or {}).get("data")
            walker.body(data, f"{base}.kinesis.data", is_base64=True)


def collect(event: Any, source: str | None = None, limits: Limits = DEFAULT_LIMITS,
            ) -> tuple[str, list[Value], list[OperatorKey]]:
    """(source, values to inspect, operator keys) for ``event``."""
    src = source or source_of(event)
    walker = _Walker(limits)
    if not isinstance(event, (dict, list)):
        if isinstance(event, str):
            walker.body(event, "$")
        return src, walker.values, walker.operator_keys
    if not isinstance(event, dict):
        walker.walk(event, "$")
    elif src in HTTP_SOURCES:
        _http(walker, event, src)
    elif src in (S3, SQS, SNS, DYNAMODB, KINESIS):
        _records(walker, event, src)
    elif src == EVENTBRIDGE:
        walker.walk(event.get("detail"), "$.detail")
    elif src == COGNITO:
        walker.walk(event.get("request"), "$.request")
    elif src == CLOUDFORMATION:
        for key in ("ResourceProperties", "OldResourceProperties"):
            walker.walk(event.get(key), f"$.{key}")
    else:
        walker.walk(event, "$")
    return src, walker.values, walker.operator_keys


def message_ids(event: dict[str, Any]) -> list[str]:
    """SQS message ids in record order (for partial batch failures)."""
    return [str(r.get("messageId", "")) for r in event.get("Records") or [] if isinstance(r, dict)]
