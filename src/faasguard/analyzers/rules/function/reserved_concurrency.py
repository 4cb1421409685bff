"""FG-FN-004: a public function without reserved concurrency."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, Severity


@register_rule
class PublicFunctionWithoutReservedConcurrency(Rule):
    """Without reserved concurrency a function that anyone can call can scale to the account's whole
    concurrency limit: a flood of requests then throttles every other function in the account and
    runs up the bill. A cap contains the blast radius to that one function."""

    id = "FG-FN-004"
    title = "Public function has no reserved concurrency"
    severity = Severity.MEDIUM
    category = "function"
    cwe = ("CWE-770",)
    references = ("CSA-SAS-8", "OWASP-SLS-A6")
    remediation = ("Set reserved concurrency on the function (serverless: reservedConcurrency; SAM/CFN: "
                   "ReservedConcurrentExecutions) to the most it should ever use.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            if fn.is_public and fn.reserved_concurrency is None:
                yield self.finding(fn, fn.loc("reserved_concurrency"),
                                   f"{label(fn)}: publicly invocable and no reserved concurrency caps how "
                                   f"far it can scale", key="reserved_concurrency")
