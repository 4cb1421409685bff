"""FG-FN-006: sensitive-looking environment variables without a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import is_sensitive_name, label
from faasguard.model import Application, Finding, Severity


@register_rule
class SensitiveEnvironmentWithoutCustomerKey(Rule):
    """Environment variables are encrypted at rest with an AWS managed key that every principal with
    lambda:GetFunctionConfiguration in the account can decrypt through the console or API. Values
    with credential-like names (resolved at deploy time even when they come from SSM) should be
    protected by a customer-managed key whose policy limits who can read them, or better, be
    fetched at run time instead."""

    id = "FG-FN-006"
    title = "Sensitive environment variables are not encrypted with a customer-managed key"
    severity = Severity.LOW
    category = "secrets"
    cwe = ("CWE-311",)
    references = ("CSA-SAS-7", "OWASP-SLS-A3")
    remediation = ("Read secrets at run time from Secrets Manager or SSM Parameter Store (SecureString) "
                   "instead of the environment, or set a customer-managed KMS key on the function "
                   "(serverless: kmsKeyArn; SAM/CFN: KmsKeyArn) with a key policy limited to the role.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            if fn.kms_key is not None:
                continue
            names = sorted(n for n in fn.environment if is_sensitive_name(n))
            if names:
                yield self.finding(fn, fn.loc("kms_key"),
                                   f"{label(fn)}: environment holds {', '.join(names)} but no customer-managed "
                                   f"KMS key is set", key="kms_key")
