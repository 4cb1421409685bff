"""FG-FN-008: a stream event source (DynamoDB, Kinesis, Kafka) without an on-failure destination."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, Severity, TriggerKind

STREAM_KINDS = (TriggerKind.DYNAMODB_STREAM, TriggerKind.KINESIS, TriggerKind.KAFKA)


@register_rule
class StreamWithoutFailureDestination(Rule):
    """A record the function can't process blocks its shard: Lambda retries it until it expires
    (up to a week for Kinesis), holding up everything behind it, and then drops it. An on-failure
    destination keeps the failed batch's details so it can be replayed or investigated (a poison
    record may be an attack)."""

    id = "FG-FN-008"
    title = "Stream event source has no on-failure destination"
    severity = Severity.MEDIUM
    category = "resilience"
    cwe = ("CWE-755",)
    references = ("CSA-SAS-10", "OWASP-SLS-A10")
    remediation = ("Add an on-failure destination to the event source mapping (serverless stream event: "
                   "destinations.onFailure; SAM: DestinationConfig.OnFailure) and bound retries "
                   "(MaximumRetryAttempts, BisectBatchOnFunctionError).")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            for t in fn.triggers_of(*STREAM_KINDS):
                if t.on_failure is None and t.enabled:
                    yield self.finding(fn, t.location,
                                       f"{label(fn)}: {t.kind.value} event source has no on-failure destination; "
                                       f"failing records are retried until they expire, then lost",
                                       key=f"{t.kind.value}:{t.source_id or t.source or ''}")
