"""FG-FN-009: code signing is not configured for a zip function."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, PackageType, Severity


@register_rule
class CodeSigningNotConfigured(Rule):
    """Without a code signing configuration Lambda accepts any package uploaded with the right IAM
    permissions, so a stolen CI credential or a tampered artifact bucket is enough to run foreign
    code under the function's role. Code signing makes Lambda verify that the package was signed by
    a trusted signing profile. Reported as LOW for functions anyone can invoke, else as INFO."""

    id = "FG-FN-009"
    title = "Code signing is not configured"
    severity = Severity.INFO
    category = "supply-chain"
    cwe = ("CWE-494",)
    references = ("CSA-SAS-6", "OWASP-SLS-A6")
    remediation = ("Create an AWS Signer signing profile and a code signing configuration, sign packages in CI "
                   "and set CodeSigningConfigArn on the function (serverless: via the function's "
                   "CodeSigningConfigArn in resources.extensions).")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            if fn.package_type is PackageType.ZIP and fn.code_signing is None:
                sev = Severity.LOW if fn.is_public else Severity.INFO
                yield self.finding(fn, fn.loc("code_signing"),
                                   f"{label(fn)}: no code signing configuration; any uploaded package is "
                                   f"accepted", key="code_signing", severity=sev)
