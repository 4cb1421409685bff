"""FG-IAM-005: one execution role shared by several functions."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import any_public, label, role_functions
from faasguard.model import Application, Finding, Severity


@register_rule
class SharedRole(Rule):
    """When functions share a role, each one gets the union of what all of them need: a bug in the
    most exposed function hands the attacker the permissions of every other. One role per function
    keeps each blast radius to what that function does (LOW; MEDIUM when one of them is public)."""

    id = "FG-IAM-005"
    title = "Execution role is shared by several functions"
    severity = Severity.LOW
    category = "iam"
    cwe = ("CWE-250",)
    references = ("CSA-SAS-4", "OWASP-SLS-A5")
    remediation = ("Give each function its own role with only its permissions (serverless: the "
                   "serverless-iam-roles-per-function plugin or function-level role; SAM: per-function "
                   "Policies instead of a shared Role).")

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            fns = role_functions(app, role)
            if len(fns) < 2:
                continue
            public = any_public(fns)
            yield self.finding(None, role.location,
                               f"role {role.name or role.id} is shared by {len(fns)} functions: "
                               f"{', '.join(label(f) for f in fns)}", key=f"{role.id}:shared",
                               evidence={"resource": role.id},
                               severity=Severity.MEDIUM if public else Severity.LOW)
