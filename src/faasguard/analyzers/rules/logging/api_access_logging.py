"""FG-LOG-002: an API stage without access logging."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import api_subject
from faasguard.model import Application, Finding, Severity


@register_rule
class ApiWithoutAccessLogging(Rule):
    """Access logs are the record of who called which route, from where, with what result. Without
    them there is no way to investigate abuse of an API or tell which requests reached a vulnerable
    function."""

    id = "FG-LOG-002"
    title = "API stage has no access logging"
    severity = Severity.MEDIUM
    category = "logging"
    cwe = ("CWE-778",)
    references = ("CSA-SAS-5", "OWASP-SLS-A10", "AWS-FSBP-APIGateway.9")
    remediation = ("Enable access logging on the stage (serverless: provider.logs.restApi / httpApi / websocket; "
                   "SAM: AccessLogSetting with a log group ARN and a JSON format).")

    def check(self, app: Application) -> Iterator[Finding]:
        for api in app.apis:
            if api.access_logging:
                continue
            fn, name, _ = api_subject(app, api)
            yield self.finding(fn, api.loc("access_logging"), f"API {name}: no access logging",
                               key="access_logging", evidence={"resource": api.id})
