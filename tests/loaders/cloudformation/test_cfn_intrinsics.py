"""The intrinsic-function resolver: literals where decidable, typed references where not."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.loaders.cloudformation.intrinsics import NO_VALUE, Resolver, referenced_ids
from faasguard.loaders.document import parse_text
from faasguard.model import Value, ValueKind

TEMPLATE = """
Parameters:
  Stage: {Type: String, Default: dev}
  Count: {Type: Number, Default: '3'}
  Subnets: {Type: CommaDelimitedList, Default: 'a, b'}
  DbPassword: {Type: String, NoEcho: true}
  Required: {Type: String}
  Latest: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/latest}
  Dyn: {Type: String, Default: '{{resolve:ssm:/app/dyn:2}}'}
Mappings:
  Env:
    dev: {Size: small}
    prod: {Size: large}
  Same:
    us-east-1: {Ami: ami-1}
    eu-west-1: {Ami: ami-1}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref Required, x]
  Both: !And [!Condition IsDev, !Condition Unknown]
  Either: !Or [!Condition IsDev, !Condition Unknown]
  Loop: !Condition Loop
Resources:
  Bucket: {Type: AWS::S3::Bucket}
"""

EXPRESSIONS = """
ref_default: !Ref Stage
ref_number: !Ref Count
ref_list: !Ref Subnets
ref_noecho: !Ref DbPassword
ref_required: !Ref Required
ref_ssm_type: !Ref Latest
ref_dyn_default: !Ref Dyn
ref_region: !Ref AWS::Region
ref_partition: !Ref AWS::Partition
ref_resource: !Ref Bucket
ref_unknown: !Ref Nope
getatt: !GetAtt Bucket.Arn
getatt_list: {'Fn::GetAtt': [Bucket, Arn]}
sub_literal: !Sub 'app-${Stage}-${!Literal}'
sub_mixed: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'
sub_vars: !Sub ['${Name}-x', {Name: !Ref Stage}]
sub_attr: !Sub '${Bucket.Arn}'
sub_secret: !Sub 'user:{{resolve:secretsmanager:db:SecretString:password}}'
join: !Join ['-', [a, !Ref Stage, 1]]
join_ref: !Join ['', ['arn:aws:s3:::', !Ref Bucket]]
select: !Select [1, !Ref Subnets]
select_split: !Select [0, !Split [',', 'x,y']]
select_out_of_range: !Select [5, [a]]
findinmap: !FindInMap [Env, !Ref Stage, Size]
findinmap_region: !FindInMap [Same, !Ref AWS::Region, Ami]
findinmap_missing: !FindInMap [Env, qa, Size]
if_decided: !If [IsProd, big, small]
if_undecided: !If [Unknown, yes-branch, no-branch]
if_novalue: !If [IsDev, !Ref AWS::NoValue, x]
import: !ImportValue shared-vpc-id
ssm: '{{resolve:ssm:/app/key:3}}'
ssm_secure: '{{resolve:ssm-secure:/app/pass}}'
secrets: '{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:1:secret:x:SecretString:pw}}'
base64: !Base64 hello
getazs: !GetAZs ''
"""


@pytest.fixture(scope="module")
def resolved() -> tuple[Resolver, dict[str, object]]:
    template = parse_text(TEMPLATE, "t.yaml", Path("t.yaml")).data
    exprs = parse_text(EXPRESSIONS, "e.yaml", Path("e.yaml")).data
    resolver = Resolver(template)
    return resolver, {str(k): resolver.evaluate(v) for k, v in exprs.items()}


def test_parameters(resolved) -> None:
    _, r = resolved
    assert r["ref_default"] == "dev"
    assert r["ref_number"] == 3
    assert r["ref_list"] == ["a", "b"]
    assert r["ref_noecho"] == Value(ValueKind.PARAMETER, ref="DbPassword", raw="${DbPassword}")
    assert r["ref_required"] == Value(ValueKind.PARAMETER, ref="Required", raw="${Required}")
    assert r["ref_ssm_type"] == Value(ValueKind.SSM, ref="/app/latest", raw="${Latest}")
    dyn = r["ref_dyn_default"]
    assert isinstance(dyn, Value) and (dyn.kind, dyn.ref) == (ValueKind.SSM, "/app/dyn")


def test_pseudo_parameters_and_resources(resolved) -> None:
    _, r = resolved
    assert r["ref_region"] == Value(ValueKind.PARAMETER, ref="AWS::Region", raw="${AWS::Region}")
    assert r["ref_partition"] == "aws"
    assert r["ref_resource"] == Value(ValueKind.RESOURCE_ATTRIBUTE, ref="Bucket", raw="${Bucket}")
    assert r["ref_unknown"] == Value(ValueKind.UNRESOLVED, ref="Nope", raw="${Nope}")
    expected = Value(ValueKind.RESOURCE_ATTRIBUTE, ref="Bucket", attribute="Arn", raw="${Bucket.Arn}")
    assert r["getatt"] == expected and r["getatt_list"] == expected


def test_region_option_makes_region_literal() -> None:
    resolver = Resolver({}, region="eu-west-1")
    assert resolver.evaluate({"Ref": "AWS::Region"}) == "eu-west-1"


def test_sub(resolved) -> None:
    _, r = resolved
    assert r["sub_literal"] == "app-dev-${Literal}"
    mixed = r["sub_mixed"]
    assert isinstance(mixed, Value)
    assert (mixed.kind, mixed.ref, mixed.raw) == (ValueKind.RESOURCE_ATTRIBUTE, "Bucket", "arn:aws:s3:::${Bucket}/*")
    assert r["sub_vars"] == "dev-x"
    assert r["sub_attr"] == Value(ValueKind.RESOURCE_ATTRIBUTE, ref="Bucket", attribute="Arn", raw="${Bucket.Arn}")
    secret = r["sub_secret"]
    assert isinstance(secret, Value) and secret.kind is ValueKind.SECRETS_MANAGER
    assert secret.raw == "user:{{resolve:secretsmanager:db:SecretString:password}}"


def test_join_select_split(resolved) -> None:
    _, r = resolved
    assert r["join"] == "a-dev-1"
    join_ref = r["join_ref"]
    assert isinstance(join_ref, Value) and join_ref.raw == "arn:aws:s3:::${Bucket}" and join_ref.ref == "Bucket"
    assert r["select"] == "b"
    assert r["select_split"] == "x"
    assert isinstance(r["select_out_of_range"], Value) and r["select_out_of_range"].kind is ValueKind.UNRESOLVED


def test_find_in_map(resolved) -> None:
    _, r = resolved
    assert r["findinmap"] == "small"
    assert r["findinmap_region"] == "ami-1"  # every region agrees
    assert isinstance(r["findinmap_missing"], Value) and r["findinmap_missing"].kind is ValueKind.UNRESOLVED


def test_conditions(resolved) -> None:
    resolver, r = resolved
    assert (resolver.condition("IsProd"), resolver.condition("IsDev")) == (False, True)
    assert resolver.condition("Unknown") is None
    assert (resolver.condition("Both"), resolver.condition("Either")) == (None, True)
    assert resolver.condition("Loop") is None  # a cycle is undecidable, not a hang
    assert resolver.condition("Missing") is None
    assert r["if_decided"] == "small"
    undecided = r["if_undecided"]
    assert isinstance(undecided, Value)
    assert (undecided.kind, undecided.literal, undecided.raw) == (ValueKind.UNRESOLVED, "yes-branch", "Fn::If[Unknown]")
    assert r["if_novalue"] is NO_VALUE


def test_dynamic_references_and_imports(resolved) -> None:
    _, r = resolved
    assert r["import"] == Value(ValueKind.STACK_OUTPUT, ref="shared-vpc-id", raw="${ImportValue:shared-vpc-id}")
    ssm = r["ssm"]
    assert isinstance(ssm, Value) and (ssm.kind, ssm.ref) == (ValueKind.SSM, "/app/key")
    secure = r["ssm_secure"]
    assert isinstance(secure, Value) and (secure.kind, secure.ref) == (ValueKind.SSM, "/app/pass")
    secrets = r["secrets"]
    assert isinstance(secrets, Value) and secrets.kind is ValueKind.SECRETS_MANAGER
    assert secrets.ref == "arn:aws:secretsmanager:us-east-1:1:secret:x:SecretString:pw"
    assert r["base64"] == "hello"
    assert isinstance(r["getazs"], Value) and r["getazs"].kind is ValueKind.UNRESOLVED


def test_value_wraps_and_keeps_location() -> None:
    from faasguard.model import Location

    resolver = Resolver({"Parameters": {"P": {"Type": "String", "Default": "x"}}})
    where = Location("f.yaml", 7)
    assert resolver.value({"Ref": "P"}, where) == Value.of("x", where)
    v = resolver.value({"Ref": "AWS::AccountId"}, where)
    assert (v.kind, v.location) == (ValueKind.PARAMETER, where)
    assert resolver.value(["a"], where).kind is ValueKind.UNRESOLVED  # a structure where a scalar was expected


def test_overrides_win_over_defaults() -> None:
    resolver = Resolver({"Parameters": {"Stage": {"Type": "String", "Default": "dev"}}},
                        parameters={"Stage": Value.of("prod")})
    assert resolver.evaluate({"Fn::Sub": "api-${Stage}"}) == "api-prod"


def test_deep_nesting_is_bounded() -> None:
    node: object = "x"
    for _ in range(200):
        node = {"Fn::Base64": node}
    result = Resolver({}).evaluate(node)
    assert isinstance(result, Value) and result.kind is ValueKind.UNRESOLVED


def test_malformed_intrinsics_never_raise() -> None:
    resolver = Resolver({})
    for bad in ({"Fn::Join": "x"}, {"Fn::Select": ["a", "b"]}, {"Fn::Sub": 5}, {"Fn::GetAtt": 3},
                {"Fn::FindInMap": [1]}, {"Fn::If": "c"}, {"Ref": ["a"]}, {"Fn::Split": [",", 1]}):
        assert isinstance(resolver.evaluate(bad), Value)


def test_referenced_ids() -> None:
    node = {"Fn::Sub": ["arn:${AWS::Partition}:x:${Fn.Arn}/${Other}/${!Skip}", {"Other": {"Ref": "Api"}}]}
    assert referenced_ids(node) == ["AWS::Partition", "Fn", "Api"]
    assert referenced_ids({"Fn::Join": ["", ["a", {"Fn::GetAtt": ["Q", "Arn"]}]]}) == ["Q"]
