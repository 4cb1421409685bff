"""FG-IAM-004: Allow combined with NotAction or NotResource."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import role_subject
from faasguard.model import Application, Finding, Severity


@register_rule
class AllowWithNotActionOrNotResource(Rule):
    """``Allow`` + ``NotAction`` allows everything except the listed actions, including every action
    AWS adds later; ``Allow`` + ``NotResource`` allows the actions on every resource except a few.
    Both grant far more than intended and are hard to review (NotAction: HIGH, NotResource: MEDIUM)."""

    id = "FG-IAM-004"
    title = "IAM Allow statement uses NotAction or NotResource"
    severity = Severity.HIGH
    category = "iam"
    cwe = ("CWE-250",)
    references = ("CSA-SAS-4", "OWASP-SLS-A5")
    remediation = "Rewrite the statement as an Allow of the specific actions on the specific resources needed."

    def check(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            fn, who = role_subject(app, role)
            for st in role.allow_statements:
                if st.not_actions:
                    yield self.finding(fn, st.location,
                                       f"{who}: Allow with NotAction ({', '.join(st.not_actions)}) allows every "
                                       f"other action", evidence={"resource": role.id},
                                   key=f"{role.id}:NotAction:{','.join(sorted(st.not_actions))}")
                elif st.not_resources:
                    yield self.finding(fn, st.location,
                                       f"{who}: Allow with NotResource allows the actions on every other resource",
                                       evidence={"resource": role.id},
                                   key=f"{role.id}:NotResource:{','.join(sorted(st.actions))}",
                                       severity=Severity.MEDIUM)
