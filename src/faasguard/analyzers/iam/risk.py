"""Risk of what a role grants, with the action database (FG-IAM-1xx findings 101-104).

The declared-IAM rules (FG-IAM-0xx) already report literal ``*`` actions, service wildcards,
permission-management/secret reads written literally on ``*``, NotAction and shared roles. These
checks add what needs the database: actions reached through wildcards (``iam:Put*`` includes
``iam:PutRolePolicy``), privilege-escalation *combinations*, data reads on every resource,
resource-policy changes (exposure), and actions that do not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from faasguard.analyzers.iam import actiondb, sdkmap
from faasguard.analyzers.iam.diff import grant_actions
from faasguard.analyzers.iam.granted import Grant
from faasguard.analyzers.rules.iam._actions import is_permission_management, reads_secrets

# Escalation paths (Rhino Security Labs' list, restricted to what a Lambda role can do): every
# action of a set must be allowed. Single actions that are enough on their own come first.
ESCALATIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("iam:CreatePolicyVersion",), "rewrite a managed policy attached to itself"),
    (("iam:SetDefaultPolicyVersion",), "switch a managed policy to a more permissive version"),
    (("iam:AttachRolePolicy",), "attach AdministratorAccess to a role"),
    (("iam:AttachUserPolicy",), "attach AdministratorAccess to a user"),
    (("iam:AttachGroupPolicy",), "attach AdministratorAccess to a group"),
    (("iam:PutRolePolicy",), "write an inline admin policy on a role"),
    (("iam:PutUserPolicy",), "write an inline admin policy on a user"),
    (("iam:PutGroupPolicy",), "write an inline admin policy on a group"),
    (("iam:CreateAccessKey",), "create access keys for another user"),
    (("iam:CreateLoginProfile",), "set a console password for another user"),
    (("iam:UpdateLoginProfile",), "change another user's console password"),
    (("iam:AddUserToGroup",), "join a more privileged group"),
    (("iam:UpdateAssumeRolePolicy", "sts:AssumeRole"), "make a privileged role assumable and assume it"),
    (("lambda:UpdateFunctionCode",), "replace the code of functions that run with other roles"),
    (("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
     "create and invoke a function with a more privileged role"),
    (("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
     "create a function with a more privileged role, triggered by an event source"),
    (("iam:PassRole", "lambda:UpdateFunctionConfiguration"), "give a function a more privileged role"),
    (("iam:PassRole", "ec2:RunInstances"), "start an instance with a more privileged role"),
    (("iam:PassRole", "cloudformation:CreateStack"), "deploy a stack with a more privileged role"),
    (("iam:PassRole", "glue:CreateDevEndpoint"), "create a Glue endpoint with a more privileged role"),
    (("iam:PassRole", "states:CreateStateMachine", "states:StartExecution"),
     "run a state machine with a more privileged role"),
    (("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"),
     "run a build with a more privileged role"),
    (("sts:AssumeRole",), "assume any role that trusts the account"),
)
# Reads that hand out data when allowed on every resource (secrets reads are FG-IAM-010's).
EXFILTRATION = ("s3:GetObject", "s3:GetObjectVersion", "dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem",
                "dynamodb:BatchGetItem", "dynamodb:ExportTableToPointInTime", "secretsmanager:GetSecretValue",
                "secretsmanager:BatchGetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
                "ssm:GetParametersByPath", "kms:Decrypt", "sqs:ReceiveMessage", "kinesis:GetRecords",
                "logs:GetLogEvents", "logs:FilterLogEvents", "rds-data:ExecuteStatement", "ssm:GetDocument",
                "lambda:GetFunction", "ecr:BatchGetImage", "athena:GetQueryResults")
_IDENTITY_SERVICES = ("iam", "sts", "organizations")


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str  # "escalation" | "exfiltration" | "exposure" | "unknown"
    actions: tuple[str, ...]
    grants: tuple[Grant, ...]
    on_any: bool
    detail: str = ""

    @property
    def only_templates(self) -> bool:
        """Every grant is a SAM policy template (AWS's text, scoped to one resource)."""
        return all(g.source.startswith("template") for g in self.grants)


def _on_any(grant: Grant) -> bool:
    return "*" in grant.resources or bool(grant.not_resources)


def _reported_by_config_rules(grant: Grant, action: str) -> bool:
    """The config rules already name this exact action written literally on '*'."""
    literal = any(p.strip().lower() == action.lower() for p in grant.actions)
    if not literal or "*" not in grant.resources:
        return False
    return is_permission_management(action) or reads_secrets(action)


def _considered(grants: list[Grant]) -> list[Grant]:
    # whole-action wildcards are FG-IAM-001's; conditional grants are not reliable evidence
    return [g for g in grants if g.allows and not g.implicit and not g.conditional
            and not any(a.strip() in ("*", "*:*") for a in g.actions)]


def escalations(grants: list[Grant]) -> Iterator[Hit]:
    pool = _considered(grants)
    index: dict[str, list[Grant]] = {}
    for g in pool:
        for a in grant_actions(g):
            index.setdefault(a.lower(), []).append(g)
    covered: set[str] = set()
    for actions, what in ESCALATIONS:
        if not all(a.lower() in index for a in actions):
            continue
        if all(a.lower() in covered for a in actions):
            continue  # a shorter path already reported these actions
        involved = tuple(dict.fromkeys(g for a in actions for g in index[a.lower()]))
        if len(actions) == 1 and all(_reported_by_config_rules(g, actions[0]) for g in involved):
            continue
        covered.update(a.lower() for a in actions)
        yield Hit("escalation", actions, involved, all(_on_any(g) for g in involved), what)


def exfiltration(grants: list[Grant]) -> Iterator[Hit]:
    found: dict[str, list[Grant]] = {}
    for g in _considered(grants):
        if not _on_any(g):
            continue
        concrete = {a.lower(): a for a in grant_actions(g)}
        for action in EXFILTRATION:
            if action.lower() in concrete and not _reported_by_config_rules(g, action):
                found.setdefault(action, []).append(g)
    if found:
        grants_hit = tuple(dict.fromkeys(g for gs in found.values() for g in gs))
        yield Hit("exfiltration", tuple(found), grants_hit, True)


def exposure(grants: list[Grant]) -> Iterator[Hit]:
    """Actions that change who can reach a resource (resource policies, ACLs, grants)."""
    found: dict[str, list[Grant]] = {}
    for g in _considered(grants):
        for a in grant_actions(g):
            prefix = a.partition(":")[0].lower()
            if prefix in _IDENTITY_SERVICES or "Permissions management" not in (actiondb.access_level(a) or ""):
                continue
            if _reported_by_config_rules(g, a):
                continue
            found.setdefault(a, []).append(g)
    if found:
        grants_hit = tuple(dict.fromkeys(g for gs in found.values() for g in gs))
        yield Hit("exposure", tuple(found), grants_hit, any(_on_any(g) for g in grants_hit))


def unknown_actions(grants: list[Grant]) -> Iterator[tuple[Grant, str, tuple[str, ...]]]:
    """(grant, action, suggestions) for actions that name nothing in the database."""
    for g in grants:
        if g.implicit or g.source.startswith(("managed", "template")):  # AWS's own text, not the user's
            continue
        for pattern in (*g.actions, *g.not_actions):
            text = pattern.strip()
            if not text or text in ("*", "*:*") or "${" in text or ":" not in text:
                if text and ":" not in text and text not in ("*",):
                    yield g, text, ()
                continue
            if actiondb.expand(text):
                continue
            prefix, _, name = text.partition(":")
            if "*" in prefix or "?" in prefix:
                continue
            if not actiondb.service_exists(prefix):  # an SDK name instead of the IAM prefix?
                renamed = f"{sdkmap.iam_prefix(prefix)}:{name}"
                if renamed != text and actiondb.expand(renamed):
                    yield g, text, (actiondb.canonical(renamed),)
                    continue
            yield g, text, actiondb.close_matches(text)
