"""Attack paths: trigger -> source -> sink -> what the function's role allows.

``role_capabilities`` is a deliberately simple reading of the role (wildcard action matching,
a few well-known managed policies); the IAM engine will replace it, which is why everything that
reads the role goes through this one function.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from faasguard.model import Application, FlowStep, Function, Location, Severity, Statement, Trust

# Actions that let whoever holds the role take over more of the account.
ESCALATION_ACTIONS = (
    "iam:PassRole", "iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:CreatePolicyVersion",
    "iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy", "iam:AttachUserPolicy", "iam:PutUserPolicy",
    "sts:AssumeRole", "lambda:UpdateFunctionCode", "lambda:CreateFunction",
)
POWERFUL_MANAGED = {
    "AdministratorAccess": ("*",), "PowerUserAccess": ("*",), "IAMFullAccess": ("iam:*",),
}
KNOWN_MANAGED = {
    "AmazonS3FullAccess": ("s3:*",), "AmazonDynamoDBFullAccess": ("dynamodb:*",),
    "AmazonSQSFullAccess": ("sqs:*",), "AmazonSNSFullAccess": ("sns:*",), "SecretsManagerReadWrite": (
        "secretsmanager:*",), "AmazonS3ReadOnlyAccess": ("s3:Get*", "s3:List*"),
    "AmazonDynamoDBReadOnlyAccess": ("dynamodb:Get*", "dynamodb:Query", "dynamodb:Scan"),
    "AWSLambda_FullAccess": ("lambda:*",), "AmazonEC2FullAccess": ("ec2:*",),
}
BASIC_MANAGED = ("AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSXRayDaemonWriteAccess",
                 "AWSLambdaSQSQueueExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaKinesisExecutionRole")
# What a sink gives the attacker: code running with the role's credentials, or a way to read them.
RCE_KINDS = frozenset({"command", "code", "deserialization", "template"})
PATH_KINDS = RCE_KINDS | {"ssrf", "path"}


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    location: Location
    source: str  # the policy name, or the managed policy


@dataclass(frozen=True)
class Capabilities:
    role_id: str
    known: bool  # False for external roles (permissions not in the application)
    grants: tuple[Grant, ...]
    powerful: bool
    reasons: tuple[str, ...]  # why it is powerful
    location: Location | None = None  # where the role is declared or referenced

    @property
    def meaningful(self) -> bool:
        """More than writing its own logs."""
        return not self.known or self.powerful or any(not _only_logs(g) for g in self.grants)


def action_matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def _managed_name(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def role_capabilities(app: Application, fn: Function) -> Capabilities | None:
    """What the function's execution role allows, or None when the function has no role."""
    role = app.role_of(fn)
    if role is None:
        return None
    grants: list[Grant] = []
    reasons: list[str] = []
    for st in role.allow_statements:
        grants.append(Grant(st.actions, st.resource_texts, st.location, st.policy_name))
        reasons.extend(_powerful_statement(st))
    for mp in role.managed_policies:
        name = _managed_name(mp.name)
        if name in BASIC_MANAGED:
            grants.append(Grant(("logs:CreateLogStream", "logs:PutLogEvents"), ("*",), mp.location, name))
            continue
        actions = POWERFUL_MANAGED.get(name) or KNOWN_MANAGED.get(name) or ("?",)
        grants.append(Grant(actions, ("*",), mp.location, name))
        if name in POWERFUL_MANAGED:
            reasons.append(f"managed policy {name}")
    return Capabilities(role.id, not role.external, tuple(grants), bool(reasons), tuple(dict.fromkeys(reasons)),
                        role.location)


def _powerful_statement(st: Statement) -> list[str]:
    out = []
    for action in st.actions:
        if action == "*" or action.lower() in ("iam:*", "*:*"):
            out.append(f"{action} on {', '.join(st.resource_texts) or '*'}")
            continue
        for esc in ESCALATION_ACTIONS:
            if action_matches(action, esc):
                shown = esc if esc.lower() == action.lower() else f"{esc} (as {action})"
                out.append(f"{shown} on {', '.join(st.resource_texts) or '*'}")
                break
    if st.not_actions:
        out.append(f"NotAction {', '.join(st.not_actions)} (allows everything else)")
    return out


def permission_steps(caps: Capabilities, limit: int = 5) -> tuple[FlowStep, ...]:
    if not caps.known:
        loc = caps.location or Location("", 0)
        return (FlowStep(loc.file, loc.line, f"role {caps.role_id} is defined outside the application: "
                         "permissions unknown", "permission"),)
    ranked = sorted(caps.grants, key=lambda g: (not _grant_powerful(g), _only_logs(g), g.location.line))
    steps = []
    for g in ranked[:limit]:
        actions = ", ".join(g.actions[:6]) + (" ..." if len(g.actions) > 6 else "")
        resources = ", ".join(g.resources[:3]) + (" ..." if len(g.resources) > 3 else "")
        src = f" ({g.source})" if g.source else ""
        steps.append(FlowStep(g.location.file, g.location.line,
                              f"role {caps.role_id} allows {actions} on {resources or '*'}{src}", "permission"))
    return tuple(steps)


def _only_logs(g: Grant) -> bool:
    return all(a.lower().startswith(("logs:", "xray:")) for a in g.actions)


def _grant_powerful(g: Grant) -> bool:
    return any(a == "*" or any(action_matches(a, e) for e in ESCALATION_ACTIONS) for a in g.actions)


def path_severity(trust: Trust, sink_kind: str, caps: Capabilities) -> Severity:
    """Critical for public trigger + code execution + powerful role; lower as each link weakens."""
    sev = Severity.HIGH
    if caps.powerful:
        sev = sev.raised()
    if sink_kind not in RCE_KINDS:
        sev = sev.lowered()
    if trust is Trust.AUTHENTICATED:
        sev = sev.lowered()
    elif trust is Trust.INTERNAL:
        sev = sev.lowered(2)
    return sev
