"""Needed vs granted, per function: excess (granted, never needed) and missing (needed, not
granted: the call fails at run time with AccessDenied)."""

from __future__ import annotations

from dataclasses import dataclass, field

from faasguard.analyzers.iam import actiondb, arns
from faasguard.analyzers.iam.expand import LIST_LIMIT, expand, expand_except
from faasguard.analyzers.iam.granted import Grant, Granted
from faasguard.analyzers.iam.requirement import Requirement
from faasguard.model import Application


@dataclass(frozen=True, slots=True)
class Excess:
    action: str  # a concrete action, or a pattern too wide to list
    resource: str
    grant: Grant
    count: int = 1  # actions the entry stands for (patterns too wide to list)


@dataclass
class Diff:
    excess: list[Excess] = field(default_factory=list)
    missing: list[Requirement] = field(default_factory=list)
    broader: list[tuple[Requirement, Grant]] = field(default_factory=list)  # needed on X, granted on "*"
    unused_count: int = 0  # distinct concrete actions granted and never needed (patterns expanded)


def grant_actions(grant: Grant) -> tuple[str, ...]:
    if grant.not_actions:
        return expand_except(grant.not_actions)
    out: list[str] = []
    for pattern in grant.actions:
        out.extend(expand(pattern))
    return tuple(dict.fromkeys(out))


def _grant_covers(app: Application, grant: Grant, req: Requirement) -> bool:
    if grant.not_actions:
        if any(actiondb.matches(p, req.action) for p in grant.not_actions):
            return False
    elif not any(actiondb.matches(p, req.action) for p in grant.actions):
        return False
    if req.resource == "*":
        return True  # the resource is not known: any grant of the action may be the one
    needed = arns.canonical(app, req.resource)
    if grant.not_resources:
        return not any(arns.covers(arns.canonical(app, r), needed) for r in grant.not_resources)
    return any(arns.covers(arns.canonical(app, r), needed) for r in grant.resources)


def compare(app: Application, needed: list[Requirement], granted: Granted) -> Diff:
    diff = Diff()
    needed_actions = {r.action.lower() for r in needed}
    every_unused: set[str] = set()
    for grant in granted.allows:
        if grant.implicit:
            continue
        actions = grant_actions(grant)
        unused = [a for a in actions if a.lower() not in needed_actions]
        every_unused.update(a.lower() for a in unused)
        resource = ", ".join(grant.resources) or "*"
        if len(unused) > LIST_LIMIT:
            label = "NotAction " + ",".join(grant.not_actions) if grant.not_actions else ",".join(grant.actions)
            diff.excess.append(Excess(label, resource, grant, len(unused)))
        else:
            diff.excess.extend(Excess(a, resource, grant) for a in unused)
    diff.unused_count = len(every_unused)
    if granted.known:
        for req in needed:
            denied = any(_grant_covers(app, g, req) and not g.conditional for g in granted.denies)
            allowed = [g for g in granted.allows if _grant_covers(app, g, req)]
            if denied or not allowed:
                diff.missing.append(req)
            elif req.resource != "*" and all(g.resources == ("*",) and not g.implicit for g in allowed):
                diff.broader.append((req, allowed[0]))
    return diff
