"""Plain CloudFormation: Lambda functions, IAM attachments, data resources and the links between them."""

from __future__ import annotations

from cfn_helpers import line, load

from faasguard.model import ResourceKind, TriggerKind, Trust, ValueKind

F = "cfn_app/stack.yaml"


def app():
    application, errors = load(F)
    assert errors == []
    return application


def test_lambda_function_settings() -> None:
    a = app()
    assert (a.name, a.source_kind, a.root) == ("cfn_app", "cloudformation", "cfn_app")  # generic stem
    worker = a.function("Worker")
    assert worker is not None
    assert (worker.name, worker.runtime, worker.memory, worker.timeout, worker.tracing) == (
        "worker", "nodejs18.x", 512, 60, "Active")
    assert worker.code_path == "cfn_app/worker" and worker.loc("code_path").line == line(F, "Code: ./worker")
    assert worker.loc("tracing").line == line(F, "Mode: Active")
    assert worker.dead_letter is not None and worker.dead_letter.ref == "Dlq"
    assert worker.loc("dead_letter").line == line(F, "DeadLetterConfig:")
    assert worker.tags == {"team": "payments"}
    assert worker.source_kind == "cloudformation"
    inline = a.function("Inline")
    assert inline is not None and inline.code_path is None and inline.name == "Inline"
    assert inline.loc("code_path").line == line(F, "      Code:", 2)


def test_role_policies_from_every_source() -> None:
    a = app()
    role = a.role("WorkerRole")
    assert role is not None
    assert (role.name, role.functions) == ("worker-role", ("Worker", "Inline"))
    assert [(m.name, m.aws_managed) for m in role.managed_policies] == [
        ("arn:aws:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", True),
        ("CustomerPolicy", False),
        ("AttachedManaged", False),
    ]
    assert role.managed_policies[0].location.line == line(F, "- arn:aws:iam::aws:policy/AdministratorAccess")
    by_name = [(s.policy_name, s.actions, s.not_actions) for s in role.statements]
    assert by_name == [
        ("inline", ("dynamodb:GetItem", "dynamodb:PutItem"), ()),
        ("inline", (), ("iam:*",)),
        ("CustomerPolicy", ("sqs:SendMessage",), ()),
        ("extra", ("s3:GetObject",), ()),
        ("AttachedManaged", ("kms:Decrypt",), ()),
    ]
    not_action = role.statements[1]
    assert not_action.on_any_resource and not_action.location.line == line(F, "NotAction: iam:*") - 1
    extra = role.statements[3]
    assert extra.resources[0].kind is ValueKind.RESOURCE_ATTRIBUTE and str(extra.resources[0]) == "${Uploads.Arn}/*"
    assert extra.location.line == line(F, "Effect: Allow", 5)
    assert role.permissions_boundary is not None and role.permissions_boundary.text() == \
        "arn:aws:iam::111111111111:policy/boundary"


def test_buckets() -> None:
    a = app()
    uploads, website, drop = (a.resource(i) for i in ("Uploads", "Website", "Drop"))
    assert uploads is not None and website is not None and drop is not None
    assert (uploads.kind, uploads.encrypted, uploads.public_access_blocked, uploads.public) == (
        ResourceKind.BUCKET, True, True, None)
    assert uploads.kms_key is not None and uploads.kms_key.ref == "Key"
    assert uploads.loc("encrypted").line == line(F, "BucketEncryption:")
    assert uploads.loc("public_access_blocked").line == line(F, "PublicAccessBlockConfiguration:")
    assert (website.encrypted, website.public, website.public_access_blocked) == (None, True, False)
    assert website.loc("public").line == line(F, "AccessControl: PublicRead")
    assert website.name is not None and website.name.text() == "my-site"
    assert drop.public is True and drop.loc("public").line == line(F, "Principal: '*'", 1) - 1


def test_queues_topics_tables_and_others() -> None:
    a = app()
    dlq, jobs, topic, plain, table = (a.resource(i) for i in ("Dlq", "Jobs", "Topic", "PlainTopic", "Table"))
    assert dlq is not None and (dlq.encrypted, dlq.dead_letter) == (True, False)
    assert jobs is not None and (jobs.encrypted, jobs.dead_letter) == (True, True)
    assert jobs.kms_key is not None and jobs.kms_key.text() == "alias/aws/sqs"
    assert jobs.loc("dead_letter").line == line(F, "RedrivePolicy:")
    assert topic is not None and topic.encrypted is True and topic.kms_key is not None and topic.kms_key.ref == "Key"
    assert plain is not None and plain.encrypted is False  # SNS has no default encryption
    assert table is not None and (table.kind, table.encrypted) == (ResourceKind.TABLE, True)
    kinds = {r.id: r.kind for r in a.resources}
    assert (kinds["Secret"], kinds["Key"], kinds["DeployKey"], kinds["Nightly"], kinds["Hourly"]) == (
        ResourceKind.SECRET, ResourceKind.KEY, ResourceKind.ACCESS_KEY, ResourceKind.EVENT_RULE,
        ResourceKind.EVENT_RULE)
    layer = a.resource("Layer")
    assert layer is not None and layer.public is True and layer.loc("public").line == line(F, "Principal: '*'", 3)


