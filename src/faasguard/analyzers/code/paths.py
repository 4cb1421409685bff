"""Attack paths: trigger -> source -> sink -> what the function's role lets an attacker do.

What the role allows comes from the IAM engine (``faasguard.analyzers.iam``): every statement,
the contents of AWS managed policies, what the framework adds by itself, wildcards expanded
against the IAM action database and unconditional Deny statements taken out. Here that becomes
what someone running code as the function gains: the engine's privilege-escalation paths, data
reads on every resource, writes. Everything that reads the role goes through ``role_capabilities``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faasguard.analyzers.iam import actiondb, granted_once, net_allows, risk
from faasguard.analyzers.iam.diff import grant_actions
from faasguard.analyzers.iam.expand import access_level
from faasguard.analyzers.iam.granted import Grant as IamGrant
from faasguard.analyzers.iam.granted import Granted, managed_name
from faasguard.model import Application, FlowStep, Function, Location, Role, Severity, Trust

# What a sink gives the attacker: code running with the role's credentials, or a way to read them.
RCE_KINDS = frozenset({"command", "code", "deserialization", "template"})
PATH_KINDS = RCE_KINDS | {"ssrf", "path"}

# How dangerous a grant is in an attacker's hands; permission steps are listed in this order.
ESCALATION, DATA_ON_ANY, WRITE, OTHER, PLATFORM = range(5)
_WRITE_LEVELS = ("Write", "Permissions management")
_SHOW = 4  # concrete actions named per step
_CACHE = "code.capabilities"


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]  # as written (patterns; concrete actions when a Deny took some away)
    resources: tuple[str, ...]
    location: Location | None
    source: str  # "inline <policy>", "managed <name>", "template <name>", "framework ..."
    implicit: bool = False  # added by the platform/framework (logs, X-Ray, event sources)
    not_actions: tuple[str, ...] = ()  # NotAction: every action except these
    rank: int = OTHER
    shown: tuple[str, ...] = ()  # the concrete actions that put the grant at its rank
    why: str = ""  # what those actions let an attacker do


@dataclass(frozen=True)
class Escalation:
    actions: tuple[str, ...]
    detail: str
    on_any: bool  # every grant involved allows it on any resource

    @property
    def text(self) -> str:
        return f"{' + '.join(self.actions)}{' on *' if self.on_any else ''}: {self.detail}"


@dataclass(frozen=True)
class Capabilities:
    role_id: str
    known: bool  # False for external roles and managed policies whose contents are not known
    grants: tuple[Grant, ...]  # most dangerous first
    powerful: bool
    reasons: tuple[str, ...]  # why it is powerful
    location: Location | None = None  # where the role is declared or referenced
    escalations: tuple[Escalation, ...] = ()
    data_reads: tuple[str, ...] = ()  # data reads allowed on every resource
    unknown: tuple[tuple[str, Location | None], ...] = ()  # managed policies of unknown contents
    external: bool = False  # defined outside the application: nothing about it is known
    admin: bool = False  # every action on every resource

    @property
    def meaningful(self) -> bool:
        """More than writing its own logs."""
        return (not self.known or self.powerful or bool(self.data_reads)
                or any(not g.implicit and not _only_logs(g.actions) for g in self.grants))


def _only_logs(actions: tuple[str, ...]) -> bool:
    """Writing its own logs and traces (a NotAction grant, with no actions, is everything else)."""
    return bool(actions) and all(a.lower().startswith(("logs:", "xray:")) for a in actions)


def _is_star(pattern: str) -> bool:
    return pattern.strip() in ("*", "*:*")


def _on_any(g: IamGrant) -> bool:
    return "*" in g.resources or bool(g.not_resources)


def role_capabilities(app: Application, fn: Function, shared: dict[str, Any] | None = None) -> Capabilities | None:
    """What the function's execution role allows, or None when the function names no role.
    ``shared`` (``ScanContext.shared``) keeps one answer per function per scan."""
    if shared is None:
        return _capabilities(app, fn, None)
    cache: dict[tuple[str, str], Capabilities | None] = shared.setdefault(_CACHE, {})
    key = (app.name, fn.id)
    if key not in cache:
        cache[key] = _capabilities(app, fn, shared)
    return cache[key]


def _capabilities(app: Application, fn: Function, shared: dict[str, Any] | None) -> Capabilities | None:
    result: Granted = granted_once(app, fn, shared)
    role = result.role
    if role is None and fn.role_id is None:
        return None
    role_id = role.id if role is not None else str(fn.role_id)
    where = role.location if role is not None else fn.loc("role")
    if result.external:
        return Capabilities(role_id, False, (), False, (), where, external=True)
    allows = net_allows(app, result)
    # whole-account wildcards are admin; the engine's risk checks leave them to FG-IAM-001
    admin = [g for g in allows if _on_any(g) and not g.conditional and any(_is_star(a) for a in g.actions)]
    # what the engine's risk checks look at: explicit, unconditional grants (platform grants are
    # not the user's to remove and are never escalations); ``*`` on named resources only is not
    # admin, and is left out (iam or lambda actions on, say, a bucket ARN match nothing)
    pool = [g for g in allows if not g.implicit and not g.conditional and not any(_is_star(a) for a in g.actions)]
    concrete = {id(g): {a.lower() for a in grant_actions(g)} for g in pool}
    escalations, by_grant = _escalations(pool, concrete)
    reads = _data_reads(pool, concrete)
    if admin:
        reads = {a: [] for a in risk.EXFILTRATION}
    grants = []
    for g in allows:
        if g.implicit:
            grants.append(_grant(g, PLATFORM))
        elif g in admin:
            grants.append(_grant(g, ESCALATION, ("*",), "can do anything in the account"))
        elif id(g) in by_grant:
            parts = by_grant[id(g)]
            details = list(dict.fromkeys(detail for _, detail in parts))
            more = f" (+{len(details) - 1} more)" if len(details) > 1 else ""
            grants.append(_grant(g, ESCALATION, tuple(dict.fromkeys(a for actions, _ in parts for a in actions)),
                                 f"can {details[0]}{more}"))
        elif any(id(g) in ids for ids in reads.values()):
            grants.append(_grant(g, DATA_ON_ANY, tuple(a for a, ids in reads.items() if id(g) in ids),
                                 "can read data of every resource"))
        else:
            grants.append(_grant(g, WRITE if _writes(g) else OTHER))
    grants.sort(key=lambda g: (g.rank, g.location.line if g.location else 0))
    reasons = [f"{_first(g.actions)} on {_first(g.resources)}: any action on any resource" for g in admin]
    reasons.extend(e.text for e in escalations)
    unknown = tuple((name, _managed_location(role, name)) for name in result.unknown) if role else ()
    return Capabilities(role_id, result.known, tuple(grants), bool(reasons), tuple(dict.fromkeys(reasons)), where,
                        tuple(escalations), tuple(reads), unknown, admin=bool(admin))


def _grant(g: IamGrant, rank: int, shown: tuple[str, ...] = (), why: str = "") -> Grant:
    return Grant(g.actions, g.resources, g.location, g.source, g.implicit, g.not_actions, rank, shown, why)


def _escalations(pool: list[IamGrant], concrete: dict[int, set[str]]) -> tuple[
        list[Escalation], dict[int, list[tuple[tuple[str, ...], str]]]]:
    """The engine's escalation paths, in its table's order, and per grant what it contributes."""
    hits = list(risk.escalations(pool))
    covered = {a.lower() for h in hits for a in h.actions}
    # the engine leaves out single actions the configuration rules already report (written
    # literally on "*"); an attack path must still count them
    for actions, detail in risk.ESCALATIONS:
        action = actions[0].lower()
        if len(actions) == 1 and action not in covered:
            involved = tuple(g for g in pool if action in concrete[id(g)])
            if involved:
                covered.add(action)
                hits.append(risk.Hit("escalation", actions, involved, all(_on_any(g) for g in involved), detail))
    order = {actions: i for i, (actions, _) in enumerate(risk.ESCALATIONS)}
    hits.sort(key=lambda h: order.get(h.actions, len(order)))
    by_grant: dict[int, list[tuple[tuple[str, ...], str]]] = {}
    for h in hits:
        for g in h.grants:
            mine = tuple(a for a in h.actions if a.lower() in concrete[id(g)])
            by_grant.setdefault(id(g), []).append((mine, h.detail))
    return [Escalation(h.actions, h.detail, h.on_any) for h in hits], by_grant


def _data_reads(pool: list[IamGrant], concrete: dict[int, set[str]]) -> dict[str, list[int]]:
    """The engine's data-read actions allowed on every resource (secrets reads included: the
    engine leaves literal ones to the configuration rules, an attack path needs them all)."""
    out: dict[str, list[int]] = {}
    for action in risk.EXFILTRATION:
        for g in pool:
            if _on_any(g) and action.lower() in concrete[id(g)]:
                out.setdefault(action, []).append(id(g))
    return out


def _writes(g: IamGrant) -> bool:
    return any(_is_star(a) for a in g.actions) or any(access_level(a) in _WRITE_LEVELS for a in grant_actions(g))


def _first(items: tuple[str, ...], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (" ..." if len(items) > limit else "") if items else "*"


def _managed_location(role: Role, name: str) -> Location | None:
    return next((mp.location for mp in role.managed_policies if managed_name(mp.name) == name), role.location)


def _source_text(source: str) -> str:
    kind, _, name = source.partition(" ")
    return {"inline": f"policy {name}" if name else "inline policy", "managed": f"managed policy {name}",
            "template": f"policy template {name}"}.get(kind, source)


def _written(g: Grant) -> str:
    if g.not_actions and not g.actions:
        return f"every action except {_first(g.not_actions)}"
    return _first(g.actions, 6)


def _step_actions(g: Grant) -> str:
    """The actions that matter, and the patterns they come from when those are wildcards."""
    if not g.shown or g.shown == ("*",):
        return _written(g)
    literal = {a.strip().lower() for a in g.actions}
    hidden = [a for a in g.shown if a.lower() not in literal]
    via = tuple(dict.fromkeys(p for a in hidden for p in g.actions if actiondb.matches(p, a)))
    text = ", ".join(g.shown[:_SHOW]) + (f" (+{len(g.shown) - _SHOW} more)" if len(g.shown) > _SHOW else "")
    if via:
        text += f" (via {_first(via)})"
    elif hidden and g.not_actions:
        text += f" (via NotAction {_first(g.not_actions)})"
    return text


def permission_steps(caps: Capabilities, limit: int = 5) -> tuple[FlowStep, ...]:
    """The role's grants, most dangerous first (escalation, data reads on *, writes, the rest),
    each at its statement's line; what the platform adds by itself (logs, X-Ray) is left out."""
    if caps.external:
        loc = caps.location or Location("", 0)
        return (FlowStep(loc.file, loc.line, f"role {caps.role_id} is defined outside the application: "
                         "permissions unknown", "permission"),)
    steps = []
    for g in [g for g in caps.grants if g.rank != PLATFORM][:limit]:
        loc = g.location or caps.location or Location("", 0)
        why = f": {g.why}" if g.why else ""
        steps.append(FlowStep(loc.file, loc.line, f"role {caps.role_id} allows {_step_actions(g)} on "
                              f"{_first(g.resources)} ({_source_text(g.source)}){why}", "permission"))
    for name, where in caps.unknown:
        loc = where or caps.location or Location("", 0)
        steps.append(FlowStep(loc.file, loc.line, f"role {caps.role_id} has managed policy {name}: contents "
                              "unknown", "permission"))
    return tuple(steps)


