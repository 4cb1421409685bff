"""Which documents the loader claims, and bad input: errors with lines, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfn_helpers import FIXTURES, load_text

from faasguard.loaders import load_tree
from faasguard.loaders.cloudformation import CloudFormationLoader, claims_template
from faasguard.loaders.document import parse_text
from faasguard.model import ErrorKind


@pytest.mark.parametrize(("text", "claimed"), [
    ("AWSTemplateFormatVersion: '2010-09-09'\n", True),
    ("Transform: AWS::Serverless-2016-10-31\nResources: {}\n", True),
    ("Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n", True),
    ("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", True),
    ('{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}', True),
    ("service: x\nprovider: {name: aws}\nresources:\n  Resources:\n    Q: {Type: AWS::SQS::Queue}\n", False),
    ("service: x\nprovider: {name: aws}\nAWSTemplateFormatVersion: '2010-09-09'\n", False),
    ("Resources:\n  Q:\n    Type: Custom::Thing\n", False),
    ("name: my-chart\nversion: 1\n", False),
    ("- a\n- b\n", False),
])
def test_claims(text: str, claimed: bool) -> None:
    doc = parse_text(text, "x.yaml", Path("x.yaml"))
    assert CloudFormationLoader().claims(doc) is claimed
    assert claims_template(doc.data) is claimed


BAD = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals: [not, a, mapping]
Resources:
  StringProps:
    Type: AWS::Serverless::Function
    Properties: just a string
  NoType:
    Properties: {}
  ListBody:
    - Type: AWS::SQS::Queue
  BadTypes:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: [python3.12]
      Timeout: soon
      MemorySize: true
      Environment: [A, B]
      VpcConfig: vpc-1
      Policies: 42
      Events: [not, a, mapping]
      Layers: arn:aws:lambda:us-east-1:1:layer:x:1
      FunctionUrlConfig: yes
  BadEvent:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Events:
        Broken: just-a-string
        NoProps:
          Type: SQS
          Properties: [1, 2]
  LambdaBad:
    Type: AWS::Lambda::Function
    Properties:
      Code: 7
      Role: 12
      Environment: {Variables: [x]}
  RoleBad:
    Type: AWS::IAM::Role
    Properties:
      Policies: {PolicyName: p}
      ManagedPolicyArns: not-a-list
  PolicyBad:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: {Statement: [1, "x", {Effect: Allow, Action: 5, Resource: [{}]}]}
      Roles: RoleBad
  Perm:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: [x]
      Principal: {AWS: '*'}
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption: true
      NotificationConfiguration: {LambdaConfigurations: {Function: x}}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      Auth: {Authorizers: [a], DefaultAuthorizer: [b]}
      MethodSettings: nope
      Cors: {AllowOrigin: [1]}
  Skip:
    Type: AWS::SQS::Queue
    Metadata: {faasguard: {skip: [{reason: no id}, FG-X-001]}}
"""


def test_wrong_types_give_errors_with_lines_not_exceptions() -> None:
    app, errors = load_text(BAD)
    assert app.source_kind == "sam"
    found = {(e.line, e.message) for e in errors}
    expected = {
        (3, "Globals should be a mapping, not a list; ignored"),
        (7, "Properties of StringProps should be a mapping, not a string"),
        (8, "resource NoType has no Type"),
        (10, "resource ListBody should be a mapping, not a list"),
        (15, "Runtime of BadTypes should be a string, not a list"),
        (16, "Timeout of BadTypes should be a number, not 'soon'"),
        (17, "MemorySize of BadTypes should be a number, not a boolean"),
        (18, "Environment of BadTypes should be a mapping, not a list"),
        (19, "VpcConfig of BadTypes should be a mapping, not a string"),
        (20, "Policies of BadTypes: entry 0 is a number, not a name or a mapping"),
        (21, "Events of BadTypes should be a mapping, not a list"),
        (23, "FunctionUrlConfig should be a mapping, not a boolean"),
        (29, "event Broken of BadEvent should be a mapping, not a string"),
        (32, "Properties of event NoProps should be a mapping, not a list"),
        (36, "Code of LambdaBad should be a mapping or a path, not a number"),
        (38, "Environment.Variables of LambdaBad should be a mapping, not a list"),
        (47, "statement 0 of PolicyBad should be a mapping, not a number"),
        (47, "statement 1 of PolicyBad should be a mapping, not a string"),
        (57, "BucketEncryption should be a mapping, not a boolean"),
        (62, "Authorizers should be a mapping, not a list"),
        (67, "Metadata.faasguard.skip of Skip: each entry needs an id"),
    }
    assert found == expected
    assert {e.file for e in errors} == {"inline.yaml"}
    assert all(e.kind is not ErrorKind.INTERNAL for e in errors), [e for e in errors if e.kind is ErrorKind.INTERNAL]
    fn = app.function("BadTypes")
    assert fn is not None
    assert (fn.runtime, fn.timeout, fn.memory, fn.environment, fn.vpc) == (None, None, None, {}, None)
    assert [str(v) for v in fn.layers] == ["arn:aws:lambda:us-east-1:1:layer:x:1"]  # a single item is a list of one
    assert [s.rule_id for s in app.suppressions] == ["FG-X-001"]
    perm = app.permissions[0]
    assert perm.function_id is None


