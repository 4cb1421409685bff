"""FG-LOG-001: a function's log group keeps logs forever."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import index, label
from faasguard.model import Application, Finding, Severity


@register_rule
class LogGroupWithoutRetention(Rule):
    """Lambda creates log groups that never expire. Logs accumulate personal data, tokens and
    request payloads that handlers print, for years, and the cost grows without bound. A retention
    period (matching your audit needs) bounds both."""

    id = "FG-LOG-001"
    title = "Function log group has no retention period"
    severity = Severity.LOW
    category = "logging"
    cwe = ("CWE-779",)
    references = ("CSA-SAS-5", "OWASP-SLS-A10")
    remediation = ("Set a retention period (serverless: provider.logRetentionInDays; SAM/CFN: an "
                   "AWS::Logs::LogGroup named /aws/lambda/<function> with RetentionInDays, or "
                   "LoggingConfig.LogGroup pointing at one).")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            if fn.log_retention_days is not None:
                continue
            group = index(app).resource(fn.log_group_id)
            if group is not None:
                if group.retention_days is not None:
                    continue
                loc = group.loc("retention_days")
            else:
                loc = fn.loc("log_retention_days")
            yield self.finding(fn, loc, f"{label(fn)}: logs are kept forever (no retention period)",
                               key="log_retention_days")
