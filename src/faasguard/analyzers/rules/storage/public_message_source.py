"""FG-DATA-011: a queue or topic that triggers a function accepts messages from anyone."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules.storage._sources import resource_name, sources_by_resource, subject
from faasguard.model import Application, Finding, Severity, TriggerKind


@register_rule
class PublicMessageSource(Rule):
    """A queue or topic policy with Principal ``*`` (and no account/org condition) lets any AWS
    account send messages, so the function's input, normally internal, is attacker-controlled."""

    id = "FG-DATA-011"
    title = "Queue or topic that triggers a function is public"
    severity = Severity.HIGH
    category = "data"
    cwe = ("CWE-284",)
    references = ("CSA-SAS-1", "OWASP-SLS-A1", "OWASP-SLS-A5")
    remediation = ("Restrict the queue/topic policy to the principals that publish (a service with "
                   "aws:SourceArn, or your account/organization).")

    def check(self, app: Application) -> Iterator[Finding]:
        for res, fns in sources_by_resource(app, TriggerKind.SQS, TriggerKind.SNS):
            if res.public:
                fn, names = subject(fns)
                yield self.finding(fn, res.loc("public"),
                                   f"{res.kind.value} {resource_name(res)} accepts messages from anyone and triggers "
                                   f"{names}", key=f"{res.id}:public", evidence={"resource": res.id})
