"""FG-DATA-002: a bucket that triggers a function has no (complete) Block Public Access."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, sources_by_resource, subject
from faasguard.model import Application, Finding, Severity, TriggerKind


@register_rule
class TriggerBucketWithoutPublicAccessBlock(Rule):
    """Block Public Access (all four settings) is the guard that keeps a later ACL or policy change
    from making the bucket public. On a bucket whose objects feed a function, that change would
    turn the function's input into attacker input. (Buckets already public are FG-DATA-001.)"""

    id = "FG-DATA-002"
    title = "Bucket that triggers a function has no Block Public Access"
    severity = Severity.MEDIUM
    category = "data"
    cwe = ("CWE-284",)
    references = ("CSA-SAS-3", "OWASP-SLS-A6", "AWS-FSBP-S3.8")
    remediation = ("Add PublicAccessBlockConfiguration with BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls "
                   "and RestrictPublicBuckets all true (for a bucket serverless creates from an s3 event: in "
                   "provider.s3.<bucket> or resources.Resources.S3Bucket<Name>).")

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in sources_by_resource(app, TriggerKind.S3):
            if res.public or res.public_access_blocked:
                continue
            fn, names = subject(fns)
            yield self.finding(fn, res.loc("public_access_blocked"),
                               f"bucket {resource_name(res)} triggers {names} and has no complete Block Public Access",
                               key=f"{res.id}:public_access_blocked", evidence={"resource": res.id})
