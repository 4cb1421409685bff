"""claims(), v2/v4 syntax, provider-level role references, functions lists, bad input, and the corpus."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from faasguard.loaders import LoadOptions, load_tree
from faasguard.loaders.document import DocumentError, load_document, parse_text
from faasguard.loaders.serverless import ServerlessLoader
from faasguard.model import ErrorKind, TriggerKind, Trust, ValueKind


def claims(text: str) -> bool:
    return ServerlessLoader().claims(parse_text(text, "x.yml", Path("x.yml")))


def test_claims_by_content():
    assert claims("service: a\nprovider: aws\n")
    assert claims("service: a\nprovider:\n  name: aws\n")
    assert claims("frameworkVersion: '4'\nservice: a\n")
    assert not claims("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")
    assert not claims("Transform: AWS::Serverless-2016-10-31\nResources: {}\nservice: x\nprovider: aws\n")
    assert not claims("name: not-serverless\n")
    assert not claims("- a\n- b\n")


def test_v4_defaults_and_legacy_iam(sls):
    app, errors = sls("""service: v4app
frameworkVersion: '4'
provider:
  name: aws
  iamRoleStatements:
    - Effect: Allow
      Action: '*'
      Resource: '*'
  iamManagedPolicies:
    - arn:aws:iam::aws:policy/AdministratorAccess
functions:
  a:
    handler: a.h
""")
    fn = app.functions[0]
    assert (fn.runtime, fn.memory, fn.timeout, fn.code_path) == ("nodejs20.x", 1024, 6, ".")
    assert fn.loc("runtime") == fn.location and fn.location.line == 12
    role = app.role(fn.role_id)
    assert role.id == "IamRoleLambdaExecution" and role.location.line == 5
    assert [(s.actions, s.location.line) for s in role.statements] == [(("*",), 6)]
    assert [m.name for m in role.managed_policies] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert errors == []


def test_v3_default_runtime(sls):
    app, _ = sls("service: s\nframeworkVersion: '3'\nprovider: aws\nfunctions:\n  a: {handler: a.h}\n")
    assert app.functions[0].runtime == "nodejs14.x"


def test_provider_role_arn_is_external_and_shared(sls):
    app, _ = sls("""service: s
provider:
  name: aws
  iam:
    role: arn:aws:iam::123456789012:role/shared
functions:
  a: {handler: a.h}
  b: {handler: b.h}
""")
    (role,) = app.roles
    assert (role.id, role.external, role.functions, role.location.line) == (
        "arn:aws:iam::123456789012:role/shared", True, ("a", "b"), 5)
    assert role.arn.text() == "arn:aws:iam::123456789012:role/shared"


def test_provider_role_getatt_to_resource(sls):
    app, _ = sls("""service: s
provider:
  name: aws
  iam:
    role: !GetAtt SharedRole.Arn
functions:
  a: {handler: a.h}
resources:
  Resources:
    SharedRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument: {Statement: []}
        ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
""")
    role = app.role("SharedRole")
    assert role is not None and role.functions == ("a",) and not role.external
    assert [m.name for m in role.managed_policies] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert app.role("IamRoleLambdaExecution") is None


def test_functions_as_list_of_files(sls):
    app, errors = sls("""service: s
provider: aws
functions:
  - ${file(./fns/a.yml)}
  - b:
      handler: b.h
""", files={"fns/a.yml": "a:\n  handler: a.h\n  events:\n    - http: GET a\n"})
    assert [(f.id, f.location.file, f.location.line) for f in app.functions] == [
        ("a", "fns/a.yml", 1), ("b", "serverless.yml", 5)]
    assert app.functions[0].triggers[0].location.file == "fns/a.yml"
    assert errors == []


def test_per_function_role_inherits_provider_statements(sls):
    app, _ = sls("""service: s
provider:
  name: aws
  iam:
    role:
      statements:
        - {Effect: Allow, Action: logs:*, Resource: '*'}
functions:
  a:
    handler: a.h
    iamRoleStatementsInherit: true
    iamRoleStatements:
      - {Effect: Allow, Action: s3:GetObject, Resource: '*'}
""")
    role = app.role("AIamRoleLambdaExecution")
    assert [s.actions for s in role.statements] == [("logs:*",), ("s3:GetObject",)]
    assert app.role("IamRoleLambdaExecution") is None  # no function uses the shared role


def test_generated_logical_ids_map_back_to_functions(sls):
    app, _ = sls("""service: s
provider: aws
functions:
  my-func_x:
    handler: a.h
resources:
  Resources:
    PublicInvoke:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: !GetAtt MyDashfuncUnderscorexLambdaFunction.Arn
        Action: lambda:InvokeFunction
        Principal: '*'
""")
    (perm,) = app.permissions
    assert (perm.function_id, perm.principal, perm.location.file) == ("my-func_x", "*", "serverless.yml")


def test_public_sources_in_resources_make_triggers_public(sls):
    app, errors = sls("""service: s
provider: aws
functions:
  a:
    handler: a.h
    events:
      - s3: {bucket: !Ref Uploads, existing: true}
      - sqs: !GetAtt Open.Arn
      - sqs: !GetAtt Closed.Arn
resources:
  Resources:
    Uploads:
      Type: AWS::S3::Bucket
      Properties:
        AccessControl: PublicReadWrite
    Open:
      Type: AWS::SQS::Queue
    Closed:
      Type: AWS::SQS::Queue
    OpenPolicy:
      Type: AWS::SQS::QueuePolicy
      Properties:
        Queues: [!Ref Open]
        PolicyDocument:
          Statement:
            - {Effect: Allow, Principal: '*', Action: sqs:SendMessage, Resource: '*'}
