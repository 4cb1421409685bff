"""FG-IAM-003: write or permission-management actions allowed on Resource "*"."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.analyzers.rules.iam._actions import (
    is_full_wildcard,
    is_permission_management,
    is_service_wildcard,
    is_write,
    needs_star,
)
from faasguard.model import Application, Finding, Severity


@register_rule
class WriteOnAnyResource(Rule):
    """Write actions on ``*`` let the function change or delete every bucket, table, queue or
    function of that kind in the account, not only its own. Permission-management actions on ``*``
    (iam:*, iam:PassRole, sts:AssumeRole, lambda:AddPermission, s3:PutBucketPolicy ...) let it grant
    itself more: HIGH. Actions that AWS only supports on ``*`` (X-Ray, PutMetricData, VPC network
    interfaces) are not reported; whole-action wildcards are FG-IAM-001/002's findings."""

    id = "FG-IAM-003"
    title = "Write or permission-management actions allowed on every resource"
    severity = Severity.MEDIUM
    category = "iam"
    cwe = ("CWE-250", "CWE-732")
    references = ("CSA-SAS-4", "OWASP-SLS-A5")
    remediation = ("Scope Resource to the ARNs the function writes to (for example the table's ARN from "
                   "!GetAtt Table.Arn) instead of '*'.")

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            fn, who = role_subject(app, role)
            for st in role.allow_statements:
                if not st.on_any_resource:
                    continue
                risky = [a for a in st.actions if not is_full_wildcard(a) and not is_service_wildcard(a)
                         and is_write(a) and not needs_star(a)]
                if not risky:
                    continue
                escalation = any(is_permission_management(a) for a in risky)
                yield self.finding(fn, st.location, f"{who}: {', '.join(risky)} allowed on every resource ('*')",
                                   evidence={"resource": role.id},
                                   key=f"{role.id}:{','.join(sorted(risky))}",
                                   severity=Severity.HIGH if escalation else Severity.MEDIUM)
