"""The IAM analyzer: per function, needed vs granted, and the risk of what is granted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from faasguard.analyzers.base import RuleMeta, ScanContext
from faasguard.analyzers.iam import risk
from faasguard.analyzers.iam.analysis import FunctionIam, analyse_function
from faasguard.analyzers.iam.granted import Grant, granted
from faasguard.model import Application, ErrorKind, Finding, ScanError, Severity

CATEGORY = "iam"
_CWE = ("CWE-269", "CWE-732")
_REFS = ("CSA-SAS-4", "OWASP-SLS-A5")
ESCALATION = "FG-IAM-101"
EXFILTRATION = "FG-IAM-102"
EXPOSURE = "FG-IAM-103"
UNKNOWN_ACTION = "FG-IAM-104"
EXCESS = "FG-IAM-105"
MISSING = "FG-IAM-106"

RULES = {
    ESCALATION: RuleMeta(ESCALATION, "Execution role allows privilege escalation", Severity.HIGH, CATEGORY, _CWE,
                         _REFS, "Remove the IAM/Lambda management actions; a function rarely needs them. "
                                "`faasguard iam` prints the policy the code needs.",
                         "Combinations of granted actions (wildcards expanded against the IAM action database) "
                         "that let the role gain more privileges."),
    EXFILTRATION: RuleMeta(EXFILTRATION, "Execution role can read data of every resource", Severity.MEDIUM, CATEGORY,
                           _CWE, _REFS, "Scope data reads to the buckets, tables and keys the function uses.",
                           "Data reads (objects, items, parameters, messages) allowed on '*'."),
    EXPOSURE: RuleMeta(EXPOSURE, "Execution role can change resource policies (exposure)", Severity.MEDIUM,
                       CATEGORY, _CWE, _REFS, "Remove resource-policy, ACL and grant actions from the role.",
                       "Permissions-management actions (Put*Policy, *Acl, AddPermission, CreateGrant) that can "
                       "make resources public or shared."),
    UNKNOWN_ACTION: RuleMeta(UNKNOWN_ACTION, "IAM action does not exist", Severity.LOW, CATEGORY, ("CWE-1068",),
                             (), "Fix the spelling; IAM silently ignores actions that do not exist.",
                             "Actions or patterns that match nothing in the IAM action database."),
    EXCESS: RuleMeta(EXCESS, "Execution role grants actions the function never uses", Severity.MEDIUM, CATEGORY,
                     _CWE, _REFS, "Apply the least-privilege policy: `faasguard fix --iam PATH` or "
                                  "`faasguard iam PATH --format serverless|sam`.",
                     "Granted actions (wildcards expanded) that neither the function's code nor the platform needs."),
    MISSING: RuleMeta(MISSING, "Function needs actions its role does not grant", Severity.MEDIUM, CATEGORY, (),
                      (), "Add the missing actions (see `faasguard iam PATH`); the calls fail with AccessDenied.",
                      "Actions the code or the platform needs that no statement of the role allows."),
}
_SHOW = 12


def _listing(actions: list[str]) -> str:
    head = ", ".join(actions[:_SHOW])
    return head + (f" (+{len(actions) - _SHOW} more)" if len(actions) > _SHOW else "")


class IamAnalyzer:
    name: ClassVar[str] = "iam"

    def rules(self) -> list[RuleMeta]:
        return list(RULES.values())

    def analyze(self, app: Application, ctx: ScanContext) -> Iterator[Finding | ScanError]:
        yield from self._risk(app)
        results: dict[str, FunctionIam] = {}
        for fn in app.functions:
            try:
                results[fn.id] = analyse_function(app, fn, ctx.root)
            except Exception as exc:  # a bug of ours must not stop the scan
                yield ScanError(fn.location.file, f"IAM analysis of {fn.id} failed: {exc!r}", ErrorKind.INTERNAL,
                                fn.location.line, fn.id)
                continue
            ctx.shared.setdefault("iam.functions", {})[(app.name, fn.id)] = results[fn.id]
        for result in results.values():
            yield from self._diff_findings(app, result, results)

    def _risk(self, app: Application) -> Iterator[Finding]:
        for role in app.roles:
            if role.external or not role.functions:
                continue
            fn = app.function(role.functions[0])
            if fn is None:
                continue
            grants = [g for g in granted(app, fn).grants if not g.implicit]
            who = f"role {role.id}" + (f" (functions {', '.join(role.functions)})" if len(role.functions) > 1
                                      else f" (function {fn.id})")
            for hit in risk.escalations(grants):
                sev = Severity.CRITICAL if hit.on_any else Severity.HIGH
                yield RULES[ESCALATION].finding(
                    f"{who}: {' + '.join(hit.actions)}{' on *' if hit.on_any else ''} lets it {hit.detail}",
                    self._where(hit.grants, role.location), fn, key=f"{role.id}:{','.join(hit.actions)}",
                    severity=sev, evidence=self._evidence(hit.grants, hit.actions), application=app.name)
            for hit in risk.exfiltration(grants):
                yield RULES[EXFILTRATION].finding(
                    f"{who}: {_listing(list(hit.actions))} allowed on every resource",
                    self._where(hit.grants, role.location), fn, key=f"{role.id}:{','.join(sorted(hit.actions))}",
                    evidence=self._evidence(hit.grants, hit.actions), application=app.name)
            for hit in risk.exposure(grants):
                yield RULES[EXPOSURE].finding(
                    f"{who}: {_listing(sorted(hit.actions))} can change who may access resources"
                    f"{' (on *)' if hit.on_any else ''}",
                    self._where(hit.grants, role.location), fn, key=f"{role.id}:{','.join(sorted(hit.actions))}",
                    severity=Severity.HIGH if hit.on_any else Severity.LOW if hit.only_templates else Severity.MEDIUM,
                    evidence=self._evidence(hit.grants, hit.actions), application=app.name)
            for grant, action, suggestions in risk.unknown_actions(grants):
                hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
                yield RULES[UNKNOWN_ACTION].finding(
                    f"{who}: {action!r} is not an IAM action{hint}", grant.location or role.location, fn,
                    key=f"{role.id}:{action}", evidence={"action": action, "suggestions": list(suggestions)},
                    application=app.name)

    @staticmethod
    def _where(grants: tuple[Grant, ...], fallback):  # type: ignore[no-untyped-def]
        return next((g.location for g in grants if g.location is not None), fallback)

    @staticmethod
    def _evidence(grants: tuple[Grant, ...], actions: tuple[str, ...]) -> dict[str, object]:
        return {"actions": list(actions), "sources": sorted({g.source for g in grants}),
                "lines": sorted({str(g.location) for g in grants if g.location is not None})}

    def _diff_findings(self, app: Application, r: FunctionIam, every: dict[str, FunctionIam]) -> Iterator[Finding]:
        fn = r.function
        role = app.role_of(fn)
        if role is None or role.external:
            return
        if r.diff.excess and r.code_analysed:
            actions = sorted({e.action for e in r.diff.excess}, key=str.lower)
            total = r.diff.unused_count
            confidence = r.confidence
            note = f" ({'; '.join(r.notes[:2])})" if confidence != "high" and r.notes else ""
            shared = ""
            evidence_shared: dict[str, object] = {}
            if len(role.functions) > 1:
                others = [f for f in role.functions if f != fn.id]
                shared = f"; the role is shared with {', '.join(others)}"
                sharers = [every[f] for f in others if f in every]
                if len(sharers) == len(others) and all(s.code_analysed for s in sharers):
                    used = {q.action.lower() for s in sharers for q in s.needed}
                    unused_by_all = [a for a in actions if a.lower() not in used]
                    shared += f" ({len(unused_by_all)} of them are used by none of its functions)"
                    evidence_shared = {"unused_by_every_function": unused_by_all}
            first = r.diff.excess[0].grant.location or role.location
            yield RULES[EXCESS].finding(
                f"{fn.id}: {total} granted action(s) never used by its code or the platform: "
                f"{_listing(actions)}{shared}{note}", first, fn, key=f"{role.id}:{','.join(actions)}",
                confidence=confidence, application=app.name,
                evidence={"excess": actions, "count": total, "role": role.id, "needed": sorted(
                    {q.action for q in r.needed}, key=str.lower), **evidence_shared},
                severity=Severity.LOW if confidence == "low" else None)
        if r.diff.missing:
            code = [m for m in r.diff.missing if m.origin == "code"]
            items = [f"{m.action} on {m.resource} ({m.reason})" for m in r.diff.missing]
            yield RULES[MISSING].finding(
                f"{fn.id}: needed but not granted: {_listing(items)}", role.location, fn,
                key=f"{role.id}:{','.join(sorted({m.action for m in r.diff.missing}))}",
                severity=Severity.MEDIUM if code else Severity.LOW, application=app.name,
                evidence={"missing": [{"action": m.action, "resource": m.resource, "reason": m.reason}
                                      for m in r.diff.missing]})
