"""FG-DATA-008: an SQS queue that triggers a function has no redrive policy (DLQ)."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, sources_by_resource, subject
from faasguard.model import Application, Finding, Severity, TriggerKind


@register_rule
class QueueWithoutRedrive(Rule):
    """Without a redrive policy a message the function can't process comes back again and again
    until the retention period ends, costing invocations and then disappearing. A DLQ keeps poison
    messages (possibly crafted ones) for inspection."""

    id = "FG-DATA-008"
    title = "SQS queue that triggers a function has no dead-letter queue"
    severity = Severity.MEDIUM
    category = "resilience"
    cwe = ("CWE-755",)
    references = ("CSA-SAS-10", "OWASP-SLS-A10")
    remediation = "Add RedrivePolicy {deadLetterTargetArn: <DLQ arn>, maxReceiveCount: 3-5} to the queue."

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in sources_by_resource(app, TriggerKind.SQS):
            if res.dead_letter:
                continue
            fn, names = subject(fns)
            yield self.finding(fn, res.loc("dead_letter"),
                               f"queue {resource_name(res)} triggers {names} and has no redrive policy",
                               key=f"{res.id}:dead_letter", evidence={"resource": res.id})
