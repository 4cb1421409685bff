"""Terraform loader details: expressions, variables and tfvars, count / for_each, modules, IAM
documents, API Gateway v1, S3 settings as separate resources, .tf.json, and bad input."""

from __future__ import annotations

from pathlib import Path

from faasguard.loaders import LoadOptions, LoadResult, load_tree
from faasguard.model import Application, AuthorizerKind, ErrorKind, TriggerKind, Trust, ValueKind


def _load(tmp_path: Path, files: dict[str, str], options: LoadOptions | None = None) -> LoadResult:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return load_tree(tmp_path, options)


def _one(result: LoadResult) -> Application:
    [app] = result.applications
    return app


FN = '''
resource "aws_lambda_function" "f" {{
  function_name = {name}
  role          = "arn:aws:iam::111122223333:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = {timeout}
}}
'''


def test_variables_defaults_tfvars_and_var_options(tmp_path: Path) -> None:
    files = {
        "main.tf": 'variable "stage" {\n  default = "dev"\n}\nvariable "timeout" {\n  type = number\n}\n'
                   'variable "unset" {}\nlocals {\n  name = "svc-${var.stage}-${var.unset}"\n}\n'
                   + FN.format(name='"svc-${var.stage}"', timeout="var.timeout * 2")
                   + 'resource "aws_lambda_function" "g" {\n  function_name = local.name\n}\n',
        "terraform.tfvars": "timeout = 10\n",
        "prod.auto.tfvars": 'stage = "prod"\n',
    }
    app = _one(_load(tmp_path, files))
    fns = {f.id: f for f in app.functions}
    assert (fns["aws_lambda_function.f"].name, fns["aws_lambda_function.f"].timeout) == ("svc-prod", 20)
    assert fns["aws_lambda_function.g"].name == "g"  # undecidable name: the resource's own name
    again = _one(load_tree(tmp_path, LoadOptions(variables={"stage": "qa"})))
    assert {f.id: f.name for f in again.functions}["aws_lambda_function.f"] == "svc-qa"
    assert "terraform.tfvars" in app.files and "prod.auto.tfvars" in app.files


def test_count_and_for_each_expand_and_undecidable_count_is_noted(tmp_path: Path) -> None:
    files = {"main.tf": '''
variable "create" {
  default = false
}
variable "n" {}
resource "aws_sqs_queue" "q" {
  for_each = toset(["a", "b"])
  name     = "q-${each.key}"
}
resource "aws_sqs_queue" "skipped" {
  count = var.create ? 1 : 0
  name  = "never"
}
resource "aws_sqs_queue" "numbered" {
  count = 2
  name  = "n-${count.index}"
}
resource "aws_sqs_queue" "unknown" {
  count = var.n
  name  = "u"
}
'''}
    result = _load(tmp_path, files)
    app = _one(result)
    assert sorted((r.id, r.name.text() if r.name else None) for r in app.resources) == [
        ('aws_sqs_queue.numbered[0]', "n-0"), ('aws_sqs_queue.numbered[1]', "n-1"),
        ('aws_sqs_queue.q["a"]', "q-a"), ('aws_sqs_queue.q["b"]', "q-b"), ("aws_sqs_queue.unknown", "u")]
    assert [(e.file, e.kind, e.line) for e in result.errors] == [("main.tf", ErrorKind.UNSUPPORTED, 18)]
    assert "count could not be decided" in result.errors[0].message


