"""IAM per function (FG-IAM-1xx): what each role grants (wildcards expanded against the IAM action
database), what the code and the platform need, the difference, and least-privilege policies.

Public helpers for other analyzers:

- ``effective_permissions(app, fn)``: every concrete (action, resource, statement) the function's
  role allows, wildcards expanded (``*`` patterns wider than the database are kept as written).
- ``allows(app, fn, action, resource="*")``: does the role allow ``action`` (on ``resource``)?
- ``granted_once(app, fn, shared)``: ``granted(app, fn)`` once per scan (``ScanContext.shared``).
- ``net_allows(app, result)``: the allow grants with what unconditional Deny statements remove taken out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from faasguard.analyzers.iam import actiondb, arns
from faasguard.analyzers.iam.analysis import FunctionIam, analyse_app, analyse_function
from faasguard.analyzers.iam.analyzer import IamAnalyzer
from faasguard.analyzers.iam.diff import grant_actions
from faasguard.analyzers.iam.granted import Grant, Granted, granted
from faasguard.analyzers.registry import register_analyzer
from faasguard.model import Application, Function, Statement

register_analyzer(IamAnalyzer)


def effective_permissions(app: Application, fn: Function) -> list[tuple[str, str, Statement | None]]:
    """(action, resource, statement) allowed to ``fn``; statement is None for managed/framework
    grants. Deny statements are not subtracted here (``allows`` does that)."""
    out: list[tuple[str, str, Statement | None]] = []
    for g in granted(app, fn).allows:
        for action in grant_actions(g):
            for resource in g.resources or ("*",):
                out.append((action, resource, g.statement))
    return out


def allows(app: Application, fn: Function, action: str, resource: str = "*") -> bool:
    """True when some allow covers ``action`` on ``resource`` and no unconditional deny does."""
    from faasguard.analyzers.iam.diff import _grant_covers
    from faasguard.analyzers.iam.requirement import Requirement

    req = Requirement(actiondb.canonical(action), resource, "query")
    g = granted(app, fn)
    if any(_grant_covers(app, d, req) and not d.conditional for d in g.denies):
        return False
    return any(_grant_covers(app, a, req) for a in g.allows)


def granted_once(app: Application, fn: Function, shared: dict[str, Any] | None = None) -> Granted:
    """``granted(app, fn)`` computed once per scan. ``shared`` is ``ScanContext.shared``: the IAM
    analyzer's per-function results (``"iam.functions"``) are reused when that analyzer ran first,
    else the result is kept under ``"iam.granted"`` for whoever asks next."""
    if shared is None:
        return granted(app, fn)
    key = (app.name, fn.id)
    done = shared.get("iam.functions", {}).get(key)
    if isinstance(done, FunctionIam):
        return done.granted
    cache: dict[tuple[str, str], Granted] = shared.setdefault("iam.granted", {})
    if key not in cache:
        cache[key] = granted(app, fn)
    return cache[key]


def _deny_covers(app: Application, deny: Grant, resources: list[str]) -> bool:
    """Does an unconditional deny apply to every one of ``resources`` (canonical)?"""
    if deny.not_resources:
        return False  # denies all but some resources: what is left is still allowed
    denied = [arns.canonical(app, r) for r in deny.resources or ("*",)]
    return all(any(arns.covers(d, r) for d in denied) for r in resources)


def _deny_matches(deny: Grant, action: str) -> bool:
    if deny.not_actions:
        return not any(actiondb.matches(p, action) for p in deny.not_actions)
    return any(actiondb.matches(p, action) for p in deny.actions)


def net_allows(app: Application, result: Granted) -> list[Grant]:
    """The allow grants minus unconditional denies. A grant that loses actions comes back with its
    remaining concrete actions (wildcards expanded); a deny on only some of a grant's resources
    leaves the action allowed on the others. Conditional denies are left out (they may not apply)."""
    denies = [d for d in result.denies if not d.conditional]
    out: list[Grant] = []
    for g in result.allows:
        resources = [arns.canonical(app, r) for r in g.resources or ("*",)]
        applying = [d for d in denies if _deny_covers(app, d, resources)]
        if not applying:
            out.append(g)
            continue
        actions = grant_actions(g)
        kept = tuple(a for a in actions if not any(_deny_matches(d, a) for d in applying))
        if len(kept) == len(actions):
            out.append(g)
        elif kept:
            out.append(replace(g, actions=kept, not_actions=()))
    return out


__all__ = ["FunctionIam", "Granted", "IamAnalyzer", "allows", "analyse_app", "analyse_function", "arns",
           "effective_permissions", "granted", "granted_once", "net_allows"]
