"""FG-DATA-005: an SQS queue that functions use has server-side encryption turned off."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, subject, used_resources
from faasguard.model import Application, Finding, ResourceKind, Severity


@register_rule
class UnencryptedQueue(Rule):
    """New SQS queues are encrypted with SQS-owned keys by default; a queue whose encryption was
    explicitly turned off stores the messages functions exchange in plaintext. Only an explicit
    "off" is reported, since an unstated setting means SSE-SQS."""

    id = "FG-DATA-005"
    title = "SQS queue used by a function has encryption disabled"
    severity = Severity.MEDIUM
    category = "data"
    cwe = ("CWE-311",)
    references = ("CSA-SAS-3", "OWASP-SLS-A3", "AWS-FSBP-SQS.1")
    remediation = "Remove SqsManagedSseEnabled: false, or set KmsMasterKeyId to a customer-managed key."

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in used_resources(app, ResourceKind.QUEUE):
            if res.encrypted is False and res.kms_key is None:
                fn, names = subject(fns)
                yield self.finding(fn, res.loc("encrypted"),
                                   f"queue {resource_name(res)} (used by {names}) has encryption disabled",
                                   key=f"{res.id}:encrypted", evidence={"resource": res.id})
