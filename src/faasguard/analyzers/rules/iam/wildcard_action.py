"""FG-IAM-001: an Allow statement with Action "*"."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.analyzers.rules.iam._actions import is_full_wildcard
from faasguard.model import Application, Finding, Severity


@register_rule
class WildcardAction(Rule):
    """Action ``*`` lets the function do anything the resources allow; with Resource ``*`` it is
    full administrator access. One injection bug in the handler then compromises the whole account
    (create users, read every secret, delete everything)."""

    id = "FG-IAM-001"
    title = "IAM statement allows every action"
    severity = Severity.HIGH
    category = "iam"
    cwe = ("CWE-250", "CWE-269")
    references = ("CSA-SAS-4", "OWASP-SLS-A5", "CIS-AWS-1.16", "AWS-FSBP-IAM.1")
    remediation = "List the specific actions the function calls (for example dynamodb:GetItem) instead of '*'."

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            fn, who = role_subject(app, role)
            for st in role.allow_statements:
                if any(is_full_wildcard(a) for a in st.actions):
                    admin = st.on_any_resource
                    what = "every action on every resource (administrator)" if admin else "every action"
                    yield self.finding(fn, st.location, f"{who}: statement allows {what}",
                                       evidence={"resource": role.id},
                                   key=f"{role.id}:{st.sid or st.policy_name}:*",
                                       severity=Severity.CRITICAL if admin else Severity.HIGH)