def test_local_module_is_followed_and_registry_module_outputs_stay_references(tmp_path: Path) -> None:
    files = {
        "main.tf": '''
module "fn" {
  source  = "./modules/fn"
  name    = "orders"
  timeout = 30
}
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
resource "aws_lambda_permission" "p" {
  function_name = module.fn.name
  principal     = "s3.amazonaws.com"
  source_arn    = module.vpc.some_arn
}
''',
        "modules/fn/main.tf": 'variable "name" {}\nvariable "timeout" {}\n'
                              + FN.format(name="var.name", timeout="var.timeout")
                              + 'output "name" {\n  value = aws_lambda_function.f.function_name\n}\n',
    }
    app = _one(_load(tmp_path, files))
    [fn] = app.functions
    assert (fn.id, fn.name, fn.timeout, fn.location.file, fn.loc("timeout").line) == (
        "module.fn.aws_lambda_function.f", "orders", 30, "modules/fn/main.tf", 9)
    [perm] = app.permissions
    assert perm.function_id == "module.fn.aws_lambda_function.f"
    assert perm.source_arn is not None and perm.source_arn.kind is ValueKind.STACK_OUTPUT
    assert sorted(app.files) == ["main.tf", "modules/fn/main.tf"]


HEREDOC_POLICY = '''
resource "aws_iam_role_policy" "heredoc" {
  role   = aws_iam_role.r.id
  policy = <<POLICY
{"Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
POLICY
}
'''


def test_policy_document_heredoc_and_managed_policies(tmp_path: Path) -> None:
    files = {"main.tf": '''
data "aws_iam_policy_document" "p" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
  statement {
    effect      = "Deny"
    not_actions = ["s3:*"]
    resources   = ["*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
resource "aws_s3_bucket" "b" {
  bucket = "data"
}
resource "aws_iam_role" "r" {
  name = "r"
}
resource "aws_iam_role_policy" "doc" {
  role   = aws_iam_role.r.name
  policy = data.aws_iam_policy_document.p.json
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.r.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = aws_iam_role.r.arn
  runtime       = "python3.12"
  handler       = "a.b"
}
''' + HEREDOC_POLICY}
    app = _one(_load(tmp_path, files))
    role = app.role("aws_iam_role.r")
    assert role is not None and role.functions == ("aws_lambda_function.f",)
    got = [(s.effect, s.actions, s.not_actions, [str(r) for r in s.resources], s.location.line, s.sid)
           for s in role.statements]
    assert got == [("Allow", ("s3:GetObject",), (), ["${aws_s3_bucket.b.Arn}/*"], 3, "Read"),
                   ("Deny", (), ("s3:*",), ["*"], 8, ""),
                   ("Allow", ("sqs:*",), (), ["*"], 42, "")]
    assert role.statements[1].conditions == {"Bool": {"aws:SecureTransport": ["false"]}}
    assert [(m.name, m.aws_managed, m.location.line) for m in role.managed_policies] == [
        ("arn:aws:iam::aws:policy/AdministratorAccess", True, 31)]


def test_rest_api_v1_routes_authorizers_and_stage_settings(tmp_path: Path) -> None:
    files = {"main.tf": FN.format(name='"f"', timeout=3) + '''
resource "aws_api_gateway_rest_api" "api" {
  name = "shop"
}
resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "orders"
}
resource "aws_api_gateway_resource" "order" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "{id}"
}
resource "aws_api_gateway_authorizer" "cognito" {
  name        = "users"
  rest_api_id = aws_api_gateway_rest_api.api.id
  type        = "COGNITO_USER_POOLS"
}
resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.order.id
  http_method   = "GET"
  authorization = "COGNITO_USER_POOLS"
  authorizer_id = aws_api_gateway_authorizer.cognito.id
}
resource "aws_api_gateway_method" "post" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "POST"
  authorization = "NONE"
}
resource "aws_api_gateway_integration" "get" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_resource.order.id
  http_method = aws_api_gateway_method.get.http_method
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.f.invoke_arn
}
resource "aws_api_gateway_integration" "post" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_resource.orders.id
  http_method = "POST"
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.f.invoke_arn
}
resource "aws_api_gateway_stage" "prod" {
  rest_api_id          = aws_api_gateway_rest_api.api.id
  stage_name           = "prod"
  xray_tracing_enabled = true
}
'''}
    app = _one(_load(tmp_path, files))
    [fn] = app.functions
    got = [(t.kind, t.route, t.trust, t.authorizer.kind if t.authorizer else None, t.location.line)
           for t in fn.triggers]
    assert got == [(TriggerKind.REST_API, "GET /orders/{id}", Trust.AUTHENTICATED, AuthorizerKind.COGNITO, 32),
                   (TriggerKind.REST_API, "POST /orders", Trust.PUBLIC, None, 39)]
    [api] = app.apis
    assert (api.id, api.tracing, api.access_logging, api.loc("access_logging").line) == (
        "aws_api_gateway_rest_api.api", True, False, 55)


