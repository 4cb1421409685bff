"""FG-SEC-001: a plaintext secret-looking literal in a function's environment."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.secrets.analyzer import mask, secret_hash
from faasguard.analyzers.secrets.detect import Detector, secret_name_strength
from faasguard.analyzers.secrets.entropy import looks_random
from faasguard.analyzers.secrets.placeholders import is_placeholder, is_reference
from faasguard.model import Application, Finding, Severity, Value

_DETECTOR = Detector()
_NOT_SECRET_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null"})


@register_rule
class PlaintextSecretInEnvironment(Rule):
    """Environment variables are stored in the function's configuration: anyone with
    lambda:GetFunctionConfiguration (read-only roles, CI, support tooling) can read them, they show
    in the console, in IaC diffs and in the template in the deployment bucket. A secret there is as
    good as published to everyone who can read the account. References (SSM SecureString, Secrets
    Manager, ``{{resolve:...}}``, ``${ssm:...}``) are resolved at deploy/run time and never fire."""

    id = "FG-SEC-001"
    title = "Plaintext secret in the function's environment"
    severity = Severity.HIGH
    category = "secrets"
    cwe = ("CWE-798", "CWE-312")
    references = ("CSA-SAS-7", "OWASP-SLS-A3")
    remediation = ("Store the value in AWS Secrets Manager or SSM Parameter Store (SecureString), rotate it, and "
                   "reference it ({{resolve:secretsmanager:...}}, ${ssm:...}) or read it at run time (Powertools "
                   "parameters) instead of a literal.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            for name, value in sorted(fn.environment.items()):
                verdict = classify(name, value)
                if verdict is None:
                    continue
                what, severity = verdict
                text = value.text() or ""
                digest = secret_hash(text)
                yield self.finding(
                    fn, fn.loc(f"environment.{name}"),
                    f"{fn.name}: environment variable {name} holds {what} in plaintext: {mask(text)} "
                    f"(sha256:{digest})",
                    key=f"env:{name}:{digest}", severity=severity,
                    evidence={"variable": name, "preview": mask(text), "sha256_prefix": digest, "kind": what,
                              "length": len(text)},
                    application=app.name)


def classify(name: str, value: Value) -> tuple[str, Severity] | None:
    """(what, severity) when the literal is a secret; None for references, placeholders and non-secrets."""
    if value.is_reference:
        return None
    text = value.text()
    if text is None or isinstance(value.literal, bool):
        return None
    text = text.strip()
    if not text or is_reference(text) or text.lower() in _NOT_SECRET_VALUES:
        return None
    # a known format fires whatever the variable is called
    for hit in _DETECTOR.scan(text, "environment"):
        if hit.rule_id != "FG-SEC-005":
            return f"a {hit.name}", max(hit.severity, Severity.HIGH, key=lambda s: s.rank)
    strength = secret_name_strength(name)
    if is_placeholder(text):
        return None
    if text.startswith(("arn:", "/")) or text.isdigit():
        return None  # a secret's ARN or parameter path, or a number (port, length)
    if strength == 2:
        return "a secret", Severity.HIGH  # by name: even "hunter2" is a real (and weak) password
    if strength == 1 and looks_random(text):
        return "a secret-looking value", Severity.HIGH
    # Entropy alone (with no secret-like name) fires far too often on table names, model ids and
    # class names (measured on the shared IaC corpus), so unnamed values need a known format.
    return None
