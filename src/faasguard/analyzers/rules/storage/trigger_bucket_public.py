"""FG-DATA-001: a bucket that triggers a function is public."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, sources_by_resource, subject
from faasguard.model import Application, Finding, Severity, TriggerKind


@register_rule
class PublicTriggerBucket(Rule):
    """When anyone can write to (or read from) a bucket whose events trigger a function, every
    object name and content the function processes is attacker-controlled, and whatever the
    function writes back may leak. Event-data injection starts here."""

    id = "FG-DATA-001"
    title = "Bucket that triggers a function is public"
    severity = Severity.HIGH
    category = "data"
    cwe = ("CWE-284",)
    references = ("CSA-SAS-1", "OWASP-SLS-A1", "OWASP-SLS-A5", "AWS-FSBP-S3.8")
    remediation = ("Remove public ACLs and policy statements with Principal '*' from the bucket, enable Block "
                   "Public Access, and let users upload through presigned URLs.")

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in sources_by_resource(app, TriggerKind.S3):
            if res.public:
                fn, names = subject(fns)
                yield self.finding(fn, res.loc("public"),
                                   f"bucket {resource_name(res)} is public and triggers {names}",
                                   key=f"{res.id}:public", evidence={"resource": res.id})
