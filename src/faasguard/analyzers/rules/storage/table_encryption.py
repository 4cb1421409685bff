"""FG-DATA-006: a DynamoDB table that functions use has no KMS encryption."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, subject, used_resources
from faasguard.model import Application, Finding, ResourceKind, Severity


@register_rule
class TableWithoutKmsEncryption(Rule):
    """DynamoDB always encrypts at rest, but by default with a key owned by AWS: key use is not in
    your CloudTrail and no key policy can restrict who reads the data. Tables holding user data
    should use a KMS key (AWS managed or, better, customer managed)."""

    id = "FG-DATA-006"
    title = "DynamoDB table used by a function is not encrypted with a KMS key"
    severity = Severity.LOW
    category = "data"
    cwe = ("CWE-311",)
    references = ("CSA-SAS-3", "OWASP-SLS-A3")
    remediation = ("Set SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: <customer key>} on the "
                   "table.")

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in used_resources(app, ResourceKind.TABLE):
            if res.encrypted or res.kms_key is not None:
                continue
            fn, names = subject(fns)
            yield self.finding(fn, res.loc("encrypted"),
                               f"table {resource_name(res)} (used by {names}) is not encrypted with a KMS key",
                               key=f"{res.id}:encrypted", evidence={"resource": res.id})
