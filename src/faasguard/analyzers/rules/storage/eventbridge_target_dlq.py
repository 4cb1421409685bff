"""FG-DATA-010: an EventBridge rule target (the function) has no dead-letter queue."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import index, label
from faasguard.analyzers.rules.storage._sources import trigger_has_dlq
from faasguard.model import Application, Finding, Severity, TriggerKind


@register_rule
class EventBridgeTargetWithoutDlq(Rule):
    """EventBridge retries delivery to a function for up to 24 hours and then drops the event.
    A dead-letter queue on the target keeps events that could not be delivered."""

    id = "FG-DATA-010"
    title = "EventBridge target has no dead-letter queue"
    severity = Severity.LOW
    category = "resilience"
    cwe = ("CWE-755",)
    references = ("CSA-SAS-10", "OWASP-SLS-A10")
    remediation = ("Add a DLQ to the target (serverless eventBridge event: deadLetterQueueArn; SAM "
                   "EventBridgeRule event: DeadLetterConfig).")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            for t in fn.triggers_of(TriggerKind.EVENTBRIDGE):
                rule_res = index(app).resource(t.source_id)
                if trigger_has_dlq(t) or (rule_res is not None and rule_res.dead_letter):
                    continue
                src = t.source_id or "rule"
                yield self.finding(fn, t.location,
                                   f"{label(fn)}: EventBridge {src} target has no dead-letter queue",
                                   key=f"eventbridge:{src}")
