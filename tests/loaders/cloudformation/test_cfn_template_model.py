"""``build_template_model`` as the Serverless Framework loader uses it: a ``resources`` section whose
resources point at functions defined elsewhere, named through ``function_aliases``."""

from __future__ import annotations

from pathlib import Path

from faasguard.loaders.cloudformation import build_template_model
from faasguard.loaders.document import parse_text
from faasguard.model import Function, Location, TriggerKind, Trust

SLS = """\
service: demo
provider: {name: aws}
resources:
  Resources:
    Uploads:
      Type: AWS::S3::Bucket
      Properties:
        AccessControl: PublicReadWrite
        NotificationConfiguration:
          LambdaConfigurations:
            - Event: s3:ObjectCreated:*
              Function: !GetAtt HelloLambdaFunction.Arn
    HelloPermission:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: !Ref HelloLambdaFunction
        Principal: s3.amazonaws.com
        SourceArn: !GetAtt Uploads.Arn
    HelloLogGroupRetention:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: /aws/lambda/demo-dev-hello
        RetentionInDays: 7
    HelloUrl:
      Type: AWS::Lambda::Url
      Properties:
        TargetFunctionArn: !GetAtt HelloLambdaFunction.Arn
        AuthType: NONE
    Extra:
      Type: AWS::IAM::Policy
      Properties:
        PolicyName: extra
        Roles: [!Ref IamRoleLambdaExecution]
        PolicyDocument:
          Statement:
            - Effect: Allow
              Action: '*'
              Resource: '*'
"""


def build():
    doc = parse_text(SLS, "serverless.yml", Path("/repo/serverless.yml"))
    template = {"Resources": doc.data["resources"]["Resources"]}
    model = build_template_model(doc, template, root=Path("/repo"), app_root=".", source_kind="serverless",
                                 function_aliases={"HelloLambdaFunction": "hello"},
                                 extra_resource_ids=frozenset({"IamRoleLambdaExecution", "HelloLogGroup"}))
    return doc, model


def test_resources_of_a_serverless_file() -> None:
    _, model = build()
    assert model.functions == []  # the function itself belongs to the serverless loader
    assert [r.id for r in model.resources] == ["Uploads", "HelloLogGroupRetention"]
    assert model.resources[0].public is True
    [perm] = model.permissions
    assert (perm.function_id, perm.principal, perm.location.line) == ("hello", "s3.amazonaws.com", 17)
    assert perm.source_arn is not None and perm.source_arn.ref == "Uploads"
    assert model.errors == []


def test_triggers_and_settings_for_aliased_functions() -> None:
    _, model = build()
    assert set(model.external_triggers) == {"hello"}
    kinds = [(t.kind, t.trust, t.location.line) for t in model.external_triggers["hello"]]
    assert kinds == [(TriggerKind.S3, Trust.PUBLIC, 11), (TriggerKind.FUNCTION_URL, Trust.PUBLIC, 28)]
    settings = model.external_settings["hello"]
    assert settings["url"].auth_type == "NONE"
    hello = Function("hello", "demo-dev-hello", Location("serverless.yml", 40))
    attached = model.attach(hello)
    assert [t.kind for t in attached.triggers] == [TriggerKind.S3, TriggerKind.FUNCTION_URL]
    assert attached.url is not None and attached.url.location.line == 28
    assert attached.loc("url").line == 28


def test_policies_for_framework_generated_roles() -> None:
    _, model = build()
    [role] = model.roles
    assert role.id == "IamRoleLambdaExecution"
    [statement] = role.statements
    assert (statement.actions, statement.resource_texts, statement.location.line) == (("*",), ("*",), 36)


def test_log_group_by_function_name_uses_the_serverless_name() -> None:
    doc = parse_text(SLS, "serverless.yml", Path("/repo/serverless.yml"))
    template = {"Resources": doc.data["resources"]["Resources"]}
    model = build_template_model(doc, template, root=Path("/repo"), app_root=".", source_kind="serverless",
                                 function_aliases={"HelloLambdaFunction": "hello"})
    # without the function's deployed name the log group can't be matched: nothing is invented
    assert "log_retention_days" not in model.external_settings.get("hello", {})
    # and a policy for a role that is neither here nor generated has no role to attach to
    assert model.roles == []
