"""FG-DATA-003: a bucket that triggers a function declares no encryption."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, sources_by_resource, subject
from faasguard.model import Application, Finding, Severity, TriggerKind


@register_rule
class TriggerBucketWithoutEncryption(Rule):
    """Uploads that feed functions are often user documents. S3 applies SSE-S3 by default since
    2023, but a bucket without a declared encryption configuration has no customer-controlled key:
    anyone with s3:GetObject reads the data, with no key policy or CloudTrail decrypt record in the
    way. Declaring SSE-KMS with a customer key adds that control."""

    id = "FG-DATA-003"
    title = "Bucket that triggers a function has no encryption configured"
    severity = Severity.LOW
    category = "data"
    cwe = ("CWE-311",)
    references = ("CSA-SAS-3", "OWASP-SLS-A3")
    remediation = ("Add BucketEncryption with SSE-KMS (a customer-managed key) or at least AES256, and a bucket "
                   "policy that denies unencrypted uploads (for a bucket serverless creates from an s3 event: in "
                   "provider.s3.<bucket> or resources.Resources.S3Bucket<Name>).")

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in sources_by_resource(app, TriggerKind.S3):
            if res.encrypted:
                continue
            fn, names = subject(fns)
            yield self.finding(fn, res.loc("encrypted"),
                               f"bucket {resource_name(res)} triggers {names} and declares no encryption",
                               key=f"{res.id}:encrypted", evidence={"resource": res.id})
