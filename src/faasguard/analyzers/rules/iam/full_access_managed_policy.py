"""FG-IAM-006: an AWS managed policy that grants full access is attached to an execution role."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.model import Application, Finding, Severity

ADMIN_POLICIES = frozenset({"AdministratorAccess", "IAMFullAccess", "AWSOrganizationsFullAccess"})
BROAD_POLICIES = frozenset({"PowerUserAccess", "AdministratorAccess-Amplify",
                            "AdministratorAccess-AWSElasticBeanstalk"})


def policy_name(name: str) -> str:
    """``arn:aws:iam::aws:policy/service-role/X`` -> ``X``."""
    return name.strip().rsplit("/", 1)[-1]


@register_rule
class FullAccessManagedPolicy(Rule):
    """AWS managed ``*FullAccess``, ``PowerUserAccess`` and ``AdministratorAccess`` policies grant
    every action of a service (or of the account) on every resource. A function never needs that;
    one flaw in its code then exposes all of it. Administrator and IAM full access are CRITICAL."""

    id = "FG-IAM-006"
    title = "Execution role has a full-access managed policy"
    severity = Severity.HIGH
    category = "iam"
    cwe = ("CWE-250",)
    references = ("CSA-SAS-4", "OWASP-SLS-A5", "CIS-AWS-1.16")
    remediation = ("Detach the managed policy and grant the specific actions on the specific resources the "
                   "function uses (a SAM policy template scoped to one resource, or an inline statement).")

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            fn, who = role_subject(app, role)
            for mp in role.managed_policies:
                if not mp.aws_managed:
                    continue
                name = policy_name(mp.name)
                if name in ADMIN_POLICIES:
                    sev = Severity.CRITICAL
                elif name in BROAD_POLICIES or name.endswith("FullAccess"):
                    sev = Severity.HIGH
                else:
                    continue
                yield self.finding(fn, mp.location, f"{who}: managed policy {name} is attached",
                                   evidence={"resource": role.id},
                                   key=f"{role.id}:{name}", severity=sev)
