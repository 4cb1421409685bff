"""IAM per function (FG-IAM-1xx): what each role grants (wildcards expanded against the IAM action
database), what the code and the platform need, the difference, and least-privilege policies.

Public helpers for other analyzers:

- ``effective_permissions(app, fn)``: every concrete (action, resource, statement) the function's
  role allows, wildcards expanded (``*`` patterns wider than the database are kept as written).
- ``allows(app, fn, action, resource="*")``: does the role allow ``action`` (on ``resource``)?
"""

from __future__ import annotations

from faasguard.analyzers.iam import actiondb, arns
from faasguard.analyzers.iam.analysis import FunctionIam, analyse_app, analyse_function
from faasguard.analyzers.iam.analyzer import IamAnalyzer
from faasguard.analyzers.iam.diff import grant_actions
from faasguard.analyzers.iam.granted import Granted, granted
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


__all__ = ["FunctionIam", "Granted", "IamAnalyzer", "allows", "analyse_app", "analyse_function", "arns",
           "effective_permissions", "granted"]
