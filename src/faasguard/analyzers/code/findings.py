"""From sink hits at an entry point to findings: which trigger lets the data in, how far it is
trusted, the flow steps, severity, and the attack path through the role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from faasguard.analyzers.base import RuleMeta
from faasguard.analyzers.code.handlers import Entry
from faasguard.analyzers.code.paths import (
    PATH_KINDS,
    Capabilities,
    evidence,
    path_severity,
    permission_steps,
    powers,
    role_capabilities,
)
from faasguard.analyzers.code.rules import PATH_RULE, TAINT_RULES
from faasguard.analyzers.code.sources import (
    CHALICE_KINDS,
    CHALICE_SAFE,
    TRUST_ORDER,
    controlled,
    trigger_controls,
    widest,
)
from faasguard.analyzers.code.taint import Label, SinkHit
from faasguard.loaders.trust import default_trust
from faasguard.model import (
    Application,
    ErrorKind,
    Finding,
    FlowStep,
    Function,
    Location,
    ScanError,
    Severity,
    Trigger,
    Trust,
)

INPUT_ORIGINS = frozenset({"event", "route_param", "chalice_event", "framework", "second_order"})
_CONF_RANK = {"high": 2, "medium": 1, "low": 0}
_SINK_WORDS = {
    "command": "an OS command", "code": "code evaluation", "sql": "an SQL statement", "nosql": "a NoSQL query",
    "deserialization": "an unsafe deserializer", "ssrf": "the URL of an outbound request", "path": "a file path",
    "xxe": "an XML parser with external entities", "template": "a template compiler",
    "redirect": "a redirect target", "header": "a response header", "regex": "a regular expression",
    "log": "the logs", "sensitive_log": "the logs",
}


@dataclass(frozen=True)
class Judged:
    rule_kind: str
    trust: Trust
    trigger: Trigger | None
    confidence: str
    source: str


def _min_conf(*levels: str) -> str:
    return min(levels, key=lambda c: _CONF_RANK.get(c, 0))


def judge(hit: SinkHit, lab: Label, fn: Function, entry: Entry) -> Judged | None:
    """Is this flow a finding, and under which rule, trust and trigger?"""
    origin = lab.origin
    kind = hit.kind
    if origin.kind == "exception":
        return None
    if origin.kind == "secret":
        if kind.startswith("log") and "*" not in lab.cleared:
            return Judged("sensitive_log", Trust.INTERNAL, widest(list(fn.triggers)), "high", origin.note)
        return None
    if origin.kind not in INPUT_ORIGINS:
        return None
    trust, trigger, conf = _trust(lab, fn)
    if trust is None:
        return None
    src = _source_text(lab)
    conf = _min_conf(conf, hit.confidence)
    if kind.startswith("log"):
        if "*" in lab.cleared:
            return None
        if origin.kind == "event" and not lab.path:
            return Judged("sensitive_log", trust, trigger, conf, "the whole event")
        if kind == "log" and not lab.safe_for("log") and origin.kind != "second_order":
            return Judged("log", trust, trigger, _min_conf(conf, "medium"), src)
        return None
    if kind == "nosql.structured":
        if not lab.structured:
            return None
        kind = "nosql"
    if kind not in TAINT_RULES:
        return None
    return Judged(kind, trust, trigger, conf, src)


def _trust(lab: Label, fn: Function) -> tuple[Trust | None, Trigger | None, str]:
    origin = lab.origin
    triggers = [t for t in fn.triggers if t.enabled]
    if origin.kind == "event":
        if not triggers:
            return Trust.INTERNAL, None, "low"  # invoked directly: by whom we don't know
        controlling = [t for t in triggers if trigger_controls(t, lab.path)]
        t = widest(controlling)
        return (t.trust, t, "high") if t else (None, None, "")
    if origin.kind == "chalice_event":
        tk = CHALICE_KINDS.get(origin.note)
        if tk is None or not controlled(CHALICE_SAFE.get(origin.note, ()), lab.path):
            return None, None, ""
        matching = [t for t in triggers if t.kind is tk]
        t = widest(matching)
        return (t.trust if t else default_trust(tk)), t, "high"
    if origin.kind in ("route_param", "framework"):
        http = [t for t in triggers if t.is_http] or triggers
        t = widest(http)
        return (t.trust, t, "high") if t else (Trust.PUBLIC, None, "medium")
    if origin.kind == "second_order":
        return Trust.INTERNAL, widest(triggers), "low"
    return None, None, ""


def _source_text(lab: Label) -> str:
    if lab.origin.kind in ("event", "chalice_event") and lab.path:
        name = lab.origin.note if lab.origin.kind == "event" else "event"
        return name + "".join("[*]" if k == "*" else f"[{k!r}]" for k in lab.path)
    first = next((s for s in lab.steps if s.kind == "source"), None)
    if first is not None:
        return first.note
    return lab.origin.note or lab.origin.kind


def _severity(meta: RuleMeta, j: Judged) -> Severity:
    sev = meta.severity
    if j.trust is Trust.PUBLIC and j.rule_kind not in ("log", "header"):
        sev = sev.raised()
    elif j.trust is Trust.INTERNAL:
        sev = sev.lowered()
    if j.confidence == "low":
        sev = sev.lowered()
    return sev


def _trigger_step(j: Judged, fn: Function) -> FlowStep:
    t = j.trigger
    if t is None:
        loc = fn.location
        return FlowStep(loc.file, loc.line, f"{fn.name}: invoked directly ({j.trust.value}; no event source "
                                            "declared)", "trigger")
    where = t.route if t.is_http else (t.source_id or (str(t.source) if t.source else t.kind.value))
    return FlowStep(t.location.file, t.location.line, f"{j.trust.value} {t.kind.value} trigger: {where}", "trigger")


def _flow(hit: SinkHit, lab: Label, j: Judged, fn: Function, entry: Entry) -> tuple[FlowStep, ...]:
    steps = list(lab.steps)
    if not steps or steps[0].kind != "source":
        origin = lab.origin
        if origin.kind in ("event", "route_param", "chalice_event"):
            note = {"event": f"event parameter of {entry.function.name}()",
                    "route_param": f"route parameter {origin.note}",
                    "chalice_event": f"{origin.note} event of {entry.function.name}()"}[origin.kind]
            steps.insert(0, FlowStep(entry.module.rel, entry.function.lineno if origin.kind == "event" else entry.line,
                                     note, "source"))
        else:
            steps.insert(0, FlowStep(origin.file, origin.line, origin.note, "source"))
    sink = FlowStep(hit.file, hit.line, f"{_SINK_WORDS.get(j.rule_kind, j.rule_kind)}: {hit.text}", "sink",
                    hit.column)
    return (_trigger_step(j, fn), *steps[:12], sink)


def _rank(j: Judged, lab: Label) -> tuple[int, int, int]:
    return (TRUST_ORDER[j.trust], _CONF_RANK.get(j.confidence, 0), -len(lab.steps))


def _role(app: Application, fn: Function, shared: dict[str, Any] | None) -> tuple[Capabilities | None,
                                                                                  ScanError | None]:
    try:
        return role_capabilities(app, fn, shared), None
    except Exception as exc:  # a bug in reading the role must not cost the code findings
        loc = fn.loc("role")
        return None, ScanError(loc.file, f"{fn.name}: reading role {fn.role_id} for attack paths failed: {exc!r}",
                               ErrorKind.INTERNAL, loc.line, function=fn.id)


def entry_findings(app: Application, fn: Function, entry: Entry, hits: list[tuple[SinkHit, Label]],
                   returns: list[tuple[int, Label]], shared: dict[str, Any] | None = None) -> Iterator[
        Finding | ScanError]:
    """Findings for one entry point: one per (rule, sink line), the worst flow kept. ``shared`` is
    ``ScanContext.shared`` (the role is read once per function per scan)."""
    best: dict[tuple[str, str, int], tuple[SinkHit, Label, Judged]] = {}
    for hit, lab in hits:
        j = judge(hit, lab, fn, entry)
        if j is None:
            continue
        key = (j.rule_kind, hit.file, hit.line)
        cur = best.get(key)
        if cur is None or _rank(j, lab) > _rank(cur[2], cur[1]):
            best[key] = (hit, lab, j)
    caps, problem = _role(app, fn, shared) if best else (None, None)
    if problem is not None:
        yield problem
    for (_, _, _), (hit, lab, j) in sorted(best.items()):
        meta = TAINT_RULES[j.rule_kind]
        flow = _flow(hit, lab, j, fn, entry)
        trig = flow[0].note
        message = (f"{fn.name}: {j.source} ({trig}) reaches {_SINK_WORDS.get(j.rule_kind, j.rule_kind)} "
                   f"{hit.text}")
        location = Location(hit.file, hit.line, hit.column)
        found = {"sink": hit.text, "source": j.source, "trust": j.trust.value,
                 "trigger": j.trigger.kind.value if j.trigger else None, "entry": entry.label}
        yield meta.finding(message, location, fn, key=f"{j.rule_kind}:{hit.text}:{j.source}",
                           severity=_severity(meta, j), evidence=found, flow=flow, confidence=j.confidence,
                           application=app.name)
        if caps is not None and j.rule_kind in PATH_KINDS and caps.meaningful:
            perm = permission_steps(caps)
            sev = path_severity(j.trust, j.rule_kind, caps)
            if j.confidence == "low":
                sev = sev.lowered()
            what = meta.title[:1].lower() + meta.title[1:]
            path_msg = (f"{fn.name}: {trig} -> {j.source} -> {what} at {hit.file}:{hit.line} -> "
                        f"role {caps.role_id} ({powers(caps)})")
            yield PATH_RULE.finding(path_msg, location, fn, key=f"path:{j.rule_kind}:{hit.text}:{j.source}",
                                    severity=sev, flow=flow + perm, confidence=j.confidence,
                                    evidence={**found, "sink_rule": meta.id, **evidence(caps)},
                                    application=app.name)
    yield from _error_exposure(app, fn, entry, returns)


def _error_exposure(app: Application, fn: Function, entry: Entry, returns: list[tuple[int, Label]]) -> Iterator[
        Finding]:
    http = [t for t in fn.triggers if t.is_http]
    if entry.kind == "handler" and not http:
        return  # the return value goes back to an AWS service, not to a client
    seen: set[int] = set()
    meta = TAINT_RULES["error"]
    trigger = widest(http)
    for line, lab in returns:
        if lab.origin.kind != "exception" or line in seen or "*" in lab.cleared:
            continue
        seen.add(line)
        trust = trigger.trust if trigger else Trust.PUBLIC
        j = Judged("error", trust, trigger, "high", lab.origin.note)
        flow = (_trigger_step(j, fn), *lab.steps[:12],
                FlowStep(entry.module.rel, line, "returned to the client", "sink"))
        yield meta.finding(f"{fn.name}: {lab.origin.note} text is returned to the client ({flow[0].note})",
                           Location(entry.module.rel, line), fn, key=f"error:{entry.function.name}:{lab.origin.note}",
                           severity=meta.severity, flow=flow, evidence={"entry": entry.label}, application=app.name)
