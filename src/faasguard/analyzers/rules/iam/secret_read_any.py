"""FG-IAM-010: secret or key reads allowed on Resource "*"."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.analyzers.rules.iam._actions import reads_secrets
from faasguard.model import Application, Finding, Severity


@register_rule
class SecretReadOnAnyResource(Rule):
    """GetSecretValue, GetParameter(s) or kms:Decrypt on ``*`` lets the function read every secret,
    parameter or KMS-encrypted value in the account, not just its own: an SSRF or injection in the
    handler then leaks the credentials of every other system."""

    id = "FG-IAM-010"
    title = "Secret reads allowed on every resource"
    severity = Severity.MEDIUM
    category = "iam"
    cwe = ("CWE-250",)
    references = ("CSA-SAS-4", "CSA-SAS-7", "OWASP-SLS-A3", "OWASP-SLS-A5")
    remediation = ("Scope the statement to the ARNs of the secrets/parameters/keys the function reads "
                   "(e.g. arn:aws:secretsmanager:...:secret:my-app/*).")

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            fn, who = role_subject(app, role)
            for st in role.allow_statements:
                if not st.on_any_resource:
                    continue
                reads = [a for a in st.actions if reads_secrets(a)]
                if reads:
                    yield self.finding(fn, st.location, f"{who}: {', '.join(reads)} allowed on every resource ('*')",
                                       evidence={"resource": role.id},
                                   key=f"{role.id}:{','.join(sorted(reads))}")
