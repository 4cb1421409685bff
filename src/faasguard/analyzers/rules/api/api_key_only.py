"""FG-API-009: a route protected only by an API key."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, Severity, TriggerKind


@register_rule
class ApiKeyOnlyAuthentication(Rule):
    """API keys identify a usage plan; AWS says not to use them for authentication or
    authorization. They are long-lived shared strings, travel in client code and logs, and identify
    no user, so a leaked key gives full access to the route until it is rotated by hand."""

    id = "FG-API-009"
    title = "Route is protected only by an API key"
    severity = Severity.MEDIUM
    category = "authentication"
    cwe = ("CWE-287",)
    references = ("CSA-SAS-2", "OWASP-SLS-A2")
    remediation = ("Add a real authorizer (JWT/Cognito, Lambda or AWS_IAM) to the route; keep the API key only "
                   "for usage-plan throttling.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            for t in fn.triggers_of(TriggerKind.REST_API, TriggerKind.WEBSOCKET):
                if t.api_key_required and t.authorizer is None:
                    yield self.finding(fn, t.location,
                                       f"{t.route}: {label(fn)} is protected only by an API key",
                                       key=f"api_key:{t.route}")
