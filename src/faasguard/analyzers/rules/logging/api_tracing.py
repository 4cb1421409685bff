"""FG-LOG-004: a REST API stage without X-Ray tracing."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import api_subject
from faasguard.model import ApiKind, Application, Finding, Severity


@register_rule
class ApiWithoutTracing(Rule):
    """X-Ray tracing on the stage follows a request from the API through the functions and the
    services they call, which is how an investigation tells which downstream calls a suspicious
    request caused. (Only REST APIs support X-Ray.)"""

    id = "FG-LOG-004"
    title = "REST API stage has no X-Ray tracing"
    severity = Severity.LOW
    category = "logging"
    cwe = ("CWE-778",)
    references = ("CSA-SAS-5", "OWASP-SLS-A10", "AWS-FSBP-APIGateway.3")
    remediation = ("Enable tracing on the stage (serverless: provider.tracing.apiGateway: true; SAM: "
                   "TracingEnabled: true).")

    def check(self, app: Application) -> Iterator[Finding]:
        for api in app.apis:
            if api.kind is not ApiKind.REST or api.tracing:
                continue
            fn, name, _ = api_subject(app, api)
            yield self.finding(fn, api.loc("tracing"), f"REST API {name}: X-Ray tracing is off",
                               key="tracing", evidence={"resource": api.id})
