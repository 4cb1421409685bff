"""FG-DATA-004: an SNS topic that functions use is not encrypted."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, subject, used_resources
from faasguard.model import Application, Finding, ResourceKind, Severity


@register_rule
class UnencryptedTopic(Rule):
    """SNS topics are not encrypted at rest unless a KMS key is set. Messages that functions
    publish or receive (orders, notifications, personal data) are then stored in plaintext while
    in flight through SNS."""

    id = "FG-DATA-004"
    title = "SNS topic used by a function is not encrypted"
    severity = Severity.MEDIUM
    category = "data"
    cwe = ("CWE-311",)
    references = ("CSA-SAS-3", "OWASP-SLS-A3", "AWS-FSBP-SNS.1")
    remediation = "Set KmsMasterId on the topic (alias/aws/sns or, better, a customer-managed key)."

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in used_resources(app, ResourceKind.TOPIC):
            if res.encrypted or res.kms_key is not None:
                continue
            fn, names = subject(fns)
            yield self.finding(fn, res.loc("encrypted"),
                               f"topic {resource_name(res)} (used by {names}) is not encrypted",
                               key=f"{res.id}:encrypted", evidence={"resource": res.id})
