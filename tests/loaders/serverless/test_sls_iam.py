"""Role references and additions to the framework's role from resources."""

from __future__ import annotations

from faasguard.model import ValueKind


def test_role_by_name_is_external(sls):
    app, _ = sls("""service: s
provider:
  name: aws
  iam:
    role: legacy-lambda-role
functions:
  a: {handler: h}
""")
    (role,) = app.roles
    assert (role.id, role.name, role.external, role.functions, role.arn) == (
        "legacy-lambda-role", "legacy-lambda-role", True, ("a",), None)


def test_role_name_matching_a_resource_role(sls):
    app, _ = sls("""service: s
provider: aws
functions:
  a:
    handler: h
    role: named-role
resources:
  Resources:
    NamedRole:
      Type: AWS::IAM::Role
      Properties:
        RoleName: named-role
        AssumeRolePolicyDocument: {Statement: []}
""")
    assert app.functions[0].role_id == "NamedRole"
    assert app.role("NamedRole").functions == ("a",)


def test_function_role_getatt_and_reference_kinds(sls):
    app, _ = sls("""service: s
provider: aws
functions:
  a:
    handler: h
    role: !GetAtt FnRole.Arn
  b:
    handler: h
    role: ${ssm:/roles/b}
resources:
  Resources:
    FnRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument: {Statement: []}
""")
    assert {f.id: f.role_id for f in app.functions} == {"a": "FnRole", "b": "${ssm:/roles/b}"}
    external = app.role("${ssm:/roles/b}")
    assert external.external and external.arn.kind is ValueKind.SSM and external.location.line == 9
    assert app.role("IamRoleLambdaExecution") is None


def test_extensions_and_policies_add_to_the_framework_role(sls):
    app, errors = sls("""service: s
provider: aws
functions:
  a: {handler: h}
resources:
  Resources:
    ExtraPolicy:
      Type: AWS::IAM::Policy
      Properties:
        PolicyName: extra
        Roles: [!Ref IamRoleLambdaExecution]
        PolicyDocument:
          Statement:
            - Effect: Allow
              Action: kms:Decrypt
              Resource: '*'
  extensions:
    IamRoleLambdaExecution:
      Properties:
        ManagedPolicyArns: [arn:aws:iam::aws:policy/PowerUserAccess]
        Policies:
          - PolicyName: ext
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: iam:PassRole
                  Resource: '*'
""")
    role = app.role("IamRoleLambdaExecution")
    assert role.functions == ("a",)
    assert sorted((s.actions, s.location.line, s.policy_name) for s in role.statements) == [
        (("iam:PassRole",), 25, "ext"), (("kms:Decrypt",), 14, "extra")]
    assert [(m.name, m.location.line) for m in role.managed_policies] == [
        ("arn:aws:iam::aws:policy/PowerUserAccess", 20)]
    assert len(app.roles) == 1


def test_resource_functions_on_the_framework_role_are_listed(sls):
    app, _ = sls("""service: s
provider: aws
functions:
  a: {handler: h}
resources:
  Resources:
    Extra:
      Type: AWS::Lambda::Function
      Properties:
        Runtime: python3.12
        Handler: x.h
        Code: {ZipFile: "def h(e, c): pass"}
        Role: !GetAtt IamRoleLambdaExecution.Arn
""")
    assert {f.id: f.role_id for f in app.functions} == {"a": "IamRoleLambdaExecution",
                                                        "Extra": "IamRoleLambdaExecution"}
    (role,) = app.roles
    assert role.functions == ("a", "Extra") and not role.external
