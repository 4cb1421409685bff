"""Function code analysis: event-to-sink taint for Python handlers, code lint rules and attack
paths (issue 3). AST only: the scanned code is never imported or run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Any

from faasguard.analyzers.base import RuleMeta, ScanContext
from faasguard.analyzers.code.findings import entry_findings
from faasguard.analyzers.code.handlers import Entry, decorator_entry, framework_entries, resolve, serves_framework
from faasguard.analyzers.code.lint import lint_module
from faasguard.analyzers.code.modules import ModuleCache, ModuleInfo, Project
from faasguard.analyzers.code.paths import role_capabilities
from faasguard.analyzers.code.rules import ALL_RULES, LINT_RULES, TAINT_RULES
from faasguard.analyzers.code.taint import Engine, Label, Origin, SinkHit, entry_params, param_names, substitute
from faasguard.analyzers.registry import register_analyzer
from faasguard.model import Application, ErrorKind, Finding, Function, Location, PackageType, ScanError

__all__ = ["CodeAnalyzer", "CodeState", "role_capabilities"]


class CodeState:
    """Per-scan caches: parsed files, one Project/Engine per code directory, linted files."""

    def __init__(self, scan_root: Path, shared: dict[str, Any] | None = None) -> None:
        self.cache = ModuleCache(scan_root)
        self.shared = shared  # ScanContext.shared: what other analyzers (IAM) computed for this scan
        self.projects: dict[tuple[Path, ...], Project] = {}
        self.engines: dict[tuple[Path, ...], Engine] = {}
        self.linted: set[Path] = set()

    def project_for(self, roots: tuple[Path, ...]) -> Project:
        if roots not in self.projects:
            self.projects[roots] = Project(self.cache, roots)
        return self.projects[roots]

    def engine_for(self, project: Project) -> Engine:
        if project.roots not in self.engines:
            self.engines[project.roots] = Engine(project)
        return self.engines[project.roots]


def _drain(project: Project | None) -> Iterator[ScanError]:
    if project is not None:
        while project.errors:
            yield project.errors.pop(0)


def _entry_labels(entry: Entry) -> dict[int, frozenset[Label]]:
    fn = entry.function
    names = [a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]
    out: dict[int, frozenset[Label]] = {}
    for i in entry.tainted_params:
        if i >= len(names):
            continue
        if entry.kind == "handler":
            origin = Origin("event", param=i, note=names[i], file=entry.module.rel, line=fn.lineno)
        elif entry.kind == "route":
            origin = Origin("route_param", param=i, note=f"{names[i]} of {entry.label}", file=entry.module.rel,
                            line=entry.line)
        else:
            origin = Origin("chalice_event", param=i, note=entry.label, file=entry.module.rel, line=entry.line)
        out[param_names(fn).index(names[i])] = frozenset({Label(origin)})
    return out


class ClaimedByOthers:
    """Entry-point names that *other* functions of the app use: ``name in claimed``. Built from one
    count per app, so 10,000 functions don't build 10,000 sets of 10,000 names."""

    def __init__(self, counts: Counter[str], own: str) -> None:
        self.counts = counts
        self.own = own

    def __contains__(self, name: object) -> bool:
        count = self.counts.get(name, 0) if isinstance(name, str) else 0
        return count > (1 if name == self.own else 0)


def analyze_function(app: Application, fn: Function, state: CodeState,
                     claimed: Container[str] = frozenset()) -> Iterator[Finding | ScanError]:
    """``claimed``: names of handler functions other functions of the application point at."""
    root = state.cache.scan_root
    project, target, problem = resolve(fn, app, root, state.project_for)
    yield from _drain(project)
    if problem or target is None or project is None:
        loc = fn.loc("handler")
        yield ScanError(loc.file, f"{fn.name}: {problem}", ErrorKind.CODE_NOT_FOUND, loc.line, function=fn.id)
        return
    engine = state.engine_for(project)
    # many functions share a handler module: its import closure and routes are computed once
    cached = project.state.get(("closure", target.module.path))
    if cached is None:
        closure = project.closure(target.module)
        cached = (closure, framework_entries(project, closure))
        project.state[("closure", target.module.path)] = cached
    modules, routes = cached
    yield from _drain(project)
    entries: list[Entry] = []
    if target.function is not None:
        own = decorator_entry(project, target.module, target.function)
        if own is not None:  # the loader made one function of one route / Chalice event handler
            entries.append(own)
        else:
            entries.append(Entry(target.module, target.function, "handler", (0,), "handler",
                                 target.function.lineno))
            if serves_framework(project, target.module, target.function):
                entries.extend(routes)
    else:  # an app object (Mangum(app), a Chalice app): its routes, and event handlers no other function owns
        entries.extend(e for e in routes if e.kind == "route" or e.function.name not in claimed)
    for entry in entries:
        summary = engine.summary(entry.module, entry.function.name, entry.function)
        if summary is None:
            continue
        params = entry_params(entry.function, _entry_labels(entry))
        hits: list[tuple[SinkHit, Label]] = [
            (h, lab) for h in summary.hits for lab in substitute((h.label,), params, None)]
        returns = [(line, lab) for line, taint in summary.return_sites for lab in substitute(taint, params, None)]
        yield from entry_findings(app, fn, entry, hits, returns, state.shared)
    yield from _drain(project)
    yield from _lint(app, fn, modules, state)


def _lint(app: Application, fn: Function, modules: Iterable[ModuleInfo], state: CodeState) -> Iterator[Finding]:
    for mod in modules:
        if mod.path in state.linted:
            continue  # a file shared by several functions is reported once, on the first one
        state.linted.add(mod.path)
        for hit in lint_module(mod):
            meta = LINT_RULES.get(hit.rule) or TAINT_RULES["sensitive_log"]
            yield meta.finding(hit.message, Location(mod.rel, hit.line, hit.column), fn, key=hit.key,
                               application=app.name)


@register_analyzer
class CodeAnalyzer:
    name = "code"

    def rules(self) -> Iterable[RuleMeta]:
        return list(ALL_RULES)

    def analyze(self, app: Application, ctx: ScanContext) -> Iterator[Finding | ScanError]:
        state = ctx.shared.get("code")
        if not isinstance(state, CodeState):
            state = CodeState(ctx.root, ctx.shared)
            ctx.shared["code"] = state
        python = [f for f in sorted(app.functions, key=lambda f: f.id)
                  if f.language == "python" and f.package_type is not PackageType.IMAGE]
        # the entry-point names other functions of the app use (one count, not a scan per function)
        names = Counter((f.handler or "").rpartition(".")[2] for f in python)
        for fn in python:
            own = (fn.handler or "").rpartition(".")[2]
            yield from analyze_function(app, fn, state, ClaimedByOthers(names, own))
