"""Least-privilege policies in the shapes people paste: serverless (per-function
``iamRoleStatements`` for serverless-iam-roles-per-function, or v4 ``iam.role.statements``), SAM
(``Policies`` with inline statements, or the SAM policy template that grants exactly what is
needed), CloudFormation (an ``AWS::IAM::Role`` per function), Terraform
(``aws_iam_policy_document``) and the public ``json`` report.

Resources are ``Fn::Sub`` texts internally (``${Table.Arn}``); the CloudFormation-based shapes
wrap them in ``Fn::Sub``, Terraform translates them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from faasguard.analyzers.iam.analysis import FunctionIam, policy_document
from faasguard.analyzers.iam.expand import expand
from faasguard.analyzers.iam.requirement import Requirement
from faasguard.model import Application, ResourceKind

FORMATS = ("json", "serverless", "sam", "cloudformation", "cloudformation-json", "terraform")

# Platform needs each framework grants by itself on the roles it creates (see granted.py), left out
# of that framework's statements.
_SLS_IMPLICIT = ("logs", "tracing", "vpc", "trigger sqs", "trigger kinesis", "trigger dynamodb_stream")
_SAM_IMPLICIT = (*_SLS_IMPLICIT, "trigger kafka", "dead-letter queue")


def framework_requirements(fi: FunctionIam, flavour: str) -> list[Requirement]:
    """The requirements a framework's per-function statements must carry."""
    implicit = _SAM_IMPLICIT if flavour == "sam" else _SLS_IMPLICIT
    return [r for r in fi.needed if r.origin == "code" or r.reason not in implicit]


def sub(resource: str) -> Any:
    return {"Fn::Sub": resource} if "${" in resource else resource


def cfn_statements(reqs: list[Requirement]) -> list[dict[str, Any]]:
    doc = policy_document(reqs)
    return [{"Effect": "Allow", "Action": st["Action"], "Resource": [sub(r) for r in st["Resource"]]}
            for st in doc["Statement"]]


# ---- SAM policy templates ----------------------------------------------------------------------

# template -> (resource kind, parameter, how to refer to the resource)
_SAM_TEMPLATES = {
    "SQSSendMessagePolicy": (ResourceKind.QUEUE, "QueueName", ("GetAtt", "QueueName")),
    "SNSPublishMessagePolicy": (ResourceKind.TOPIC, "TopicName", ("GetAtt", "TopicName")),
    "StepFunctionsExecutionPolicy": (ResourceKind.STATE_MACHINE, "StateMachineName", ("GetAtt", "Name")),
    "KMSDecryptPolicy": (ResourceKind.KEY, "KeyId", ("Ref", "")),
    "AWSSecretsManagerGetSecretValuePolicy": (ResourceKind.SECRET, "SecretArn", ("Ref", "")),
    "DynamoDBReadPolicy": (ResourceKind.TABLE, "TableName", ("Ref", "")),
    "DynamoDBWritePolicy": (ResourceKind.TABLE, "TableName", ("Ref", "")),
    "DynamoDBCrudPolicy": (ResourceKind.TABLE, "TableName", ("Ref", "")),
    "S3ReadPolicy": (ResourceKind.BUCKET, "BucketName", ("Ref", "")),
    "S3WritePolicy": (ResourceKind.BUCKET, "BucketName", ("Ref", "")),
    "S3CrudPolicy": (ResourceKind.BUCKET, "BucketName", ("Ref", "")),
}
_FUNCTION_TEMPLATE = "LambdaInvokePolicy"