""")
    assert errors == []
    assert [(t.kind, t.source_id, t.trust, t.location.line) for t in app.functions[0].triggers] == [
        (TriggerKind.S3, "Uploads", Trust.PUBLIC, 7),
        (TriggerKind.SQS, "Open", Trust.PUBLIC, 8),
        (TriggerKind.SQS, "Closed", Trust.INTERNAL, 9),
    ]


def test_non_aws_provider_is_reported_unsupported(tmp_path):
    (tmp_path / "serverless.yml").write_text("service: s\nprovider: {name: azure}\nfunctions: {a: {handler: h}}\n")
    doc = load_document(tmp_path / "serverless.yml", "serverless.yml")
    result = ServerlessLoader().load(doc, tmp_path, LoadOptions())
    assert result.applications == []
    assert [(e.kind, e.file) for e in result.errors] == [(ErrorKind.UNSUPPORTED, "serverless.yml")]


@pytest.mark.parametrize("text, expected_line", [
    ("service: s\nprovider: aws\nfunctions: a-string\n", 3),
    ("service: s\nprovider: aws\nfunctions:\n  a: 42\n", 4),
    ("service: s\nprovider: aws\nfunctions:\n  a:\n    handler: h\n    timeout: forever\n", 6),
    ("service: s\nprovider: aws\nfunctions:\n  a:\n    handler: h\n    environment: [1, 2]\n", 6),
    ("service: [1]\nprovider: aws\n", 1),
    ("service: s\nprovider: aws\nresources: 12\n", 3),
    ("service: s\nprovider: aws\nresources:\n  Resources:\n    X: 1\n", 5),
    ("service: s\nprovider:\n  name: aws\n  iam:\n    role:\n      statements: {Effect: Allow}\n"
     "functions:\n  a: {handler: h}\n", 6),
])
def test_wrong_types_become_errors(sls, text, expected_line):
    app, errors = sls(text)
    assert errors, "expected an error entry"
    assert expected_line in [e.line for e in errors]


def test_load_tree_consumes_included_files(tmp_path):
    project = tmp_path / "svc"
    project.mkdir()
    (project / "serverless.yml").write_text(
        "service: s\nprovider: aws\nresources: ${file(./resources.yml)}\nfunctions:\n  a: {handler: h}\n")
    (project / "resources.yml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    result = load_tree(tmp_path)
    assert [a.name for a in result.applications] == ["s"]
    assert [r.id for r in result.applications[0].resources] == ["Q"]
    assert result.applications[0].resources[0].location.file == "svc/resources.yml"
    assert result.applications[0].root == "svc"


def test_values_in_statements_keep_reference_kinds(sls):
    app, _ = sls("""service: s
provider:
  name: aws
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [secretsmanager:GetSecretValue]
          Resource: ${ssm:/arn/of/secret}
        - Effect: Allow
          Action: s3:*
          Resource:
            - arn:aws:s3:::${aws:accountId}-bucket/*
functions:
  a: {handler: h}
""")
    first, second = app.roles[0].statements
    assert first.resources[0].kind is ValueKind.SSM
    assert second.resources[0].kind is ValueKind.REMOTE and second.resources[0].location.line == 13


FUZZ_SUFFIXES = (".yml", ".yaml")


@pytest.mark.integration
def test_corpus_never_crashes():
    corpus = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "iac"
    if not corpus.is_dir():
        pytest.skip(f"../shared corpus not found at {corpus}")
    loader = ServerlessLoader()
    files = claimed = functions = errors = 0
    started = time.perf_counter()
    for path in sorted(corpus.rglob("*")):
        if not path.name.endswith(FUZZ_SUFFIXES) or not path.is_file():
            continue
        files += 1
        try:
            doc = load_document(path, path.relative_to(corpus).as_posix())
        except DocumentError:
            continue
        if not loader.claims(doc):
            continue
        claimed += 1
        result = loader.load(doc, corpus, LoadOptions())  # must not raise
        functions += sum(len(a.functions) for a in result.applications)
        errors += len(result.errors)
        assert all(e.file for e in result.errors)
    print(f"\nserverless corpus: {files} yaml files, {claimed} serverless.yml, {functions} functions, "
          f"{errors} errors, {time.perf_counter() - started:.1f}s")
    assert claimed > 300 and functions > 500


MUTATIONS = (None, 7, True, "x", [], {}, [None], {"k": None}, "${self:nope}", {"Fn::GetAtt": ["X", "Arn"]})


@pytest.mark.parametrize("fixture", ["events", "service"])
def test_mutated_fixtures_never_raise(fixture):
    """Every node of a fixture replaced by wrongly typed values: errors or nothing, never an exception
    (and no exception swallowed by the loader's own safety net, which would show as 'Error:')."""
    import copy
    import random

    from sls_helpers import FIXTURES

    from faasguard.loaders.document import Document

    project = (FIXTURES / fixture).resolve()
    base = load_document(project / "serverless.yml", "serverless.yml")
    paths: list[tuple] = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + (i,))

    walk(base.data, ())
    rng = random.Random(20261123)
    loader = ServerlessLoader()
    for path in rng.sample(paths[1:], min(20, len(paths) - 1)):
        for mutation in MUTATIONS:
            data = copy.deepcopy(base.data)
            node = data
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = copy.deepcopy(mutation)
            result = loader.load(Document(data, base.file, base.path, base.text), project, LoadOptions())
            swallowed = [e.message for e in result.errors if "Error:" in e.message]
            assert swallowed == [], (path, mutation)
