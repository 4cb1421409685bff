"""FG-FN-003: a timeout longer than the function's callers can use, or than Lambda allows."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import API_GATEWAY_KINDS, label
from faasguard.model import HTTP_TRIGGER_KINDS, Application, Finding, Severity

LAMBDA_MAX_TIMEOUT = 900
API_GATEWAY_MAX_WAIT = 29  # default integration timeout of REST, HTTP and WebSocket APIs
HTTP_MAX_SANE_TIMEOUT = 300


@register_rule
class LongTimeout(Rule):
    """A request-driven function that may run for minutes lets every caller (often anyone on the
    internet) hold expensive compute for that long: a cheap way to exhaust concurrency and run up
    the bill (denial of wallet). API Gateway stops waiting after 29 s, so time beyond that is spent
    on answers nobody receives. Lambda rejects timeouts above 900 s."""

    id = "FG-FN-003"
    title = "Function timeout is longer than its callers can use"
    severity = Severity.MEDIUM
    category = "function"
    cwe = ("CWE-400",)
    references = ("CSA-SAS-8", "OWASP-SLS-A6")
    remediation = ("Lower the timeout to what the work needs: at most 29 s behind API Gateway, a few "
                   "seconds for typical HTTP handlers; move long work to an asynchronous function "
                   "(queue, Step Functions). Lambda's maximum is 900 s.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            timeout = fn.timeout
            if timeout is None:
                continue
            kinds = {t.kind for t in fn.triggers}
            http = bool(kinds & HTTP_TRIGGER_KINDS) or fn.url is not None
            behind_gateway = bool(kinds & API_GATEWAY_KINDS)
            if timeout > LAMBDA_MAX_TIMEOUT:
                msg, sev = (f"{label(fn)}: timeout {timeout} s is above Lambda's maximum of "
                            f"{LAMBDA_MAX_TIMEOUT} s; the deployment will fail"), Severity.MEDIUM
            elif http and timeout > HTTP_MAX_SANE_TIMEOUT:
                msg, sev = (f"{label(fn)}: HTTP-triggered function with a {timeout} s timeout; each request "
                            f"can hold a concurrent execution for minutes"), Severity.MEDIUM
            elif behind_gateway and timeout > API_GATEWAY_MAX_WAIT:
                msg, sev = (f"{label(fn)}: timeout {timeout} s but API Gateway gives up after "
                            f"{API_GATEWAY_MAX_WAIT} s; the function keeps running for nobody"), Severity.LOW
            else:
                continue
            yield self.finding(fn, fn.loc("timeout"), msg, key="timeout", severity=sev)
