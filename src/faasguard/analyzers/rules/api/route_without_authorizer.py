"""FG-API-001: a public API route (REST method, HTTP API route, WebSocket $connect, ALB rule) with no
authorizer."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import ROUTE_KINDS, label, route_is_public
from faasguard.model import Application, Finding, Severity, Trigger, TriggerKind


def _needs_auth(t: Trigger) -> bool:
    if (t.method or "").upper() == "OPTIONS":
        return False  # CORS preflight must stay unauthenticated
    if t.kind is TriggerKind.WEBSOCKET:
        # Only $connect can carry an authorizer; the other routes ride on the authorized connection.
        return "$connect" in f"{t.path or ''} {t.method or ''} {t.properties.get('route', '')}"
    return True


@register_rule
class RouteWithoutAuthorizer(Rule):
    """A route with no authorizer, IAM auth or (at least) API key can be called by anyone on the
    internet, with any payload. Unless the endpoint is meant to be public, this is broken
    authentication: the handler runs for attackers and its data flows are reachable from outside."""

    id = "FG-API-001"
    title = "Public API route has no authorizer"
    severity = Severity.HIGH
    category = "authentication"
    cwe = ("CWE-306",)
    references = ("CSA-SAS-2", "OWASP-SLS-A2", "OWASP-SLS-A5", "AWS-FSBP-APIGateway.8")
    remediation = ("Add an authorizer to the route (JWT/Cognito, Lambda authorizer or AWS_IAM), or a default "
                   "authorizer on the API; if the route is public by design, suppress this finding with the "
                   "reason.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            for t in fn.triggers_of(*ROUTE_KINDS):
                if route_is_public(t) and _needs_auth(t):
                    where = {TriggerKind.ALB: f"ALB {t.route}",
                             TriggerKind.WEBSOCKET: f"WebSocket {t.path or t.route}"}.get(t.kind, t.route)
                    yield self.finding(fn, t.location,
                                       f"{where}: no authorizer; anyone can invoke {label(fn)}",
                                       key=f"{t.kind.value}:{t.route}")
