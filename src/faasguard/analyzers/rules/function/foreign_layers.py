"""FG-FN-010: layers published by an AWS account other than the application's."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import arn_account, label, literal_texts, load_data
from faasguard.model import Application, Finding, Severity, Value


def app_accounts(app: Application) -> set[str]:
    """Account ids written in the application's own literal ARNs (layers excluded)."""
    values: list[Value | None] = []
    for fn in app.functions:
        values += [fn.dead_letter, fn.on_failure, fn.kms_key, fn.code_signing, *fn.environment.values()]
        values += [t.source for t in fn.triggers] + [t.on_failure for t in fn.triggers]
    for role in app.roles:
        values.append(role.arn)
        for st in role.statements:
            values += list(st.resources)
    for perm in app.permissions:
        values += [perm.source_arn, perm.source_account]
    accounts = {a for a in (arn_account(t) for t in literal_texts(values)) if a}
    accounts |= {t for t in literal_texts(p.source_account for p in app.permissions) if t.isdigit() and len(t) == 12}
    return accounts


@register_rule
class ForeignLayer(Rule):
    """A layer's code runs inside the function with the function's role and sees every event and
    secret. A layer published by another account can be replaced by that account with a new
    version, or withdrawn, and its content is outside your review and scanning. Only reported when
    the application's own account is known from its other ARNs; AWS's own layers are not reported."""

    id = "FG-FN-010"
    title = "Function uses a layer from another AWS account"
    severity = Severity.MEDIUM
    category = "supply-chain"
    cwe = ("CWE-829",)
    references = ("CSA-SAS-6", "OWASP-SLS-A9")
    remediation = ("Publish the layer in your own account from reviewed sources (or vendor the dependency into "
                   "the package), pin the layer version, and scan its content.")

    def check(self, app: Application) -> Iterator[Finding]:
        own = app_accounts(app)
        if not own:
            return  # the app's account is unknown: can't tell foreign from own
        trusted = load_data("layer_publishers.json")["accounts"]
        for fn in app.functions:
            for layer in fn.layers:
                text = layer.text()
                account = arn_account(text)
                if account is None or account in own or account in trusted:
                    continue
                yield self.finding(fn, layer.location or fn.loc("layers"),
                                   f"{label(fn)}: layer {text} is published by account {account}, not the "
                                   f"application's ({', '.join(sorted(own))})", key=f"layer:{text}")
