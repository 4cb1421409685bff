"""FG-DATA-007: a Kinesis stream that functions use is not encrypted."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, subject, used_resources
from faasguard.model import Application, Finding, ResourceKind, Severity


@register_rule
class UnencryptedStream(Rule):
    """Kinesis data streams store records unencrypted unless StreamEncryption is set: the events
    functions consume (clicks, transactions, logs) sit in plaintext for the retention period."""

    id = "FG-DATA-007"
    title = "Kinesis stream used by a function is not encrypted"
    severity = Severity.MEDIUM
    category = "data"
    cwe = ("CWE-311",)
    references = ("CSA-SAS-3", "OWASP-SLS-A3", "AWS-FSBP-Kinesis.1")
    remediation = "Set StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis or a customer key}."

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in used_resources(app, ResourceKind.STREAM):
            if res.encrypted or res.kms_key is not None:
                continue
            fn, names = subject(fns)
            yield self.finding(fn, res.loc("encrypted"),
                               f"stream {resource_name(res)} (used by {names}) is not encrypted",
                               key=f"{res.id}:encrypted", evidence={"resource": res.id})
