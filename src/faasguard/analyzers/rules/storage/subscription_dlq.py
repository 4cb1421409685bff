"""FG-DATA-009: an SNS subscription that invokes a function has no redrive policy."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.analyzers.rules.storage._sources import trigger_has_dlq
from faasguard.model import Application, Finding, Severity, TriggerKind


@register_rule
class SubscriptionWithoutDlq(Rule):
    """When SNS can't deliver to the function (throttling, a deleted or misconfigured function) it
    retries and then drops the message. A redrive policy on the subscription keeps undeliverable
    messages in a DLQ."""

    id = "FG-DATA-009"
    title = "SNS subscription to a function has no dead-letter queue"
    severity = Severity.LOW
    category = "resilience"
    cwe = ("CWE-755",)
    references = ("CSA-SAS-10", "OWASP-SLS-A10")
    remediation = ("Set a redrive policy on the subscription (serverless sns event: redrivePolicy; SAM SNS event: "
                   "RedrivePolicy) pointing at an SQS DLQ.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            for t in fn.triggers_of(TriggerKind.SNS):
                if not trigger_has_dlq(t):
                    src = t.source_id or (str(t.source) if t.source is not None else "topic")
                    yield self.finding(fn, t.location,
                                       f"{label(fn)}: SNS subscription to {src} has no redrive policy",
                                       key=f"sns:{src}")
