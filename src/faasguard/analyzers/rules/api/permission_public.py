"""FG-API-007: a resource-based permission lets anyone invoke the function."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import index, label
from faasguard.model import Application, Finding, Severity


@register_rule
class PermissionToEveryone(Rule):
    """A Lambda permission with Principal ``*`` and no SourceArn, SourceAccount or
    PrincipalOrgID condition lets any AWS account (and, for function URLs, anyone) invoke the
    function directly, bypassing API Gateway and its authorizers. (Function URLs with AuthType NONE
    are reported by FG-API-002.)"""

    id = "FG-API-007"
    title = "Lambda permission grants invoke to everyone"
    severity = Severity.HIGH
    category = "authorization"
    cwe = ("CWE-284",)
    references = ("CSA-SAS-2", "OWASP-SLS-A5", "AWS-FSBP-Lambda.1")
    remediation = ("Grant the permission to the one principal that needs it (a service principal with "
                   "SourceArn, or an account id), or add SourceAccount / PrincipalOrgID.")

    def check(self, app: Application) -> Iterator[Finding]:
        for perm in app.permissions:
            if perm.principal.strip() != "*":
                continue
            if perm.source_arn is not None or perm.source_account is not None or perm.principal_org_id is not None:
                continue
            fn = index(app).function(perm.function_id)
            if (perm.function_url_auth_type or "").upper() == "NONE" and fn is not None and fn.url is not None:
                continue  # the public function URL itself is FG-API-002's finding
            who = label(fn) if fn is not None else (perm.function_id or "a function")
            yield self.finding(fn or perm.function_id, perm.location,
                               f"{who}: permission lets any principal call {perm.action}",
                               key=f"permission:*:{perm.action}")