@lru_cache(maxsize=1)
def sam_template_actions() -> dict[str, frozenset[str]]:
    """Concrete actions of the single-statement SAM templates we may emit (from samtranslator)."""
    try:
        import samtranslator  # type: ignore[import-untyped]
    except ImportError:
        return {}
    path = Path(samtranslator.__file__).parent / "policy_templates_data" / "policy_templates.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["Templates"]
    except (OSError, ValueError, KeyError):
        return {}
    out = {}
    for name in (*_SAM_TEMPLATES, _FUNCTION_TEMPLATE):
        statements = data.get(name, {}).get("Definition", {}).get("Statement", [])
        if len(statements) != 1:
            continue
        actions = statements[0]["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        out[name] = frozenset(a.lower() for p in actions for a in expand(p))
    return out


_REF = re.compile(r"^\$\{([A-Za-z0-9]+)(?:\.Arn)?\}(/\*|/index/\*)?$")


def sam_policies(app: Application, reqs: list[Requirement]) -> list[Any]:
    """SAM ``Policies``: a template for each resource whose needed actions equal a template's
    exactly, inline statements for the rest."""
    by_resource: dict[str, set[str]] = {}
    for r in reqs:
        m = _REF.match(r.resource)
        if m:
            by_resource.setdefault(m.group(1), set()).add(r.action.lower())
    used: list[Any] = []
    covered: set[str] = set()
    templates = sam_template_actions()
    for rid, actions in sorted(by_resource.items()):
        res = app.resource(rid)
        candidates: list[tuple[str, str, tuple[str, str]]] = []
        if res is not None:
            candidates = [(t, p, how) for t, (kind, p, how) in _SAM_TEMPLATES.items() if kind is res.kind]
        elif app.function(rid) is not None:
            candidates = [(_FUNCTION_TEMPLATE, "FunctionName", ("Ref", ""))]
        for template, param, (fn_name, attr) in candidates:
            if templates.get(template) == frozenset(actions):
                ref: Any = {"Ref": rid} if fn_name == "Ref" else {"Fn::GetAtt": [rid, attr]}
                used.append({template: {param: ref}})
                covered.add(rid)
                break
    rest = [r for r in reqs if not ((m := _REF.match(r.resource)) and m.group(1) in covered)]
    if rest:
        used.append({"Statement": cfn_statements(rest)})
    return used


# ---- renderers ---------------------------------------------------------------------------------


def tagged(node: Any) -> Any:
    """Plain data with ``Fn::Sub``/``Ref``/``Fn::GetAtt`` dicts turned into short-form tags
    (``!Sub``), as ruamel round-trip nodes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

    if isinstance(node, Mapping):
        if len(node) == 1:
            (k, v), = node.items()
            if k == "Fn::Sub" and isinstance(v, str):
                return TaggedScalar(str(v), tag="!Sub")
            if k == "Ref" and isinstance(v, str):
                return TaggedScalar(str(v), tag="!Ref")
            if k == "Fn::GetAtt" and isinstance(v, list) and len(v) == 2:
                return TaggedScalar(f"{v[0]}.{v[1]}", tag="!GetAtt")
        out = CommentedMap()
        for k, v in node.items():
            out[str(k)] = tagged(v)
        return out
    if isinstance(node, list):
        seq = CommentedSeq()
        seq.extend(tagged(v) for v in node)
        return seq
    if isinstance(node, str):
        return str(node)  # loaders hand out str subclasses that carry marks
    return node


def _yaml(data: Any) -> str:
    import io

    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(tagged(data), buf)
    return buf.getvalue()


def serverless_major_version(app: Application, scan_root: Path) -> int:
    """``frameworkVersion`` of the app's serverless.yml (3 when not stated)."""
    for file in app.files:
        if Path(file).name.startswith("serverless."):
            try:
                text = (scan_root / file).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            m = re.search(r"^frameworkVersion:\s*['\"]?[\^~>=<\s]*(\d+)", text, re.M)
            return int(m.group(1)) if m else 3
    return 3


def render_serverless(app: Application, results: list[FunctionIam], v4: bool = False) -> str:
    functions: dict[str, Any] = {}
    for fi in results:
        stmts = cfn_statements(framework_requirements(fi, "serverless"))
        functions[fi.function.id] = {"iam": {"role": {"statements": stmts}}} if v4 else {"iamRoleStatements": stmts}
    data: dict[str, Any] = {"functions": functions}
    if not v4:
        data = {"plugins": ["serverless-iam-roles-per-function"], **data}
    return _yaml(data)


def render_sam(app: Application, results: list[FunctionIam]) -> str:
    resources = {fi.function.id: {"Properties": {"Policies": sam_policies(app, framework_requirements(fi, "sam"))}}
                 for fi in results}
    return _yaml({"Resources": resources})


def cfn_role(fi: FunctionIam) -> dict[str, Any]:
    doc = {"Version": "2012-10-17", "Statement": cfn_statements(fi.needed)}
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": f"{fi.function.id}-least-privilege", "PolicyDocument": doc}],
        },
    }


