"""FG-LOG-005: a function without active X-Ray tracing."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, Severity


@register_rule
class FunctionWithoutTracing(Rule):
    """Active tracing records each invocation and the AWS calls it makes. Without it, unusual
    behaviour (a function suddenly calling IAM or a new host) is invisible and incidents are hard to
    reconstruct."""

    id = "FG-LOG-005"
    title = "Function has no active tracing"
    severity = Severity.LOW
    category = "logging"
    cwe = ("CWE-778",)
    references = ("CSA-SAS-5", "OWASP-SLS-A10")
    remediation = ("Enable active tracing (serverless: provider.tracing.lambda: true; SAM/CFN: Tracing: Active / "
                   "TracingConfig.Mode: Active) and give the role the X-Ray write permissions.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            if (fn.tracing or "").strip().lower() != "active":
                state = f"tracing is {fn.tracing}" if fn.tracing else "tracing is not enabled"
                yield self.finding(fn, fn.loc("tracing"), f"{label(fn)}: {state}", key="tracing")
