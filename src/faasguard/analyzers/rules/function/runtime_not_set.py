"""FG-FN-002: a zip function with no runtime stated."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, PackageType, Severity


@register_rule
class RuntimeNotSet(Rule):
    """Without an explicit runtime the function gets whatever the framework or a parameter
    defaults to, which changes between framework versions and can silently be an old, deprecated
    runtime. It also means no one can check it for end of support. A runtime a loader filled in
    from the framework's default (no line of the app sets it) counts as not set."""

    id = "FG-FN-002"
    title = "Function runtime is not set"
    severity = Severity.LOW
    category = "function"
    cwe = ("CWE-1104",)
    references = ("CSA-SAS-3", "OWASP-SLS-A6")
    remediation = ("State the runtime explicitly on the function (or once for all functions in "
                   "provider.runtime / SAM Globals.Function.Runtime).")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            if fn.package_type is not PackageType.ZIP:
                continue
            runtime = (fn.runtime or "").strip()
            if not runtime:
                yield self.finding(fn, fn.loc("runtime"), f"{label(fn)}: no runtime is set", key="runtime")
            elif "runtime" not in fn.locations:
                # The loader filled in the framework's default: no line of the app states it.
                yield self.finding(fn, fn.location,
                                   f"{label(fn)}: no runtime is set; the framework default {runtime} applies",
                                   key="runtime")
