"""FG-FN-001: the function runs on a runtime that is past (or near) its end of support."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label, load_data
from faasguard.model import Application, Finding, PackageType, Severity

# A runtime whose end of support is this close is reported (LOW) so teams can plan the upgrade.
SOON = timedelta(days=180)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@register_rule
class DeprecatedRuntime(Rule):
    """A deprecated runtime no longer receives security patches for the language or the OS image,
    and AWS eventually blocks creating and then updating functions that use it, so an urgent fix
    can't even be deployed. End-of-support dates are kept as data (data/runtimes.json)."""

    id = "FG-FN-001"
    title = "Function runtime is deprecated or near end of support"
    severity = Severity.MEDIUM
    category = "function"
    cwe = ("CWE-1104",)
    references = ("CSA-SAS-6", "OWASP-SLS-A9", "AWS-FSBP-Lambda.2")
    remediation = ("Move the function to a supported runtime (the newest of its language, e.g. python3.13 or "
                   "nodejs22.x), test it, and redeploy.")

    def __init__(self, today: date | None = None) -> None:
        self._today = today

    def today(self) -> date:
        return self._today or datetime.now(timezone.utc).date()

    def check(self, app: Application) -> Iterator[Finding]:
        table = load_data("runtimes.json")["runtimes"]
        today = self.today()
        for fn in app.functions:
            if fn.package_type is not PackageType.ZIP or not fn.runtime:
                continue
            info = table.get(fn.runtime.strip().lower())
            if info is None:
                continue
            deprecated, update_block = _date(info["deprecated"]), _date(info["update_block"])
            successor = info.get("successor")
            advice = f"; move to {successor}" if successor else ""
            if update_block and update_block <= today:
                sev = Severity.HIGH
                what = (f"reached end of support on {deprecated} and functions using it can no longer be "
                        f"updated since {update_block}")
            elif deprecated and deprecated <= today:
                sev = Severity.MEDIUM
                what = f"reached end of support on {deprecated} (no more security patches)"
            elif deprecated and deprecated - today <= SOON:
                sev = Severity.LOW
                what = f"reaches end of support on {deprecated}"
            else:
                continue
            yield self.finding(fn, fn.loc("runtime"), f"{label(fn)}: runtime {fn.runtime} {what}{advice}",
                               key="runtime", severity=sev)
