"""SAM functions: settings, Globals merging, code paths, roles and policies, with their lines."""

from __future__ import annotations

from cfn_helpers import line, load

from faasguard.model import PackageType, TriggerKind, Trust, ValueKind

F = "sam_app/template.yaml"


def app():
    application, errors = load(F)
    assert errors == []
    return application


def test_application_identity() -> None:
    a = app()
    assert (a.name, a.source_kind, a.root, a.files) == ("sam_app", "sam", "sam_app", (F,))
    assert [f.id for f in a.functions] == ["HelloFunction", "ImageFunction", "S3CodeFunction", "InlineFunction",
                                           "OutsideFunction"]


def test_function_settings_and_lines() -> None:
    fn = app().function("HelloFunction")
    assert fn is not None
    assert fn.name == "hello-dev"  # !Sub with the parameter default
    assert fn.location.line == line(F, "  HelloFunction:")
    assert (fn.runtime, fn.handler, fn.timeout, fn.memory) == ("python3.12", "app.handler", 900, 256)
    assert fn.loc("timeout").line == line(F, "Timeout: 900")  # the function's own value wins over Globals
    assert fn.loc("runtime").line == line(F, "Runtime: python3.12")  # from Globals: the Globals line
    assert fn.loc("runtime").pointer == ("Globals", "Function", "Runtime")
    assert fn.loc("memory").line == line(F, "MemorySize: 256")
    assert fn.architectures == ("arm64",)
    assert fn.reserved_concurrency == 5
    assert fn.loc("reserved_concurrency").line == line(F, "ReservedConcurrentExecutions: 5")
    assert fn.tracing == "Active" and fn.loc("tracing").line == line(F, "Tracing: Active")
    assert fn.kms_key is not None and (fn.kms_key.kind, fn.kms_key.ref, fn.kms_key.attribute) == (
        ValueKind.RESOURCE_ATTRIBUTE, "Key", "Arn")
    assert fn.code_signing is not None and fn.code_signing.text() == \
        "arn:aws:lambda:us-east-1:111111111111:code-signing-config:csc-1"
    assert fn.source_kind == "sam"


def test_layers_are_appended_to_globals() -> None:
    fn = app().function("HelloFunction")
    assert fn is not None
    assert [str(v) for v in fn.layers] == ["arn:aws:lambda:us-east-1:111111111111:layer:shared:3", "${LocalLayer}"]
    assert fn.layers[1].kind is ValueKind.RESOURCE_ATTRIBUTE
    # each layer points at its own list item (the global one in Globals)
    assert [v.location.line for v in fn.layers if v.location] == [line(F, "- arn:aws:lambda:us-east-1:111111111111"),
                                                                  line(F, "- !Ref LocalLayer")]


def test_environment_merged_with_globals_keeps_each_line() -> None:
    fn = app().function("HelloFunction")
    assert fn is not None
    env = fn.environment
    assert set(env) == {"STAGE", "LOG_LEVEL", "TABLE", "DB_PASSWORD", "API_SECRET"}
    assert env["STAGE"].literal == "dev"
    assert fn.loc("environment.STAGE").line == line(F, "STAGE: !Ref Stage")
    assert fn.loc("environment.STAGE").pointer == ("Globals", "Function", "Environment", "Variables", "STAGE")
    assert fn.loc("environment.TABLE").pointer == ("Resources", "HelloFunction", "Properties", "Environment",
                                                   "Variables", "TABLE")
    assert env["LOG_LEVEL"].literal == "DEBUG"  # the function's value overrides the global one
    assert fn.loc("environment.LOG_LEVEL").line == line(F, "LOG_LEVEL: DEBUG")
    assert (env["TABLE"].kind, env["TABLE"].ref) == (ValueKind.RESOURCE_ATTRIBUTE, "Table")
    assert (env["DB_PASSWORD"].kind, env["DB_PASSWORD"].ref) == (ValueKind.PARAMETER, "DbPassword")
    assert (env["API_SECRET"].kind, env["API_SECRET"].ref) == (ValueKind.SECRETS_MANAGER,
                                                               "prod/api:SecretString:key")
    assert fn.loc("environment.API_SECRET").line == line(F, "API_SECRET:")
    assert env["API_SECRET"].location is not None and env["API_SECRET"].location.line == line(F, "API_SECRET:")


