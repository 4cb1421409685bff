"""FG-FN-011: an SQS-triggered function whose reserved concurrency is below what the poller uses."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, Severity, TriggerKind

SQS_POLLERS = 5  # Lambda starts with five concurrent pollers per queue


@register_rule
class SqsFunctionLowConcurrency(Rule):
    """Lambda reads an SQS queue with at least five concurrent pollers. With reserved concurrency
    below that, batches are throttled, return to the queue, and after maxReceiveCount go to the DLQ
    (or are lost) without the function ever running on them."""

    id = "FG-FN-011"
    title = "SQS-triggered function has reserved concurrency below 5"
    severity = Severity.LOW
    category = "resilience"
    cwe = ("CWE-400",)
    references = ("CSA-SAS-10",)
    remediation = ("Set reserved concurrency to at least 5 for SQS-triggered functions, or limit concurrency "
                   "on the event source instead (ScalingConfig.MaximumConcurrency / "
                   "maximumConcurrency on the sqs event).")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            rc = fn.reserved_concurrency
            if rc is None or rc == 0 or rc >= SQS_POLLERS:
                continue  # 0 means the function is deliberately disabled
            if any(True for _ in fn.triggers_of(TriggerKind.SQS)):
                yield self.finding(fn, fn.loc("reserved_concurrency"),
                                   f"{label(fn)}: reads SQS with reserved concurrency {rc} (< {SQS_POLLERS}); "
                                   f"messages get throttled back to the queue", key="reserved_concurrency")
