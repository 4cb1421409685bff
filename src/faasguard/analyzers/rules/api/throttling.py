"""FG-API-004: an API with neither stage throttling nor a usage plan."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import api_subject, routes_of
from faasguard.model import Api, Application, Finding, Severity, Throttling


def _set(th: Throttling | None) -> bool:
    return th is not None and (th.rate_limit is not None or th.burst_limit is not None)


def _throttled(app: Application, api: Api) -> bool:
    if _set(api.throttling) or api.usage_plan:
        return True
    routes = routes_of(app, api)
    return bool(routes) and all(_set(t.throttling) for _, t in routes)


@register_rule
class ApiWithoutThrottling(Rule):
    """Without stage throttling or a usage plan, an API accepts up to the account-wide API Gateway
    limit (10,000 requests/s shared by every API in the region), and each request invokes a function:
    one caller can exhaust concurrency for everything else and run up the bill."""

    id = "FG-API-004"
    title = "API has no throttling or usage plan"
    severity = Severity.MEDIUM
    category = "availability"
    cwe = ("CWE-770",)
    references = ("CSA-SAS-8", "OWASP-SLS-A6")
    remediation = ("Set default stage throttling (serverless: provider.apiGateway.usagePlan.throttle or "
                   "httpApi throttling via resources; SAM Api: MethodSettings ThrottlingRateLimit/"
                   "ThrottlingBurstLimit; HttpApi: DefaultRouteSettings) sized for the expected traffic.")

    def check(self, app: Application) -> Iterator[Finding]:
        for api in app.apis:
            if _throttled(app, api):
                continue
            fn, name, public = api_subject(app, api)
            yield self.finding(fn, api.loc("throttling"), f"API {name}: no throttling or usage plan",
                               key="throttling", evidence={"resource": api.id},
                               severity=Severity.MEDIUM if public else Severity.LOW)
