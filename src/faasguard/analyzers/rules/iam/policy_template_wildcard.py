"""FG-IAM-007: a SAM policy template whose arguments are "*"."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.model import Application, Finding, Severity


@register_rule
class PolicyTemplateWildcard(Rule):
    """SAM policy templates are scoped by their arguments (``S3CrudPolicy: {BucketName: x}``).
    Passing ``*`` turns a least-privilege template into access to every bucket, table, queue or
    function of the account."""

    id = "FG-IAM-007"
    title = "SAM policy template scoped to every resource"
    severity = Severity.HIGH
    category = "iam"
    cwe = ("CWE-250",)
    references = ("CSA-SAS-4", "OWASP-SLS-A5")
    remediation = "Pass the specific resource name (e.g. BucketName: !Ref UploadBucket) instead of '*'."

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            fn, who = role_subject(app, role)
            for tpl in role.policy_templates:
                wild = sorted(k for k, v in tpl.arguments.items() if "*" in (v.text() or ""))
                if wild:
                    yield self.finding(fn, tpl.location,
                                       f"{who}: {tpl.name} with {', '.join(f'{k}: *' for k in wild)} applies to "
                                       f"every resource", evidence={"resource": role.id},
                                   key=f"{role.id}:{tpl.name}:{','.join(wild)}")
