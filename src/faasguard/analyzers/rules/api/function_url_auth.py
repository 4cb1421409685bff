"""FG-API-002: a function URL with AuthType NONE."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, Severity


@register_rule
class FunctionUrlWithoutAuth(Rule):
    """A function URL with AuthType NONE is a public HTTPS endpoint with no gateway in front: no
    authorizer, no throttling, no WAF. Anyone who learns the URL can invoke the function."""

    id = "FG-API-002"
    title = "Function URL accepts unauthenticated requests"
    severity = Severity.HIGH
    category = "authentication"
    cwe = ("CWE-306",)
    references = ("CSA-SAS-2", "OWASP-SLS-A2", "AWS-FSBP-Lambda.1")
    remediation = ("Set the URL's AuthType to AWS_IAM (serverless: url.authorizer: aws_iam; SAM: "
                   "FunctionUrlConfig.AuthType: AWS_IAM) and sign requests, or put the function behind "
                   "API Gateway with an authorizer.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            if fn.url is not None and fn.url.auth_type.strip().upper() == "NONE":
                yield self.finding(fn, fn.url.location, f"{label(fn)}: function URL with AuthType NONE",
                                   key="url.auth_type")