def test_log_groups_attach_to_functions() -> None:
    a = app()
    worker, inline = a.function("Worker"), a.function("Inline")
    assert worker is not None and inline is not None
    assert (worker.log_group_id, worker.log_retention_days) == ("WorkerLogs", 30)
    assert worker.loc("log_retention_days").line == line(F, "RetentionInDays: 30")
    assert (inline.log_group_id, inline.log_retention_days) == (None, None)
    logs = a.resource("InlineLogs")
    assert logs is not None and logs.retention_days is None


def test_triggers_from_linking_resources() -> None:
    a = app()
    worker, inline = a.function("Worker"), a.function("Inline")
    assert worker is not None and inline is not None
    w = {(t.kind, t.source_id): t for t in worker.triggers}
    s3 = w[(TriggerKind.S3, "Uploads")]
    assert (s3.trust, s3.location.line) == (Trust.AUTHENTICATED, line(F, "- Event: s3:ObjectCreated:*", 1))
    sns = w[(TriggerKind.SNS, "Topic")]
    assert sns.properties["dead_letter"] is True and sns.location.line == line(F, "  TopicSub:")
    nightly = w[(TriggerKind.SCHEDULE, "Nightly")]
    assert nightly.properties["dead_letter"] is True and nightly.location.line == line(F, "- Id: worker")
    hourly = w[(TriggerKind.SCHEDULE, "Hourly")]
    assert hourly.properties["dead_letter"] is False
    sqs = w[(TriggerKind.SQS, "Jobs")]
    assert (sqs.batch_size, sqs.location.line) == (5, line(F, "  QueueMapping:"))
    kinesis = w[(TriggerKind.KINESIS, None)]
    assert kinesis.enabled is False and kinesis.on_failure is not None and kinesis.on_failure.ref == "Dlq"
    assert kinesis.source is not None
    assert kinesis.source.text() == "arn:aws:kinesis:us-east-1:111111111111:stream/clicks"
    i = {(t.kind, t.source_id): t for t in inline.triggers}
    assert i[(TriggerKind.S3, "Website")].trust is Trust.PUBLIC  # a public bucket makes its events public
    assert i[(TriggerKind.SNS, "PlainTopic")].properties["dead_letter"] is False
    rule = i[(TriggerKind.EVENTBRIDGE, "OnUpload")]
    assert rule.enabled is False and rule.properties["pattern"] == {"source": ["aws.s3"]}
    assert (TriggerKind.DYNAMODB_STREAM, "Table") in i
    url = i[(TriggerKind.FUNCTION_URL, None)]
    assert url.trust is Trust.AUTHENTICATED and url.location.line == line(F, "AuthType: AWS_IAM")
    assert inline.url is not None and inline.url.auth_type == "AWS_IAM"
    assert inline.on_failure is not None and inline.on_failure.ref == "Dlq"
    assert inline.loc("on_failure").line == line(F, "OnFailure:", 2)


def test_permissions() -> None:
    a = app()
    open_perm, s3_perm = a.permissions
    assert (open_perm.function_id, open_perm.principal, open_perm.action, open_perm.function_url_auth_type) == (
        "Inline", "*", "lambda:InvokeFunctionUrl", "NONE")
    assert open_perm.location.line == line(F, "Principal: '*'", 2)
    assert (s3_perm.function_id, s3_perm.principal, s3_perm.source_arn) == ("Worker", "s3.amazonaws.com", None)
    assert s3_perm.source_account is not None and s3_perm.source_account.ref == "AWS::AccountId"
    assert s3_perm.source_account.kind is ValueKind.PARAMETER


def test_metadata_skip_on_a_resource() -> None:
    [skip] = app().suppressions
    assert (skip.rule_id, skip.scope, skip.reason, skip.location.line) == (
        "FG-DATA-001", "Uploads", "logging bucket", line(F, "- id: FG-DATA-001"))


ALB_APPSYNC = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: s3://b/k.zip, Handler: a.b, Runtime: python3.12}
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets:
        - Id: !GetAtt Fn.Arn
  Source:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Graph.ApiId
      Type: AWS_LAMBDA
      LambdaConfig:
        LambdaFunctionArn: !GetAtt Fn.Arn
  Graph:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      DataSources:
        Lambda:
          Resolver:
            FunctionArn: !GetAtt Fn.Arn
"""


def test_alb_and_appsync_triggers() -> None:
    from cfn_helpers import load_text

    a, errors = load_text(ALB_APPSYNC)
    assert errors == []
    fn = a.function("Fn")
    assert fn is not None
    assert [(t.kind, t.trust, t.source_id, t.location.line) for t in fn.triggers] == [
        (TriggerKind.ALB, Trust.PUBLIC, "Targets", 12),
        (TriggerKind.APPSYNC, Trust.AUTHENTICATED, "Graph", 13),
        (TriggerKind.APPSYNC, Trust.AUTHENTICATED, "Graph", 25),
    ]