def test_vpc_dlq_invoke_config_url_logging() -> None:
    fn = app().function("HelloFunction")
    assert fn is not None
    assert fn.vpc is not None
    assert [str(s) for s in fn.vpc.subnet_ids] == ["subnet-1", "subnet-2"]
    assert [v.ref for v in fn.vpc.security_group_ids] == ["Sg"]
    assert fn.loc("vpc").line == line(F, "VpcConfig:")
    assert fn.dead_letter is not None and (fn.dead_letter.ref, fn.dead_letter.attribute) == ("Dlq", "Arn")
    assert fn.loc("dead_letter").line == line(F, "DeadLetterQueue:")
    assert fn.on_failure is not None and fn.on_failure.ref == "Dlq"
    assert fn.loc("on_failure").line == line(F, "OnFailure:")
    assert fn.url is not None and fn.url.auth_type == "NONE"
    assert fn.url.location.line == line(F, "AuthType: NONE")
    assert fn.url.cors is not None and fn.url.cors.any_origin and fn.url.cors.allow_credentials is True
    [url] = list(fn.triggers_of(TriggerKind.FUNCTION_URL))
    assert (url.trust, url.location.line, url.authorizer) == (Trust.PUBLIC, line(F, "AuthType: NONE"), None)
    assert fn.is_public
    assert (fn.log_group_id, fn.log_retention_days) == ("HelloLogs", 14)
    assert fn.loc("log_retention_days").line == line(F, "RetentionInDays: 14")


def test_implicit_role_with_policies() -> None:
    a = app()
    role = a.role("HelloFunctionRole")
    assert role is not None and not role.external
    assert role.functions == ("HelloFunction",)
    assert [m.name for m in role.managed_policies] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
        "arn:aws:iam::aws:policy/AWSLambdaExecute",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",  # SAM's name -> ARN table
    ]
    assert role.managed_policies[3].location.line == line(F, "- AWSLambdaExecute")
    assert [t.name for t in role.policy_templates] == ["DynamoDBCrudPolicy", "S3ReadPolicy"]
    s3_read = role.policy_templates[1]
    assert s3_read.arguments["BucketName"].literal == "*"
    assert s3_read.location.line == line(F, "- S3ReadPolicy:")
    by_policy = {s.policy_name: s for s in role.statements}
    assert set(by_policy) == {"DeadLetterQueuePolicy", "DynamoDBCrudPolicy", "S3ReadPolicy", "HelloFunctionPolicy4"}
    ddb = by_policy["DynamoDBCrudPolicy"]
    assert "dynamodb:PutItem" in ddb.actions
    # the template's ${tableName} is replaced by the argument: a reference to the table
    assert ddb.resources[0].kind is ValueKind.RESOURCE_ATTRIBUTE and ddb.resources[0].ref == "Table"
    assert ddb.location.line == line(F, "- DynamoDBCrudPolicy:")
    s3 = by_policy["S3ReadPolicy"]
    assert [r.text() for r in s3.resources] == ["arn:aws:s3:::*", "arn:aws:s3:::*/*"]
    inline = by_policy["HelloFunctionPolicy4"]
    assert (inline.actions, inline.resource_texts, inline.sid) == (("s3:*",), ("*",), "Anything")
    assert inline.on_any_resource and inline.location.line == line(F, "- Sid: Anything")
    dlq = by_policy["DeadLetterQueuePolicy"]
    assert dlq.actions == ("sqs:SendMessage",) and dlq.resources[0].ref == "Dlq"
    assert role.permissions_boundary is not None and role.permissions_boundary.text() == \
        "arn:aws:iam::111111111111:policy/boundary"


def test_shared_and_external_roles() -> None:
    a = app()
    image = a.function("ImageFunction")
    assert image is not None
    assert image.role_id == "SharedRole" and image.loc("role_id").line == line(F, "Role: !GetAtt SharedRole.Arn")
    shared = a.role("SharedRole")
    assert shared is not None and shared.functions == ("ImageFunction", "InlineFunction")
    assert shared.location.line == line(F, "  SharedRole:")
    s3code = a.function("S3CodeFunction")
    assert s3code is not None
    legacy = a.role(s3code.role_id)
    assert legacy is not None and legacy.external
    assert (legacy.id, legacy.name) == ("arn:aws:iam::111111111111:role/legacy-role", "legacy-role")
    assert legacy.functions == ("S3CodeFunction",)
    # functions given a Role get no implicit <Function>Role
    assert a.role("ImageFunctionRole") is None


