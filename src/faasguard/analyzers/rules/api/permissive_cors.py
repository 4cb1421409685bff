"""FG-API-006: CORS that lets any origin call the API (with credentials: high)."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Cors, Finding, Function, Location, Severity


@register_rule
class PermissiveCors(Rule):
    """``Access-Control-Allow-Origin: *`` lets any web page read the API's responses from a
    visitor's browser. Combined with credentials (cookies, Authorization headers) a malicious site
    can act as the logged-in user and read their data (HIGH). ``*`` alone is fine for truly public
    data, but usually a leftover (LOW)."""

    id = "FG-API-006"
    title = "CORS allows any origin"
    severity = Severity.LOW
    category = "configuration"
    cwe = ("CWE-942",)
    references = ("CSA-SAS-3", "OWASP-SLS-A6")
    remediation = ("List the exact origins that may call the API instead of '*', and only allow credentials "
                   "for those origins.")

    def check(self, app: Application) -> Iterator[Finding]:
        seen: set[tuple[str, int, int]] = set()
        candidates: list[tuple[Function | None, str, Cors, Location]] = []
        for api in app.apis:
            if api.cors is not None:
                candidates.append((None, f"API {api.name or api.id}", api.cors, api.cors.location or api.loc("cors")))
        for fn in app.functions:
            for t in fn.triggers:
                if t.cors is not None:
                    candidates.append((fn, f"{t.route} ({label(fn)})", t.cors, t.cors.location or t.location))
            if fn.url is not None and fn.url.cors is not None:
                candidates.append((fn, f"{label(fn)} function URL", fn.url.cors,
                                   fn.url.cors.location or fn.url.location))
        for owner, where, cors, loc in candidates:
            if not cors.any_origin:
                continue
            mark = (loc.file, loc.line, loc.column)
            if mark in seen:
                continue  # one CORS block shared by several routes: report it once
            seen.add(mark)
            if cors.allow_credentials:
                yield self.finding(owner, loc, f"{where}: CORS allows any origin ('*') with credentials",
                                   key=f"cors:{where}", severity=Severity.HIGH)
            else:
                yield self.finding(owner, loc, f"{where}: CORS allows any origin ('*')", key=f"cors:{where}")
