"""FG-FN-005: an asynchronously invoked function with neither a DLQ nor an on-failure destination."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, Severity


@register_rule
class AsyncWithoutFailureDestination(Rule):
    """S3, SNS, EventBridge, schedules and other asynchronous sources hand the event to Lambda and
    forget it. After two retries a failing event is dropped without a trace unless the function has
    a dead-letter queue or an on-failure destination: lost orders, unprocessed uploads, and no
    evidence when an attacker's payload crashes the handler."""

    id = "FG-FN-005"
    title = "Async-triggered function has no DLQ or on-failure destination"
    severity = Severity.MEDIUM
    category = "resilience"
    cwe = ("CWE-755",)
    references = ("CSA-SAS-10", "OWASP-SLS-A10")
    remediation = ("Give the function a dead-letter queue (serverless: onError; SAM: DeadLetterQueue) or an "
                   "on-failure destination (serverless: destinations.onFailure; SAM: "
                   "EventInvokeConfig.DestinationConfig.OnFailure) and alarm on it.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            kinds = sorted({t.kind.value for t in fn.triggers if t.is_async and t.enabled})
            if kinds and fn.dead_letter is None and fn.on_failure is None:
                yield self.finding(fn, fn.loc("dead_letter"),
                                   f"{label(fn)}: invoked asynchronously ({', '.join(kinds)}) and failed events "
                                   f"are dropped: no DLQ or on-failure destination", key="dead_letter")