def render_cloudformation(results: list[FunctionIam], as_json: bool = False) -> str:
    data = {"Resources": {f"{fi.function.id}LeastPrivilegeRole": cfn_role(fi) for fi in results}}
    return json.dumps(data, indent=2, default=str) + "\n" if as_json else _yaml(data)


_TF_TYPES = {
    ResourceKind.BUCKET: "aws_s3_bucket", ResourceKind.TABLE: "aws_dynamodb_table", ResourceKind.QUEUE: "aws_sqs_queue",
    ResourceKind.TOPIC: "aws_sns_topic", ResourceKind.SECRET: "aws_secretsmanager_secret",
    ResourceKind.KEY: "aws_kms_key", ResourceKind.STREAM: "aws_kinesis_stream",
    ResourceKind.PARAMETER: "aws_ssm_parameter", ResourceKind.STATE_MACHINE: "aws_sfn_state_machine",
    ResourceKind.LOG_GROUP: "aws_cloudwatch_log_group",
}
_TF_PSEUDO = {"AWS::Partition": "${data.aws_partition.current.partition}",
              "AWS::Region": "${data.aws_region.current.name}",
              "AWS::AccountId": "${data.aws_caller_identity.current.account_id}",
              "AWS::StackName": "*"}


def _tf_name(text: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", re.sub(r"(?<!^)(?=[A-Z])", "_", text).lower())


def _tf_resource(app: Application, text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        token = m.group(1)
        if token in _TF_PSEUDO:
            return _TF_PSEUDO[token]
        ref, _, attr = token.partition(".")
        res = app.resource(ref)
        if res is not None and res.kind in _TF_TYPES:
            field = "arn" if attr == "Arn" or res.kind in (ResourceKind.TOPIC, ResourceKind.SECRET,
                                                            ResourceKind.STATE_MACHINE) else "id"
            return f"${{{_TF_TYPES[res.kind]}.{_tf_name(ref)}.{field}}}"
        if app.function(ref) is not None:
            return f"${{aws_lambda_function.{_tf_name(ref)}.{'arn' if attr == 'Arn' else 'function_name'}}}"
        return "*"
    return re.sub(r"\$\{([^}]+)\}", repl, text)


def render_terraform(app: Application, results: list[FunctionIam]) -> str:
    out = ['data "aws_partition" "current" {}', 'data "aws_region" "current" {}',
           'data "aws_caller_identity" "current" {}', ""]
    for fi in results:
        out.append(f'# {fi.function.id}: confidence {fi.confidence}')
        out.append(f'data "aws_iam_policy_document" "{_tf_name(fi.function.id)}" {{')
        for st in fi.policy["Statement"]:
            out.append("  statement {")
            out.append('    effect    = "Allow"')
            out.append(f"    actions   = {json.dumps(st['Action'])}")
            out.append(f"    resources = {json.dumps([_tf_resource(app, r) for r in st['Resource']])}")
            out.append("  }")
        out.append("}")
        out.append("")
    return "\n".join(out)


def json_entry(app: Application, fi: FunctionIam) -> dict[str, Any]:
    def loc(g: Any) -> str:
        return str(g.location) if g.location is not None else ""

    return {
        "application": app.name,
        "function": fi.function.id,
        "role": fi.role_id,
        "confidence": fi.confidence,
        "notes": fi.notes,
        "needed": [{"action": r.action, "resource": r.resource, "reason": r.reason,
                    **({"note": r.note} if r.note else {})} for r in fi.needed],
        "granted": [{"action": a, "resource": list(g.resources), "source": g.source, "location": loc(g),
                     "effect": g.effect, **({"implicit": True} if g.implicit else {})}
                    for g in fi.granted.grants for a in (g.actions or tuple(f"NotAction:{n}" for n in g.not_actions))],
        "excess": [{"action": e.action, "resource": e.resource, "source": e.grant.source, "location": loc(e.grant),
                    **({"count": e.count} if e.count > 1 else {})} for e in fi.diff.excess],
        "missing": [{"action": r.action, "resource": r.resource, "reason": r.reason} for r in fi.diff.missing],
        "policy": fi.policy,
    }


def render_json(pairs: list[tuple[Application, list[FunctionIam]]]) -> str:
    return json.dumps({"functions": [json_entry(app, fi) for app, results in pairs for fi in results]},
                      indent=2) + "\n"
