"""FG-IAM-011: a long-lived IAM access key is wired into a function's environment by reference."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import label
from faasguard.model import Application, Finding, ResourceKind, Severity, Value, ValueKind

# What a reference to an access key resource yields (CloudFormation: Ref = the key id,
# GetAtt SecretAccessKey; Terraform: id / secret / ses_smtp_password_v4).
_SECRET_ATTRIBUTES = frozenset({"secretaccesskey", "secret", "ses_smtp_password_v4", "encrypted_secret"})


def _access_key(app: Application, value: Value, keys: dict[str, str]) -> str | None:
    """The id of the access key resource ``value`` refers to, if any."""
    if value.kind not in (ValueKind.RESOURCE_ATTRIBUTE, ValueKind.UNRESOLVED) or not value.ref:
        return None
    return value.ref if value.ref in keys else None


@register_rule
class LongLivedAccessKeyInEnvironment(Rule):
    """An IAM user's access key (``AWS::IAM::AccessKey``, ``aws_iam_access_key``) passed to a function
    through its environment never expires, is readable by anyone who can read the function's
    configuration, and is copied into every deployment and log of the environment. No literal
    appears in the file, so secret scanners miss it. A function already has temporary credentials
    from its execution role: grant the permissions there instead."""

    id = "FG-IAM-011"
    title = "Long-lived access key passed to a function in its environment"
    severity = Severity.HIGH
    category = "iam"
    cwe = ("CWE-798", "CWE-522")
    references = ("CSA-SAS-7", "CSA-SAS-4", "OWASP-SLS-A3")
    remediation = ("Remove the access key from the environment and delete the IAM user's key; give the "
                   "function's execution role the permissions the key was used for (the Lambda runtime "
                   "provides its temporary credentials automatically).")

    def check(self, app: Application) -> Iterator[Finding]:
        keys = {r.id: r.type for r in app.resources_of(ResourceKind.ACCESS_KEY)}
        if not keys:
            return
        for fn in app.functions:
            for name, value in sorted(fn.environment.items()):
                key_id = _access_key(app, value, keys)
                if key_id is None:
                    continue
                secret = value.attribute.lower() in _SECRET_ATTRIBUTES
                what = "secret access key" if secret else "access key id"
                yield self.finding(fn, fn.loc(f"environment.{name}"),
                                   f"{label(fn)}: environment variable {name} holds the {what} of long-lived "
                                   f"access key {key_id}; use the execution role's temporary credentials",
                                   key=f"environment.{name}:{key_id}",
                                   evidence={"variable": name, "resource": key_id, "secret": secret})
