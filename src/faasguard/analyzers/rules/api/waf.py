"""FG-API-005: an internet-facing REST API without a WAF web ACL."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import api_is_private, api_subject
from faasguard.model import ApiKind, Application, Finding, Severity


@register_rule
class RestApiWithoutWaf(Rule):
    """AWS WAF in front of a REST API filters known-bad requests (SQL injection, XSS, bad bots,
    floods from one IP) before they invoke a function. Without it, every request reaches the code.
    HTTP APIs can't be associated with WAF, so only REST APIs are checked, and private endpoints
    are skipped. MEDIUM when a route is public, LOW when all routes require authentication."""

    id = "FG-API-005"
    title = "Internet-facing REST API has no WAF"
    severity = Severity.MEDIUM
    category = "availability"
    cwe = ("CWE-693",)
    references = ("CSA-SAS-1", "CSA-SAS-8", "OWASP-SLS-A1", "AWS-FSBP-APIGateway.4")
    remediation = ("Associate an AWS WAFv2 web ACL (with the AWS managed common and known-bad-inputs rule "
                   "groups and a rate-based rule) with the API stage (AWS::WAFv2::WebACLAssociation).")

    def check(self, app: Application) -> Iterator[Finding]:
        for api in app.apis:
            if api.kind is not ApiKind.REST or api_is_private(api) or api.waf:
                continue
            fn, name, public = api_subject(app, api)
            yield self.finding(fn, api.loc("waf"), f"REST API {name}: no WAF web ACL", key="waf",
                               evidence={"resource": api.id}, severity=Severity.MEDIUM if public else Severity.LOW)
