"""FG-API-008: a service principal may invoke the function on behalf of any account."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import index, label
from faasguard.model import Application, Finding, Severity


@register_rule
class ServicePermissionWithoutSource(Rule):
    """A permission for a service principal (s3.amazonaws.com, sns.amazonaws.com ...) without
    SourceArn or SourceAccount lets that service invoke the function for ANY customer's resource:
    another account's bucket or topic can then send events to your function (the confused deputy
    problem)."""

    id = "FG-API-008"
    title = "Service permission without SourceArn or SourceAccount (confused deputy)"
    severity = Severity.MEDIUM
    category = "authorization"
    cwe = ("CWE-441",)
    references = ("CSA-SAS-1", "OWASP-SLS-A5")
    remediation = ("Add SourceArn (the exact bucket, topic, rule or API ARN) and, for S3, SourceAccount to the "
                   "permission.")

    def check(self, app: Application) -> Iterator[Finding]:
        for perm in app.permissions:
            principal = perm.principal.strip().lower()
            if not principal.endswith((".amazonaws.com", ".amazonaws.com.cn")):
                continue
            if perm.source_arn is not None or perm.source_account is not None:
                continue
            fn = index(app).function(perm.function_id)
            who = label(fn) if fn is not None else (perm.function_id or "a function")
            yield self.finding(fn or perm.function_id, perm.location,
                               f"{who}: {perm.principal} may invoke it for any account's resources (no "
                               f"SourceArn/SourceAccount)", key=f"permission:{principal}")
