"""FG-IAM-002: an Allow statement with a whole-service wildcard such as "s3:*"."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.analyzers.rules.iam._actions import SENSITIVE_SERVICES, is_service_wildcard, split
from faasguard.model import Application, Finding, Severity


@register_rule
class ServiceWildcardAction(Rule):
    """``service:*`` grants every present and future action of the service, including deleting
    data, changing resource policies and (for iam, sts, kms, lambda ...) escalating privileges.
    A function needs a handful of actions. HIGH for services that can change permissions or
    reveal secrets, MEDIUM otherwise."""

    id = "FG-IAM-002"
    title = "IAM statement allows all actions of a service"
    severity = Severity.MEDIUM
    category = "iam"
    cwe = ("CWE-250",)
    references = ("CSA-SAS-4", "OWASP-SLS-A5", "AWS-FSBP-IAM.21")
    remediation = "Replace 'service:*' with the specific actions the function uses."

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            fn, who = role_subject(app, role)
            for st in role.allow_statements:
                wild = [a for a in st.actions if is_service_wildcard(a)]
                if not wild:
                    continue
                sensitive = any(split(a)[0] in SENSITIVE_SERVICES for a in wild)
                yield self.finding(fn, st.location, f"{who}: statement allows {', '.join(wild)}",
                                   evidence={"resource": role.id},
                                   key=f"{role.id}:{','.join(sorted(wild))}",
                                   severity=Severity.HIGH if sensitive else Severity.MEDIUM)
