"""FG-LOG-003: a REST or WebSocket API stage without execution logging."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import api_subject
from faasguard.model import ApiKind, Application, Finding, Severity


@register_rule
class ApiWithoutExecutionLogging(Rule):
    """Execution logs record authorizer decisions, validation failures and integration errors. They
    are what shows a brute-force of an authorizer or a flood of rejected payloads. (HTTP APIs have
    no execution logs and are not checked.)"""

    id = "FG-LOG-003"
    title = "API stage has no execution logging"
    severity = Severity.LOW
    category = "logging"
    cwe = ("CWE-778",)
    references = ("CSA-SAS-5", "OWASP-SLS-A10", "AWS-FSBP-APIGateway.1")
    remediation = ("Enable execution logging at level ERROR or INFO on the stage (serverless: "
                   "provider.logs.restApi.executionLogging / level; SAM: MethodSettings LoggingLevel), without "
                   "full request/response data logging.")

    def check(self, app: Application) -> Iterator[Finding]:
        for api in app.apis:
            if api.kind not in (ApiKind.REST, ApiKind.WEBSOCKET) or api.execution_logging:
                continue
            fn, name, _ = api_subject(app, api)
            yield self.finding(fn, api.loc("execution_logging"), f"API {name}: no execution logging",
                               key="execution_logging", evidence={"resource": api.id})
