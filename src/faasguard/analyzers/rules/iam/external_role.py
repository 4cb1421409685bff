"""FG-IAM-009: the execution role is defined outside the application (permissions not checked)."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.model import Application, Finding, Severity


@register_rule
class ExternalRole(Rule):
    """The role is referenced by ARN or name and defined elsewhere, so its permissions are unknown
    to this scan: the IAM rules could not check it. Informational, so a clean IAM result is never
    mistaken for a checked one."""

    id = "FG-IAM-009"
    title = "Execution role is defined outside the application (IAM not checked)"
    severity = Severity.INFO
    category = "iam"
    cwe = ()
    references = ("CSA-SAS-4",)
    remediation = ("Define the role in the same template/serverless.yml so it can be reviewed, or review the "
                   "external role's policies separately (least privilege, no shared use).")

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            if role.external:
                fn, who = role_subject(app, role)
                arn = f" ({role.arn})" if role.arn is not None else ""
                yield self.finding(fn, role.location,
                                   f"{who}: role{arn} is defined outside the application; its permissions were "
                                   f"not checked", key=f"{role.id}:external", evidence={"resource": role.id})