def test_resources_that_are_a_list() -> None:
    app, errors = load_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - a\n  - b\n")
    assert app.functions == ()
    assert [(e.line, e.message) for e in errors] == [(2, "Resources should be a mapping, not a list; nothing loaded")]


def test_every_fixture_loads_through_load_tree_without_internal_errors() -> None:
    result = load_tree(FIXTURES)
    assert {a.files[0] for a in result.applications} >= {
        "sam_app/template.yaml", "cfn_app/stack.yaml", "sam_events.yaml", "sam_apis.yaml", "cfn_apis.yaml",
        "openapi_api.yaml"}
    assert [e for e in result.errors if e.kind is ErrorKind.INTERNAL] == []


def test_for_each_loops_are_reported_as_unsupported() -> None:
    text = """\
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - Topic${Name}:
        Type: AWS::SNS::Topic
  Plain:
    Type: AWS::SNS::Topic
"""
    app, errors = load_text(text)
    assert [r.id for r in app.resources] == ["Plain"]
    assert [(e.kind, e.line) for e in errors] == [(ErrorKind.UNSUPPORTED, 3)]
    assert "not expanded" in errors[0].message


def test_randomly_corrupted_fixtures_never_raise_or_fail_internally() -> None:
    """Replace random values of every fixture with values of the wrong type (fixed seed)."""
    import copy
    import random

    from faasguard.loaders.cloudformation import build_template_model
    from faasguard.loaders.document import load_document

    weird: list[object] = [None, 0, -1, 1.5, True, "", "x", [], {}, [1, "a"], {"a": 1}, {"Ref": "Nope"},
                           {"Fn::GetAtt": 5}, {"Fn::If": ["C", 1]}, {"Ref": "AWS::NoValue"},
                           {"Fn::Join": [",", {"Ref": "X"}]}, "{{resolve:ssm:}}", "${", {"Fn::Select": [99, []]}]

    def slots(node: object):
        if isinstance(node, dict):
            for key, value in node.items():
                yield node, key
                yield from slots(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield node, index
                yield from slots(value)

    rng = random.Random(7)
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".json") and p.parent.name != "api")
    for path in files:
        doc = load_document(path, path.name)
        for _ in range(25):
            data = copy.deepcopy(doc.data)
            spots = list(slots(data))
            for _ in range(rng.randint(1, 6)):
                parent, key = rng.choice(spots)
                parent[key] = copy.deepcopy(rng.choice(weird))  # type: ignore[index]
            model = build_template_model(doc, data, root=FIXTURES, app_root=".", source_kind="sam")
            assert [e for e in model.errors if e.kind is ErrorKind.INTERNAL] == [], path.name


def test_properties_chosen_by_a_condition() -> None:
    text = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties: !If
      - IsProd
      - {KmsMasterKeyId: alias/prod}
      - {SqsManagedSseEnabled: false}
"""
    app, errors = load_text(text)
    assert errors == []
    queue = app.resource("Q")
    assert queue is not None and (queue.encrypted, queue.kms_key) == (False, None)
    assert queue.loc("encrypted").line == 12