def test_s3_settings_as_separate_resources_and_notifications(tmp_path: Path) -> None:
    files = {"main.tf": FN.format(name='"f"', timeout=3) + '''
resource "aws_s3_bucket" "up" {
  bucket = "uploads"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "up" {
  bucket = aws_s3_bucket.up.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
resource "aws_s3_bucket_public_access_block" "up" {
  bucket                  = aws_s3_bucket.up.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = false
}
resource "aws_s3_bucket_notification" "up" {
  bucket = aws_s3_bucket.up.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.f.arn
    events              = ["s3:ObjectCreated:*"]
  }
}
'''}
    app = _one(_load(tmp_path, files))
    bucket = app.resource("aws_s3_bucket.up")
    assert bucket is not None
    assert (bucket.encrypted, bucket.public_access_blocked, bucket.loc("public_access_blocked").line) == (
        True, False, 21)
    [trigger] = app.functions[0].triggers
    assert (trigger.kind, trigger.source_id, trigger.location.line, trigger.properties["events"]) == (
        TriggerKind.S3, "aws_s3_bucket.up", 30, ["s3:ObjectCreated:*"])


def test_tf_json_files_are_read_with_lines(tmp_path: Path) -> None:
    files = {"main.tf.json": '''{
  "resource": {
    "aws_lambda_function": {
      "f": {
        "function_name": "f-${var.stage}",
        "runtime": "python3.8",
        "role": "arn:aws:iam::111122223333:role/r",
        "environment": {"variables": {"TOKEN": "abc"}}
      }
    }
  },
  "variable": {"stage": {"default": "dev"}}
}
'''}
    app = _one(_load(tmp_path, files))
    [fn] = app.functions
    assert (fn.id, fn.name, fn.runtime, fn.loc("runtime").line, fn.loc("environment.TOKEN").line) == (
        "aws_lambda_function.f", "f-dev", "python3.8", 6, 8)


def test_commented_blocks_produce_nothing_and_syntax_errors_name_the_line(tmp_path: Path) -> None:
    files = {"ok/main.tf": "# resource \"aws_lambda_function\" \"x\" {}\n/*\nresource \"aws_lambda_function\" "
                           "\"y\" {}\n*/\n",
             "bad/main.tf": 'resource "aws_lambda_function" "x" {\n  runtime = \n}\n'}
    result = _load(tmp_path, files)
    assert [(a.root, a.functions) for a in result.applications] == [("ok", ())]
    assert [(e.file, e.kind, e.line) for e in result.errors] == [("bad/main.tf", ErrorKind.PARSE, 2)]


def test_module_cycles_and_missing_sources_are_errors_not_crashes(tmp_path: Path) -> None:
    files = {"main.tf": 'module "a" {\n  source = "./a"\n}\nmodule "gone" {\n  source = "./gone"\n}\n',
             "a/main.tf": 'module "again" {\n  source = "../a"\n}\n'}
    result = _load(tmp_path, files)
    assert [a.root for a in result.applications] == ["."]
    assert sorted((e.file, e.kind, e.line) for e in result.errors) == [
        ("a/main.tf", ErrorKind.UNSAFE, 1), ("main.tf", ErrorKind.PARSE, 4)]


