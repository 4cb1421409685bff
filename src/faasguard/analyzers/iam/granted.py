"""What a function's execution role grants: every allow/deny statement from every source.

Sources: the role's statements (inline policies, ``AWS::IAM::Policy``/customer managed policies
attached by role reference, SAM policy templates already expanded by the loader, serverless
provider/per-function statements), AWS managed policies by name (contents shipped in
``data/managed_policies.json``), and what the framework adds by itself (SAM's event-source
policies, serverless's log, event-source, X-Ray and VPC permissions). Grants the framework adds
are marked ``implicit``: they are never reported as excess, since the user cannot remove them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources as ir
from typing import Any

from faasguard.analyzers.iam import arns
from faasguard.model import Application, Function, Location, Role, Statement, TriggerKind

SAM_EVENT_POLICIES = {
    TriggerKind.SQS: "AWSLambdaSQSQueueExecutionRole", TriggerKind.KINESIS: "AWSLambdaKinesisExecutionRole",
    TriggerKind.DYNAMODB_STREAM: "AWSLambdaDynamoDBExecutionRole", TriggerKind.KAFKA: "AWSLambdaMSKExecutionRole",
}
_SAM_IMPLICIT_MANAGED = ("AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess", "AWSLambdaVPCAccessExecutionRole")
# What the Serverless Framework (and serverless-iam-roles-per-function) add to the roles it creates.
SLS_LOGS = ("logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents", "logs:TagResource")
SLS_EVENT_ACTIONS = {
    TriggerKind.SQS: ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    TriggerKind.KINESIS: ("kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                          "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:ListStreams"),
    TriggerKind.DYNAMODB_STREAM: ("dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream",
                                  "dynamodb:ListStreams"),
}
SLS_XRAY = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")


@dataclass(frozen=True, slots=True, eq=False)  # identity: statements hold unhashable conditions
class Grant:
    """One statement's worth of permission, with action patterns and canonical-able resources."""

    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...]  # patterns as written
    resources: tuple[str, ...]  # Fn::Sub-style texts ("*" = any)
    source: str  # "inline <policy>", "managed <name>", "template <name>", "framework"
    location: Location | None
    statement: Statement | None = None
    not_actions: tuple[str, ...] = ()  # NotAction: every action except these
    not_resources: tuple[str, ...] = ()
    conditional: bool = False
    implicit: bool = False

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"


@dataclass
class Granted:
    role: Role | None
    grants: list[Grant] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # managed policies whose contents are not known
    external: bool = False  # the role is not in the application: grants unknown

    @property
    def known(self) -> bool:
        return self.role is not None and not self.external and not self.unknown

    @property
    def allows(self) -> list[Grant]:
        return [g for g in self.grants if g.allows]

    @property
    def denies(self) -> list[Grant]:
        return [g for g in self.grants if not g.allows]


@lru_cache(maxsize=1)
def managed_policies() -> dict[str, Any]:
    text = ir.files("faasguard.analyzers.iam").joinpath("data/managed_policies.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)["policies"]
    return data


def managed_name(name: str) -> str:
    return name.rsplit("/", 1)[-1].strip()


def _listed(node: Any) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, list):
        return tuple(str(x) for x in node)
    return (str(node),)


def managed_grants(name: str, location: Location | None, implicit: bool = False) -> list[Grant] | None:
    policy = managed_policies().get(managed_name(name))
    if policy is None:
        return None
    out = []
    for st in policy["statements"]:
        out.append(Grant(st.get("Effect", "Allow"), _listed(st.get("Action")), _listed(st.get("Resource")) or ("*",),
                         f"managed {managed_name(name)}", location, not_actions=_listed(st.get("NotAction")),
                         not_resources=_listed(st.get("NotResource")), conditional=bool(st.get("Condition")),
                         implicit=implicit))
    return out


def statement_grant(st: Statement, implicit: bool = False, templates: frozenset[str] = frozenset()) -> Grant:
    kind = "template" if st.policy_name in templates else "inline"
    return Grant(st.effect, st.actions, tuple(arns.value_text(v) for v in st.resources) if st.resources else (
        () if st.not_resources else ("*",)), f"{kind} {st.policy_name}".strip(), st.location, st,
        not_actions=st.not_actions, not_resources=tuple(arns.value_text(v) for v in st.not_resources),
        conditional=bool(st.conditions), implicit=implicit)


def _is_sam_implicit_role(role: Role, fn: Function) -> bool:
    return role.source_kind == "sam" and role.id == f"{fn.id}Role"


def _is_sls_framework_role(role: Role) -> bool:
    return role.source_kind == "serverless" and role.id.endswith("IamRoleLambdaExecution")


def framework_grants(app: Application, fn: Function, role: Role) -> Iterable[Grant]:
    """Permissions the framework adds to the roles it generates."""
    where = fn.location
    if _is_sam_implicit_role(role, fn):
        for trig in fn.triggers:
            policy = SAM_EVENT_POLICIES.get(trig.kind)
            if policy:
                yield from managed_grants(policy, trig.location, implicit=True) or ()
        return
    if not _is_sls_framework_role(role):
        return
    yield Grant("Allow", SLS_LOGS, ("*",), "framework logs", where, implicit=True)
    for trig in fn.triggers:
        actions = SLS_EVENT_ACTIONS.get(trig.kind)
        if actions:
            target = arns.target_of_value(app, trig.source)
            res = arns.sub_text(app, target) if target else "*"
            yield Grant("Allow", actions, (res,), f"framework {trig.kind.value}", trig.location, implicit=True)
    if (fn.tracing or "").lower() == "active":
        yield Grant("Allow", SLS_XRAY, ("*",), "framework tracing", fn.loc("tracing"), implicit=True)
    if fn.vpc is not None:
        yield from managed_grants("AWSLambdaVPCAccessExecutionRole", fn.loc("vpc"), implicit=True) or ()


def granted(app: Application, fn: Function) -> Granted:
    role = app.role_of(fn)
    result = Granted(role)
    if role is None:
        result.external = fn.role_id is not None
        return result
    if role.external:
        result.external = True
        return result
    sam_implicit = _is_sam_implicit_role(role, fn)
    templates = frozenset(t.name for t in role.policy_templates)
    for st in role.statements:
        result.grants.append(statement_grant(st, templates=templates))
    for mp in role.managed_policies:
        implicit = sam_implicit and managed_name(mp.name) in _SAM_IMPLICIT_MANAGED and "Policies" not in \
            mp.location.pointer
        found = managed_grants(mp.name, mp.location, implicit=implicit)
        if found is not None:
            result.grants.extend(found)
        elif mp.aws_managed:
            result.unknown.append(managed_name(mp.name))
        elif not any(st.location.pointer[:2] == ("Resources", mp.name) for st in role.statements):
            result.unknown.append(mp.name)  # a customer managed policy defined elsewhere
    result.grants.extend(framework_grants(app, fn, role))
    return result