def powers(caps: Capabilities) -> str:
    """One line on what the role gives an attacker, for the finding's message."""
    if caps.external:
        return "permissions unknown"
    parts: list[str] = []
    if caps.reasons:
        parts.append("; ".join(caps.reasons[:2]) + (f" (+{len(caps.reasons) - 2} more)"
                                                     if len(caps.reasons) > 2 else ""))
    elif caps.data_reads:
        parts.append(f"reads every resource: {_first(caps.data_reads, _SHOW)}")
    else:
        parts.append(", ".join(_first(g.actions) for g in caps.grants if g.rank != PLATFORM)[:120]
                     or "platform permissions only")
    if caps.unknown:
        parts.append(f"permissions partly unknown: {', '.join(name for name, _ in caps.unknown)}")
    return "; ".join(parts)


def evidence(caps: Capabilities) -> dict[str, Any]:
    return {"role": caps.role_id, "powerful": caps.powerful, "powers": list(caps.reasons),
            "permissions_known": caps.known,
            "escalations": [{"actions": list(e.actions), "detail": e.detail, "on_any": e.on_any}
                            for e in caps.escalations],
            "exfiltration": list(caps.data_reads)}


def path_severity(trust: Trust, sink_kind: str, caps: Capabilities) -> Severity:
    """Critical for public trigger + code execution + powerful role; lower as each link weakens."""
    sev = Severity.HIGH
    if caps.powerful:
        sev = sev.raised()
    if sink_kind not in RCE_KINDS:
        sev = sev.lowered()
    if trust is Trust.AUTHENTICATED:
        sev = sev.lowered()
    elif trust is Trust.INTERNAL:
        sev = sev.lowered(2)
    return sev