def test_load_balancer_scheduler_log_subscription_and_cognito_sources(tmp_path: Path) -> None:
    files = {"main.tf": FN.format(name='"f"', timeout=3) + '''
resource "aws_lb_target_group" "tg" {
  target_type = "lambda"
}
resource "aws_lb_target_group_attachment" "a" {
  target_group_arn = aws_lb_target_group.tg.arn
  target_id        = aws_lambda_function.f.arn
}
resource "aws_scheduler_schedule" "nightly" {
  schedule_expression = "cron(0 3 * * ? *)"
  target {
    arn      = aws_lambda_function.f.arn
    role_arn = "arn:aws:iam::111122223333:role/s"
  }
}
resource "aws_cloudwatch_log_subscription_filter" "logs" {
  log_group_name  = "/aws/lambda/other"
  destination_arn = aws_lambda_function.f.arn
}
resource "aws_cognito_user_pool" "users" {
  name = "users"
  lambda_config {
    pre_sign_up = aws_lambda_function.f.arn
  }
}
'''}
    [fn] = _one(_load(tmp_path, files)).functions
    assert [(t.kind, t.trust, t.location.line) for t in fn.triggers] == [
        (TriggerKind.ALB, Trust.PUBLIC, 13), (TriggerKind.SCHEDULE, Trust.INTERNAL, 17),
        (TriggerKind.CLOUDWATCH_LOGS, Trust.INTERNAL, 24), (TriggerKind.COGNITO, Trust.PUBLIC, 31)]


def test_hostile_expressions_end_quickly_without_crashing(tmp_path: Path) -> None:
    deep = "[" * 300 + "]" * 300
    chain = "\n".join(f"  l{i} = local.l{i + 1}" for i in range(2000))
    files = {
        "cycle/main.tf": 'locals {\n  a = local.b\n  b = local.a\n}\n' + FN.format(name="local.a", timeout=3),
        "chain/main.tf": "locals {\n" + chain + '\n  l2000 = "end"\n}\n' + FN.format(name="local.l0", timeout=3),
        "many/main.tf": 'resource "aws_sqs_queue" "q" {\n  count = 100000000\n  name = "q"\n}\n',
        "deep/main.tf": f"locals {{\n  x = {deep}\n}}\n",
    }
    result = _load(tmp_path, files)
    assert [e for e in result.errors if e.kind is ErrorKind.INTERNAL] == []
    apps = {a.root: a for a in result.applications}
    assert apps["cycle"].functions[0].name == "f"  # undecidable: the resource's own name
    assert apps["chain"].functions[0].name == "f"  # too deep to follow: undecidable, not a crash
    assert len(apps["many"].resources) == 256  # expansion is capped


def test_dynamic_blocks_are_expanded(tmp_path: Path) -> None:
    files = {"main.tf": '''
variable "env" {
  default = { TOKEN = "abc", MODE = "x" }
}
variable "tracing_mode" {
  default = null
}
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::111122223333:role/r"
  runtime       = "python3.12"
  dynamic "environment" {
    for_each = length(keys(var.env)) == 0 ? [] : [true]
    content {
      variables = var.env
    }
  }
  dynamic "tracing_config" {
    for_each = var.tracing_mode == null ? [] : [true]
    content {
      mode = var.tracing_mode
    }
  }
  dynamic "vpc_config" {
    for_each = [{ subnets = ["subnet-1"] }]
    iterator = net
    content {
      subnet_ids         = net.value.subnets
      security_group_ids = ["sg-1"]
    }
  }
}
'''}
    [fn] = _one(_load(tmp_path, files)).functions
    assert {k: v.literal for k, v in fn.environment.items()} == {"TOKEN": "abc", "MODE": "x"}
    assert fn.tracing is None and "tracing" not in fn.locations
    assert fn.vpc is not None and [str(s) for s in fn.vpc.subnet_ids] == ["subnet-1"]
    assert fn.loc("environment").line == 12