def test_code_paths() -> None:
    a = app()
    hello, image, s3code, inline, outside = a.functions
    assert hello.code_path == "sam_app/src/hello"
    assert hello.loc("code_path").line == line(F, "CodeUri: src/hello/")
    assert image.package_type is PackageType.IMAGE and image.code_path == "sam_app/src/hello"
    assert image.tracing == "PassThrough"
    assert s3code.code_path is None  # {Bucket, Key}: not on disk
    assert inline.code_path is None and inline.loc("code_path").line == line(F, "InlineCode:")
    assert outside.code_path is None  # never outside the scan root


def test_metadata_suppression() -> None:
    [skip] = app().suppressions
    assert (skip.rule_id, skip.scope, skip.reason) == ("FG-LOG-005", "ImageFunction", "tracing handled by the sidecar")
    assert skip.location.line == line(F, "- id: FG-LOG-005")


def test_json_template_with_parameters_mappings_and_conditions() -> None:
    f = "conditions.json"
    a, errors = load(f)
    assert errors == []
    assert [fn.id for fn in a.functions] == ["Fn"]  # ProdOnly is not deployed with the defaults
    fn = a.functions[0]
    assert (fn.memory, fn.reserved_concurrency) == (128, None)  # FindInMap; If -> AWS::NoValue
    assert fn.loc("memory").line == line(f, '"MemorySize"')
    assert (fn.environment["API_KEY"].kind, fn.environment["API_KEY"].ref) == (ValueKind.SSM, "/app/api-key")
    assert fn.environment["ENV_NAME"].literal == "app-dev"
    assert fn.loc("environment.ENV_NAME").line == line(f, '"ENV_NAME"')


def test_parameter_overrides_from_the_command_line() -> None:
    from faasguard.loaders.base import LoadOptions

    a, _ = load("conditions.json", LoadOptions(variables={"Env": "prod"}))
    assert [fn.id for fn in a.functions] == ["Fn", "ProdOnly"]
    assert (a.functions[0].memory, a.functions[0].reserved_concurrency) == (1024, 50)


def test_code_path_never_follows_a_link_out_of_the_scan_root(tmp_path) -> None:
    from faasguard.loaders.base import LoadOptions
    from faasguard.loaders.cloudformation import CloudFormationLoader
    from faasguard.loaders.document import load_document

    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "app"
    (root / "inside").mkdir(parents=True)
    (root / "linked").symlink_to(outside, target_is_directory=True)
    template = root / "template.yaml"
    template.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n"
                        "  Linked:\n    Type: AWS::Serverless::Function\n"
                        "    Properties: {CodeUri: linked/, Handler: a.b, Runtime: python3.12}\n"
                        "  Inside:\n    Type: AWS::Serverless::Function\n"
                        "    Properties: {CodeUri: ./inside, Handler: a.b, Runtime: python3.12}\n")
    result = CloudFormationLoader().load(load_document(template, "template.yaml"), root, LoadOptions())
    linked, inside = result.applications[0].functions
    assert (linked.code_path, inside.code_path) == (None, "inside")


def test_destination_removed_by_a_condition_is_the_queue_sam_creates() -> None:
    from cfn_helpers import load_text

    app, errors = load_text("""\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Existing: {Type: String, Default: 'false'}
Conditions:
  UseExisting: !Equals [!Ref Existing, 'true']
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: x
      Handler: a.b
      Runtime: python3.12
      DeadLetterQueue:
        Type: SQS
        TargetArn: !If [UseExisting, arn:aws:sqs:us-east-1:1:q, !Ref AWS::NoValue]
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: !If [UseExisting, arn:aws:sqs:us-east-1:1:q, !Ref AWS::NoValue]
""")
    assert errors == []
    fn = app.functions[0]
    assert fn.dead_letter is None
    assert fn.on_failure is not None and fn.on_failure.ref == "FnEventInvokeConfigOnFailureQueue"
    assert fn.loc("on_failure").line == 18
