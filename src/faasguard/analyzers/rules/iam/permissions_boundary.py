"""FG-IAM-008: a role that can change IAM has no permissions boundary."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.analyzers.rules.iam._actions import is_full_wildcard, split
from faasguard.analyzers.rules.iam.full_access_managed_policy import ADMIN_POLICIES, policy_name
from faasguard.model import Application, Finding, Role, Severity

_IAM_WRITE = ("create", "put", "attach", "update", "add", "passrole", "tag", "set")


def _manages_iam(role: Role) -> list[str]:
    found: list[str] = []
    for st in role.allow_statements:
        for action in st.actions:
            service, name = split(action)
            if is_full_wildcard(action) or (service == "iam" and (name == "*" or name.lower().startswith(_IAM_WRITE))):
                found.append(action)
    found += [policy_name(m.name) for m in role.managed_policies
              if m.aws_managed and policy_name(m.name) in ADMIN_POLICIES]
    return found


@register_rule
class IamRoleWithoutBoundary(Rule):
    """A role that may create or change roles and policies can grant itself (or a new role it passes
    to a new function) anything. A permissions boundary caps what any role it creates can ever do;
    without one, IAM write access is a straight path to administrator."""

    id = "FG-IAM-008"
    title = "Role that can change IAM has no permissions boundary"
    severity = Severity.LOW
    category = "iam"
    cwe = ("CWE-269",)
    references = ("CSA-SAS-4", "OWASP-SLS-A5")
    remediation = ("Remove IAM write actions from the function's role, or set a PermissionsBoundary on it "
                   "(serverless: provider.iam.role.permissionsBoundary; SAM: PermissionsBoundary) and require "
                   "it on roles it creates (iam:PermissionsBoundary condition).")

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            if role.external or role.permissions_boundary is not None:
                continue
            actions = _manages_iam(role)
            if actions:
                fn, who = role_subject(app, role)
                yield self.finding(fn, role.location,
                                   f"{who}: can change IAM ({', '.join(sorted(set(actions))[:4])}) and has no "
                                   f"permissions boundary", key=f"{role.id}:boundary", evidence={"resource": role.id})
