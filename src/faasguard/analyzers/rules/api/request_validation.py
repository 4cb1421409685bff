"""FG-API-003: a public REST route that takes a body without request validation."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import index, label, route_is_public
from faasguard.model import Application, Finding, Severity, TriggerKind

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "ANY", "*"})


@register_rule
class PublicRouteWithoutRequestValidation(Rule):
    """API Gateway REST APIs can reject requests whose body doesn't match a JSON schema before the
    function runs. Without it every malformed or hostile payload from the internet reaches the
    handler, which is then the only line of defence against injection."""

    id = "FG-API-003"
    title = "Public REST route accepts a body without request validation"
    severity = Severity.MEDIUM
    category = "input-validation"
    cwe = ("CWE-20",)
    references = ("CSA-SAS-1", "OWASP-SLS-A1")
    remediation = ("Attach a request model/schema and validator to the method (serverless http event: "
                   "request.schemas; SAM Api event: RequestModel with ValidateBody: true) and validate in the "
                   "handler too.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            for t in fn.triggers_of(TriggerKind.REST_API):
                if not route_is_public(t) or (t.method or "ANY").upper() not in BODY_METHODS:
                    continue
                api = index(app).api(t.api_id)
                if t.request_validation or (api is not None and api.request_validation):
                    continue
                yield self.finding(fn, t.location,
                                   f"{t.route}: public route of {label(fn)} accepts a body without request "
                                   f"validation", key=f"rest_api:{t.route}")
