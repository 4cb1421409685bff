"""The taint engine: per-function summaries over the Python AST, intra- and inter-procedural.

Each function is analysed once (memoised per code directory) with a symbolic label on every
parameter. The result, a :class:`Summary`, says which parameters reach the return value and which
reach a sink (with the access path and the steps in between), plus the flows from sources that
appear inside the function itself (framework request objects, data read back from a store,
exceptions, secrets). A call into another local function substitutes the caller's argument labels
into the callee's summary, so the whole analysis is one pass per function: linear-ish in code size.

Precision choices (documented in docs/code-analysis.md): flow-sensitive inside a function with
branches joined; loops run twice; objects are tainted as a whole (``obj.attr`` inherits the
object's labels); unknown library calls propagate their arguments' and receiver's labels.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from faasguard.analyzers.code import sources
from faasguard.analyzers.code.handlers import find_name
from faasguard.analyzers.code.modules import FunctionNode, ModuleInfo, Project
from faasguard.analyzers.code.sanitizers import (
    ALL,
    CLEAN_METHODS,
    VALIDATING_FUNCTIONS,
    VALIDATING_METHODS,
    clears,
)
from faasguard.analyzers.code.sinks import ANY, FUNCTION_SINKS, LOGGER_NAMES, METHOD_SINKS, SinkSpec
from faasguard.analyzers.code.typetags import CONSTRUCTOR_TYPES, ITEM_TYPES, METHOD_TYPES
from faasguard.model import ErrorKind, FlowStep, ScanError

MAX_LABELS = 8
MAX_STEPS = 10
MAX_PATH = 12
MAX_NOTE = 90
MAX_CALL_DEPTH = 40  # deeper call chains are treated as unknown library calls
_SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "cmd", "cmd.exe", "powershell", "pwsh"})
_SAFE_YAML_LOADERS = ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")
_STRUCTURING = frozenset({"json.loads", "json.load", "yaml.safe_load", "simplejson.loads", "orjson.loads",
                          "ujson.loads", "xmltodict.parse"})
_EXCEPTION_TEXT = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                             "traceback.format_exception_only", "traceback.format_stack"})


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a label was born: a parameter (symbolic) or a concrete source."""

    kind: str  # "param" | "event" | "route_param" | "chalice_event" | "framework" | "second_order"
    #            | "exception" | "secret"
    param: int = -1
    note: str = ""
    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Label:
    origin: Origin
    path: tuple[str, ...] = ()  # keys/attributes read from the origin ("*" = any index)
    steps: tuple[FlowStep, ...] = ()
    cleared: frozenset[str] = frozenset()  # sink kinds this value is safe for ("*" = all)
    structured: bool = False  # parsed client JSON (may hold dicts/operators, not just strings)

    def safe_for(self, kind: str) -> bool:
        return "*" in self.cleared or kind in self.cleared

    def __hash__(self) -> int:  # steps are left out: hashing them dominated the run time
        return hash((self.origin, self.path, self.cleared, self.structured, len(self.steps)))


Taint = frozenset[Label]
EMPTY: Taint = frozenset()


@dataclass(frozen=True, slots=True)
class SinkHit:
    kind: str
    file: str
    line: int
    column: int
    text: str
    label: Label
    confidence: str = "high"


@dataclass
class Summary:
    returns: Taint = EMPTY
    hits: list[SinkHit] = field(default_factory=list)
    return_sites: list[tuple[int, Taint]] = field(default_factory=list)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_NOTE else text[: MAX_NOTE - 3] + "..."


def _unparse(node: ast.AST) -> str:
    try:
        return _short(ast.unparse(node))
    except Exception:  # unparse of odd nodes must never break the scan
        return type(node).__name__


def normalize(labels: Iterable[Label]) -> Taint:
    """Keep one label per (origin, path, cleared, structured), the one with the fewest steps."""
    best: dict[tuple[Origin, tuple[str, ...], frozenset[str], bool], Label] = {}
    for lab in labels:
        key = (lab.origin, lab.path, lab.cleared, lab.structured)
        cur = best.get(key)
        if cur is None or len(lab.steps) < len(cur.steps):
            best[key] = lab
    if len(best) <= MAX_LABELS:
        return frozenset(best.values())
    ranked = sorted(best.values(), key=lambda x: (len(x.cleared), len(x.steps), x.origin.kind, x.path))
    return frozenset(ranked[:MAX_LABELS])


def union(*taints: Taint) -> Taint:
    present = [t for t in taints if t]
    if not present:
        return EMPTY
    if len(present) == 1:
        return present[0]
    return normalize(lab for t in present for lab in t)


def clear(taint: Taint, kinds: frozenset[str]) -> Taint:
    if not taint:
        return taint
    return normalize(replace(lab, cleared=lab.cleared | kinds) for lab in taint)


def with_step(taint: Taint, step: FlowStep) -> Taint:
    if not taint:
        return taint
    out = []
    for lab in taint:
        if len(lab.steps) >= MAX_STEPS or (lab.steps and lab.steps[-1].line == step.line
                                           and lab.steps[-1].file == step.file):
            out.append(lab)
        else:
            out.append(replace(lab, steps=lab.steps + (step,)))
    return normalize(out)


def param_names(fn: FunctionNode) -> list[str]:
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args]
    if a.vararg:
        names.append(a.vararg.arg)
    names += [x.arg for x in a.kwonlyargs]
    if a.kwarg:
        names.append(a.kwarg.arg)
    return names


def _terminates(body: Sequence[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Return | ast.Raise | ast.Continue | ast.Break)


class Engine:
    """Summaries for the functions of one code directory (shared by the functions using it)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.summaries: dict[tuple[Path, str], Summary] = {}
        self._busy: set[tuple[Path, str]] = set()
        self._global_types: dict[tuple[Path, str], str | None] = {}

    # -- summaries ------------------------------------------------------------------------
    def summary(self, module: ModuleInfo, qualname: str, fn: FunctionNode) -> Summary | None:
        """The function's summary; None when the call chain is too deep to follow (the caller
        then treats the call like an unknown library call)."""
        key = (module.path, qualname)
        done = self.summaries.get(key)
        if done is not None:
            return done
        if key in self._busy:  # recursion: assume nothing flows through this call
            return Summary()
        if len(self._busy) >= MAX_CALL_DEPTH:
            return None
        self._busy.add(key)
        try:
            cls = qualname.split(".")[0] if "." in qualname else None
            result = FunctionAnalysis(self, module, fn, cls).run()
        except RecursionError:
            result = Summary()
            self.project.errors.append(ScanError(
                module.rel, f"analysis of {qualname}() stopped: code nested too deeply", ErrorKind.UNSUPPORTED,
                fn.lineno))
        finally:
            self._busy.discard(key)
        self.summaries[key] = result
        return result

    def global_type(self, module: ModuleInfo, name: str, hops: int = 0) -> str | None:
        key = (module.path, name)
        if key in self._global_types:
            return self._global_types[key]
        self._global_types[key] = None  # guards cycles
        tag: str | None = None
        value = module.assigns.get(name)
        if value is not None:
            tag = FunctionAnalysis(self, module, None, None).type_of(value)
        elif name in module.classes:
            tag = None
        elif name in module.imports and hops < 10:
            resolved = self.project.symbol(module.imports[name], module)
            if isinstance(resolved, tuple):
                tag = self.global_type(resolved[0], resolved[1], hops + 1)
        self._global_types[key] = tag
        return tag


def substitute(summary_labels: Iterable[Label], params: Sequence[Taint], call_step: FlowStep | None) -> Taint:
    """Replace parameter labels by the caller's argument labels (paths and steps composed)."""
    out: list[Label] = []
    for lab in summary_labels:
        if lab.origin.kind != "param":
            out.append(lab)
            continue
        i = lab.origin.param
        if i < 0 or i >= len(params):
            continue
        demoted: tuple[FlowStep, ...] | None = None
        for arg in params[i]:
            callee_steps = lab.steps
            if arg.steps and lab.steps and lab.steps[0].kind == "source":
                if demoted is None:  # the caller already has the source: the callee's access is a step
                    demoted = (replace(lab.steps[0], kind="propagation"), *lab.steps[1:])
                callee_steps = demoted
            steps = arg.steps + ((call_step,) if call_step else ()) + callee_steps
            out.append(Label(arg.origin, (arg.path + lab.path)[:MAX_PATH], steps[:MAX_STEPS],
                             arg.cleared | lab.cleared, arg.structured or lab.structured))
    return normalize(out)


class FunctionAnalysis:
    """One pass over one function body."""

    def __init__(self, engine: Engine, module: ModuleInfo, fn: FunctionNode | None, cls: str | None) -> None:
        self.engine = engine
        self.project = engine.project
        self.module = module
        self.fn = fn
        self.cls = cls
        self.file = module.rel
        self.env: dict[str, Taint] = {}
        self.types: dict[str, str] = {}
        self.lists: dict[str, ast.List | ast.Tuple] = {}
        self.cleared_exprs: dict[str, frozenset[str]] = {}
        self.summary = Summary()
        self.params = param_names(fn) if fn is not None else []
        self._hit_keys: set[tuple[str, int, int, Label]] = set()

    # -- driver ------------------------------------------------------------------------------
    def run(self) -> Summary:
        assert self.fn is not None
        for i, name in enumerate(self.params):
            self.env[name] = frozenset({Label(Origin("param", i))})
            if name == "self" and self.cls:
                self.types[name] = f"local:{self.module.path}:{self.cls}"
        self.block(self.fn.body)
        self.summary.returns = normalize(self.summary.returns)
        self.summary.hits = _cap_hits(self.summary.hits)
        return self.summary

    def step(self, node: ast.AST, note: str, kind: str = "propagation") -> FlowStep:
        return FlowStep(self.file, getattr(node, "lineno", 0), _short(note), kind,
                        getattr(node, "col_offset", -1) + 1)

    def hit(self, kind: str, node: ast.AST, taint: Taint, spec_conf: str = "high") -> None:
        text = _unparse(node)
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1
        for lab in taint:
            if lab.safe_for(kind) and not kind.startswith("log"):  # log labels are judged per origin later
                continue
            key = (kind, line, col, lab)
            if key in self._hit_keys:
                continue
            self._hit_keys.add(key)
            self.summary.hits.append(SinkHit(kind, self.file, line, col, text, lab, spec_conf))

    # -- statements --------------------------------------------------------------------------
    def block(self, body: Sequence[ast.stmt]) -> bool:
        """Run statements in order; True when the block always leaves (return/raise)."""
        return any(self.stmt(stmt) for stmt in body)

    def merge(self, envs: list[dict[str, Taint]]) -> None:
        if not envs:
            return
        keys = set().union(*envs)
        self.env = {k: union(*(e.get(k, EMPTY) for e in envs)) for k in keys}

    def stmt(self, node: ast.stmt) -> bool:  # noqa: C901 - one dispatch over statement kinds
        if isinstance(node, ast.Assign):
            value = self.ev(node.value)
            for target in node.targets:
                self.assign(target, value, node.value, node)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.ev(node.value), node.value, node)
        elif isinstance(node, ast.AugAssign):
            value = union(self.ev(node.target), self.ev(node.value))
            self.assign(node.target, value, node.value, node)
        elif isinstance(node, ast.Expr):
            self.ev(node.value)
        elif isinstance(node, ast.Return):
            value = self.ev(node.value) if node.value is not None else EMPTY
            if value:
                value = with_step(value, self.step(node, "returned"))
            self.summary.returns = union(self.summary.returns, value)
            self.summary.return_sites.append((node.lineno, value))
            return True
        elif isinstance(node, ast.Raise):
            if node.exc is not None:
                self.ev(node.exc)
            return True
        elif isinstance(node, ast.If):
            return self.if_(node.test, node.body, node.orelse)
        elif isinstance(node, ast.Assert):
            then_clear, _ = self.guard(node.test)
            self.ev(node.test)
            self.apply_clears(then_clear)
        elif isinstance(node, ast.For | ast.AsyncFor):
            self.loop(node.target, node.iter, node.body, node.orelse, node)
        elif isinstance(node, ast.While):
            self.ev(node.test)
            before = dict(self.env)
            for _ in range(2):
                self.block(node.body)
            self.merge([before, self.env])
            self.block(node.orelse)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                value = self.ev(item.context_expr)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, value, item.context_expr, node)
            return self.block(node.body)
        elif isinstance(node, ast.Try | ast.TryStar):
            return self.try_(node)
        elif isinstance(node, ast.Match):
            subject = self.ev(node.subject)
            before = dict(self.env)
            envs = []
            for case in node.cases:
                self.env = dict(before)
                for name in _pattern_names(case.pattern):
                    self.env[name] = subject
                if not self.block(case.body):
                    envs.append(self.env)
            self.merge(envs + [before])
        elif isinstance(node, ast.Delete | ast.Pass | ast.Break | ast.Continue | ast.Global | ast.Nonlocal
                        | ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return isinstance(node, ast.Break | ast.Continue)
        return False

    def try_(self, node: ast.Try | ast.TryStar) -> bool:
        before = dict(self.env)
        body_leaves = self.block(node.body)
        after_body = dict(self.env)
        if not body_leaves:
            self.block(node.orelse)
        envs = [] if body_leaves else [dict(self.env)]
        for handler in node.handlers:
            self.env = {k: union(before.get(k, EMPTY), after_body.get(k, EMPTY))
                        for k in set(before) | set(after_body)}
            if handler.name:
                origin = Origin("exception", note=f"exception {handler.name}", file=self.file, line=handler.lineno)
                self.env[handler.name] = frozenset({Label(origin, steps=(
                    self.step(handler, f"except ... as {handler.name}", "source"),))})
            if not self.block(handler.body):
                envs.append(dict(self.env))
        leaves = not envs
        self.merge(envs or [after_body])
        if node.finalbody and self.block(node.finalbody):
            return True
        return leaves

    def loop(self, target: ast.expr, iter_: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt],
             node: ast.stmt) -> None:
        items = self.element(self.ev(iter_), iter_)
        before = dict(self.env)
        for _ in range(2):
            self.assign(target, items, iter_, node)
            self.block(body)
        self.merge([before, self.env])
        self.block(orelse)

    def element(self, taint: Taint, node: ast.AST) -> Taint:
        """Labels of one element of an iterated value (path gets ``*``)."""
        if not taint:
            return taint
        return normalize(replace(lab, path=(lab.path + ("*",))[:MAX_PATH]) for lab in taint)

    def if_(self, test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt]) -> bool:
        self.ev(test)
        then_clear, else_clear = self.guard(test)
        before = dict(self.env)
        self.apply_clears(then_clear)
        saved_exprs = dict(self.cleared_exprs)
        then_leaves = self.block(body)
        then_env = self.env
        self.cleared_exprs = saved_exprs
        self.env = dict(before)
        self.apply_clears(else_clear)
        else_leaves = self.block(orelse)
        else_env = self.env
        envs = [e for e, leaves in ((then_env, then_leaves), (else_env, else_leaves)) if not leaves]
        if not envs:
            return True
        self.merge(envs)
        if then_leaves and not else_leaves:
            self.apply_clears(else_clear)  # `if bad(x): return` -> x is checked from here on
        elif else_leaves and not then_leaves:
            self.apply_clears(then_clear)
        return False

    def apply_clears(self, clears_: list[tuple[ast.expr, frozenset[str]]]) -> None:
        for expr, kinds in clears_:
            if isinstance(expr, ast.Name):
                if expr.id in self.env:
                    self.env[expr.id] = clear(self.env[expr.id], kinds)
            else:
                text = _unparse(expr)
                self.cleared_exprs[text] = self.cleared_exprs.get(text, frozenset()) | kinds

    def guard(self, test: ast.expr) -> tuple[list[tuple[ast.expr, frozenset[str]]],
                                             list[tuple[ast.expr, frozenset[str]]]]:
        """What an if/assert condition proves on each branch: (then, else) cleared expressions."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            then_c, else_c = self.guard(test.operand)
            return else_c, then_c
        if isinstance(test, ast.BoolOp):
            parts = [self.guard(v) for v in test.values]
            if isinstance(test.op, ast.And):
                return [c for p in parts for c in p[0]], []
            return [], [c for p in parts for c in p[1]]
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op, right, left = test.ops[0], test.comparators[0], test.left
            if isinstance(op, ast.In | ast.NotIn) and not self.ev(right):
                # x in ALLOWED -> x is one of our own values
                subjects = [(e, ALL) for e in _subjects(left)]
                if isinstance(left, ast.Constant) and isinstance(left.value, str) and left.value in ("..", "/"):
                    # ".." in x -> on the other branch x has no parent references
                    subjects = [(e, frozenset({"path"})) for e in _subjects(right)]
                    return (subjects, []) if isinstance(op, ast.NotIn) else ([], subjects)
                return (subjects, []) if isinstance(op, ast.In) else ([], subjects)
            if isinstance(op, ast.In | ast.NotIn) and isinstance(left, ast.Constant) and left.value in ("..", "/"):
                subjects = [(e, frozenset({"path"})) for e in _subjects(right)]
                return (subjects, []) if isinstance(op, ast.NotIn) else ([], subjects)
            if isinstance(op, ast.Eq | ast.NotEq | ast.Is | ast.IsNot) and isinstance(right, ast.Constant) \
                    and right.value is not None:
                subjects = [(e, ALL) for e in _subjects(left)]
                return (subjects, []) if isinstance(op, ast.Eq | ast.Is) else ([], subjects)
        if isinstance(test, ast.Call):
            q = self.qual(test.func)
            if q in VALIDATING_FUNCTIONS and len(test.args) >= 2 and isinstance(test.args[0], ast.Constant):
                return [(e, ALL) for e in _subjects(test.args[1])], []
            if isinstance(test.func, ast.Attribute) and test.func.attr in VALIDATING_METHODS:
                return [(e, ALL) for e in _subjects(test.func.value)], []
            return self.helper_guard(test)
        return [], []

    def helper_guard(self, test: ast.Call) -> tuple[list[tuple[ast.expr, frozenset[str]]],
                                                   list[tuple[ast.expr, frozenset[str]]]]:
        """``if not is_allowed(x): return`` where the local helper's body is ``return <check of
        its parameter>``: the caller's argument is checked the same way."""
        local = self.local_callable(test.func)
        if local is None or local[2] != "function" or self.fn is None:
            return [], []
        mod, qualname, _ = local
        fn = mod.functions[qualname]
        body = [b for b in fn.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            return [], []
        names = param_names(fn)
        callee = FunctionAnalysis(self.engine, mod, fn, None)
        for i, name in enumerate(names):
            callee.env[name] = frozenset({Label(Origin("param", i))})
        then_c, else_c = callee.guard(body[0].value)

        def to_caller(clears_: list[tuple[ast.expr, frozenset[str]]]) -> list[tuple[ast.expr, frozenset[str]]]:
            out: list[tuple[ast.expr, frozenset[str]]] = []
            for expr, kinds in clears_:
                if isinstance(expr, ast.Name) and expr.id in names:
                    i = names.index(expr.id)
                    arg = test.args[i] if i < len(test.args) else next(
                        (kw.value for kw in test.keywords if kw.arg == expr.id), None)
                    if arg is not None:
                        out.extend((e, kinds) for e in _subjects(arg))
            return out

        return to_caller(then_c), to_caller(else_c)

    # -- assignment ---------------------------------------------------------------------------
    def assign(self, target: ast.expr, value: Taint, value_node: ast.expr, stmt: ast.AST) -> None:
        if isinstance(target, ast.Name):
            if value:
                value = with_step(value, self.step(stmt, f"{target.id} = {_unparse(value_node)}"))
            self.env[target.id] = value
            tag = self.type_of(value_node)
            if tag:
                self.types[target.id] = tag
            else:
                self.types.pop(target.id, None)
            if isinstance(value_node, ast.List | ast.Tuple):
                self.lists[target.id] = value_node
            else:
                self.lists.pop(target.id, None)
        elif isinstance(target, ast.Tuple | ast.List):
            if isinstance(value_node, ast.Tuple | ast.List) and len(value_node.elts) == len(target.elts):
                for t, v in zip(target.elts, value_node.elts, strict=False):
                    self.assign(t, self.ev(v), v, stmt)
            else:
                part = self.element(value, value_node)
                for t in target.elts:
                    self.assign(t.value if isinstance(t, ast.Starred) else t, part, value_node, stmt)
        elif isinstance(target, ast.Attribute):
            key = _unparse(target)
            self.env[key] = value
            tag = self.type_of(value_node)
            if tag:
                self.types[key] = tag
        elif isinstance(target, ast.Subscript):
            self.response_header(target, value, stmt)
            base = target.value
            if isinstance(base, ast.Name):  # d["k"] = tainted -> d holds it (weak update)
                self.env[base.id] = union(self.env.get(base.id, EMPTY), value)
            else:
                key = _unparse(base)
                self.env[key] = union(self.env.get(key, EMPTY), value)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, value_node, stmt)

    def response_header(self, target: ast.Subscript, value: Taint, stmt: ast.AST) -> None:
        """``resp.headers["Location"] = x`` in Flask/Starlette/Chalice responses."""
        if not value or not (isinstance(target.value, ast.Attribute) and target.value.attr == "headers"):
            return
        owner = target.value.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            return  # an object filling in its own headers (an HTTP client's request), not a response
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            self.hit("redirect" if key.value.lower() == "location" else "header", stmt, value)

    # -- expressions ----------------------------------------------------------------------------
    def ev(self, node: ast.expr | None) -> Taint:  # noqa: C901 - one dispatch over expression kinds
        if node is None or isinstance(node, ast.Constant):
            return EMPTY
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.JoinedStr):
            return union(*(self.ev(v) for v in node.values))
        if isinstance(node, ast.FormattedValue):
            return self.ev(node.value)
        if isinstance(node, ast.BinOp):
            return union(self.ev(node.left), self.ev(node.right))
        if isinstance(node, ast.BoolOp):
            return union(*(self.ev(v) for v in node.values))
        if isinstance(node, ast.Compare):
            self.ev(node.left)
            for c in node.comparators:
                self.ev(c)
            return EMPTY
        if isinstance(node, ast.UnaryOp):
            inner = self.ev(node.operand)
            return EMPTY if isinstance(node.op, ast.Not) else inner
        if isinstance(node, ast.IfExp):
            self.ev(node.test)
            return union(self.ev(node.body), self.ev(node.orelse))
        if isinstance(node, ast.Dict):
            return self.dict_(node)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return union(*(self.ev(e) for e in node.elts))
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return self.comprehension(node)
        if isinstance(node, ast.Starred):
            return self.ev(node.value)
        if isinstance(node, ast.NamedExpr):
            value = self.ev(node.value)
            self.assign(node.target, value, node.value, node)
            return value
        if isinstance(node, ast.Await | ast.Yield | ast.YieldFrom):
            return self.ev(node.value)
        if isinstance(node, ast.Slice):
            return EMPTY
        return EMPTY

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> Taint:
        saved = dict(self.env)
        for gen in node.generators:
            self.assign(gen.target, self.element(self.ev(gen.iter), gen.iter), gen.iter, node)
            for cond in gen.ifs:
                self.ev(cond)
        out = union(self.ev(node.key), self.ev(node.value)) if isinstance(node, ast.DictComp) else self.ev(node.elt)
        self.env = saved
        return out

    def dict_(self, node: ast.Dict) -> Taint:
        values: list[Taint] = []
        keys: dict[str, int] = {}
        for i, (k, v) in enumerate(zip(node.keys, node.values, strict=False)):
            values.append(union(self.ev(k) if k is not None else EMPTY, self.ev(v)))
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                keys[k.value] = i
                if k.value.lower() == "location" and values[i]:
                    self.hit("redirect", v, values[i])
        if "statusCode" in keys:  # a Lambda proxy response: its headers go to the client
            for hkey in ("headers", "multiValueHeaders"):
                idx = keys.get(hkey)
                hdrs = node.values[idx] if idx is not None else None
                if isinstance(hdrs, ast.Dict):
                    for hk, hv in zip(hdrs.keys, hdrs.values, strict=False):
                        if isinstance(hk, ast.Constant) and isinstance(hk.value, str) \
                                and hk.value.lower() != "location":
                            t = self.ev(hv)
                            if t:
                                self.hit("header", hv, t)
        return union(*values)

    def name(self, node: ast.Name) -> Taint:
        if node.id in self.env:
            return self.env[node.id]
        target = self.module.imports.get(node.id)
        if target in sources.FRAMEWORK_REQUEST_NAMES:
            return self.framework_source(node, target)
        return EMPTY

    def framework_source(self, node: ast.AST, what: str) -> Taint:
        origin = Origin("framework", note=what, file=self.file, line=getattr(node, "lineno", 0))
        return frozenset({Label(origin)})

    def extend(self, taint: Taint, key: str, node: ast.AST) -> Taint:
        if not taint:
            return taint
        text = _unparse(node)
        out = []
        for lab in taint:
            steps = lab.steps
            line = getattr(node, "lineno", 0)
            if not steps or (steps[-1].kind == "source" and steps[-1].line == line):
                steps = (*steps[:-1], self.step(node, text, "source")) if steps else (self.step(node, text, "source"),)
            out.append(replace(lab, path=(lab.path + (key,))[:MAX_PATH], steps=steps))
        result = normalize(out)
        if self.cleared_exprs:
            kinds = self.cleared_exprs.get(text)
            if kinds:
                result = clear(result, kinds)
        return result

    def attribute(self, node: ast.Attribute) -> Taint:
        key = _unparse(node)
        if key in self.env:
            return self.env[key]
        base_type = self.type_of(node.value)
        attr = sources.FRAMEWORK_REQUEST_ATTRS.get(base_type or "")
        if attr is not None and node.attr == attr:
            return self.framework_source(node, f"{base_type}.{attr}")
        if attr is not None and node.attr != attr:
            return EMPTY
        base = self.ev(node.value)
        if not base:
            return EMPTY
        out = self.extend(base, node.attr, node)
        if node.attr in ("json", "json_body"):  # framework request bodies parsed from JSON
            out = normalize(replace(lab, structured=True) for lab in out)
        return out

    def subscript(self, node: ast.Subscript) -> Taint:
        self.ev(node.slice)
        base_q = self.qual(node.value)
        if base_q == "os.environ":
            return self.env_secret(node, node.slice)
        base = self.ev(node.value)
        if not base:
            return EMPTY
        sl = node.slice
        if isinstance(sl, ast.Constant) and isinstance(sl.value, str):
            return self.extend(base, sl.value, node)
        if isinstance(sl, ast.Slice):
            return base
        return self.extend(base, "*", node)

    def env_secret(self, node: ast.AST, key: ast.expr | None) -> Taint:
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and sources.SECRET_NAME.search(key.value):
            origin = Origin("secret", note=f"environment variable {key.value}", file=self.file,
                            line=getattr(node, "lineno", 0))
            return frozenset({Label(origin, steps=(self.step(node, _unparse(node), "source"),))})
        return EMPTY

    # -- names and types ------------------------------------------------------------------------
    def qual(self, expr: ast.expr) -> str | None:
        """Qualified name of a module-level callable (``subprocess.run``), None for objects."""
        parts: list[str] = []
        node = expr
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        name = node.id
        if name in self.env or name in self.types:
            return None
        if name in self.module.imports:
            base = self.module.imports[name]
        elif name in self.module.assigns:
            return None
        else:
            base = name
        return ".".join([base, *reversed(parts)])

    def type_of(self, node: ast.expr) -> str | None:  # noqa: C901 - a table walk
        if isinstance(node, ast.Name):
            if node.id in self.types:
                return self.types[node.id]
            if node.id in self.env:
                return None
            if node.id in self.module.assigns or node.id in self.module.imports:
                return self.engine.global_type(self.module, node.id)
            return None
        if isinstance(node, ast.Attribute):
            key = _unparse(node)
            if key in self.types:
                return self.types[key]
            base = self.type_of(node.value)
            return ITEM_TYPES.get(base or "")
        if isinstance(node, ast.Subscript):
            return ITEM_TYPES.get(self.type_of(node.value) or "")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return "path" if self.type_of(node.left) == "path" else None
        if isinstance(node, ast.List | ast.ListComp):
            return "list"
        if isinstance(node, ast.Await):
            return self.type_of(node.value)
        if not isinstance(node, ast.Call):
            return None
        q = self.qual(node.func)
        if q is not None:
            if q in ("boto3.client", "boto3.resource"):
                svc = _service(node)
                return f"{'boto3' if q.endswith('client') else 'boto3r'}:{svc}"
            if q == "lxml.etree.XMLParser":
                safe = any(kw.arg == "resolve_entities" and isinstance(kw.value, ast.Constant)
                           and kw.value.value is False for kw in node.keywords)
                return "lxml.safe_parser" if safe else "lxml.parser"
            if q == "aws_lambda_powertools.Logger" or q.endswith("logging.Logger") or q.startswith("structlog"):
                return "logger.json"
            tag = CONSTRUCTOR_TYPES.get(q)
            if tag:
                return tag
            local = self.local_callable(node.func)
            if local is not None and local[2] == "class":
                return f"local:{local[0].path}:{local[1]}"
            return None
        if isinstance(node.func, ast.Attribute):
            base = self.type_of(node.func.value)
            if base is None:
                return None
            if base == "boto3.session" and node.func.attr in ("client", "resource"):
                return f"{'boto3' if node.func.attr == 'client' else 'boto3r'}:{_service(node)}"
            if base == "tar" or (base == "path" and node.func.attr in ("parent",)):
                return base
            return METHOD_TYPES.get((base, node.func.attr))
        return None

    def local_callable(self, func: ast.expr) -> tuple[ModuleInfo, str, str] | None:
        """(module, qualname, "function"|"class"|"method") for calls into the code directory."""
        if isinstance(func, ast.Name):
            name = func.id
            if name in self.env:
                return None
            return self._lookup(self.module, name)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            base = func.value.id
            if base in ("self", "cls") and self.cls:
                return self._method(self.module, self.cls, func.attr)
            if base not in self.env and base in self.module.imports:
                resolved = self.project.symbol(self.module.imports[base], self.module)
                if isinstance(resolved, ModuleInfo):
                    return self._lookup(resolved, func.attr)
        if isinstance(func, ast.Attribute):
            tag = self.type_of(func.value)
            if tag and tag.startswith("local:"):
                _, path, cls = tag.split(":", 2)
                mod = self.project.load(Path(path))
                if mod is not None:
                    return self._method(mod, cls, func.attr)
        return None

    def _method(self, mod: ModuleInfo, cls: str, name: str, depth: int = 0) -> tuple[ModuleInfo, str, str] | None:
        if f"{cls}.{name}" in mod.functions:
            return mod, f"{cls}.{name}", "method"
        node = mod.classes.get(cls)
        if node is None or depth > 5:
            return None
        for base in node.bases:  # inherited from a base class of the same module
            if isinstance(base, ast.Name) and base.id in mod.classes:
                found = self._method(mod, base.id, name, depth + 1)
                if found:
                    return found
        return None

    def _lookup(self, mod: ModuleInfo, name: str) -> tuple[ModuleInfo, str, str] | None:
        if name in mod.functions and "." not in name:
            return mod, name, "function"
        if name in mod.classes:
            return mod, name, "class"
        if name in mod.imports:
            target = find_name(self.project, mod, name)
            if target is not None and target.function is not None:
                return target.module, target.name, "function"
            resolved = self.project.symbol(mod.imports[name], mod)
            if isinstance(resolved, tuple) and resolved[1] in resolved[0].classes:
                return resolved[0], resolved[1], "class"
        return None

    # -- calls ----------------------------------------------------------------------------------
    def call(self, node: ast.Call) -> Taint:  # noqa: C901 - the heart of the engine
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        recv = self.ev(func.value) if isinstance(func, ast.Attribute) else EMPTY
        args = [self.ev(a.value if isinstance(a, ast.Starred) else a) for a in node.args]
        kwargs: dict[str, Taint] = {}
        for kw in node.keywords:
            t = self.ev(kw.value)
            kwargs[kw.arg or "**"] = union(kwargs.get(kw.arg or "**", EMPTY), t)
        q = self.qual(func)
        recv_type = self.type_of(func.value) if isinstance(func, ast.Attribute) else None

        sunk = self.check_sinks(node, q, method, recv, recv_type, args, kwargs)

        # sources
        if q in _EXCEPTION_TEXT:
            origin = Origin("exception", note=q, file=self.file, line=node.lineno)
            return frozenset({Label(origin, steps=(self.step(node, _unparse(node), "source"),))})
        if q in ("os.getenv", "os.environ.get"):
            return self.env_secret(node, node.args[0] if node.args else None)
        if method in sources.SECRET_METHODS and recv_type in ("boto3:secretsmanager", "boto3:ssm", None) \
                and (method == "get_secret_value" or recv_type == "boto3:ssm"):
            origin = Origin("secret", note=sources.SECRET_METHODS[method], file=self.file, line=node.lineno)
            return frozenset({Label(origin, steps=(self.step(node, _unparse(node), "source"),))})
        if method in sources.SECOND_ORDER_METHODS and recv_type in sources.SECOND_ORDER_RECEIVERS:
            origin = Origin("second_order", note=sources.SECOND_ORDER_METHODS[method], file=self.file,
                            line=node.lineno)
            return frozenset({Label(origin, steps=(self.step(node, _unparse(node), "source"),))})
        if method == "get" and recv_type == "s3.object":
            origin = Origin("second_order", note="S3 object read back", file=self.file, line=node.lineno)
            return frozenset({Label(origin, steps=(self.step(node, _unparse(node), "source"),))})

        everything = union(recv, *args, *kwargs.values())
        # sanitizers
        if q is not None:
            kinds = clears(q)
            if kinds is not None:
                return EMPTY if kinds == ALL else clear(everything, kinds)
        if isinstance(func, ast.Attribute) and self.condition_object(func):
            return clear(everything, frozenset({"nosql"}))
        if method in CLEAN_METHODS:
            return EMPTY

        # calls into the code directory
        local = self.local_callable(func)
        if local is not None:
            return union(self.call_local(node, local, recv, args, kwargs), sunk)

        if not everything:
            return EMPTY
        result = everything
        if q in _STRUCTURING or method in ("get_json",):
            result = normalize(replace(lab, structured=True) for lab in result)
        elif q == "str":
            result = normalize(replace(lab, structured=False) for lab in result)
        elif q == "getattr" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
            result = self.extend(args[0], str(node.args[1].value), node)
        elif method in ("get", "pop", "setdefault", "getlist") and recv and node.args:
            key = node.args[0]
            k = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else "*"
            result = union(self.extend(recv, k, node), *args[1:])
        if sunk:
            result = union(result, sunk)
        return result

    def condition_object(self, func: ast.Attribute) -> bool:
        """``Key("id").eq(x)`` / ``Attr(...).begins_with(...)``: DynamoDB condition objects."""
        node: ast.expr = func.value
        while isinstance(node, ast.Call | ast.Attribute):
            if isinstance(node, ast.Call):
                q = self.qual(node.func)
                if q in ("boto3.dynamodb.conditions.Key", "boto3.dynamodb.conditions.Attr"):
                    return True
                node = node.func
            else:
                node = node.value
        return False

    def call_local(self, node: ast.Call, local: tuple[ModuleInfo, str, str], recv: Taint,
                   args: list[Taint], kwargs: dict[str, Taint]) -> Taint:
        mod, qualname, kind = local
        if kind == "class":
            init = mod.functions.get(f"{qualname}.__init__")
            if init is None:
                return union(*args, *kwargs.values())
            fn, qualname = init, f"{qualname}.__init__"
            bound: list[Taint] = [EMPTY, *args]
        else:
            fn = mod.functions[qualname]
            is_method = kind == "method" and fn.args.args and fn.args.args[0].arg in ("self", "cls")
            bound = [recv, *args] if is_method else list(args)
        summary = self.engine.summary(mod, qualname, fn)
        if summary is None:
            return union(recv, *args, *kwargs.values())
        params = _bind(fn, bound, kwargs)
        call_step = self.step(node, f"call {qualname}() in {mod.rel}")
        for h in summary.hits:
            for lab in substitute((h.label,), params, call_step):
                key = (h.kind, h.line, h.column, lab)
                if key not in self._hit_keys:
                    self._hit_keys.add(key)
                    self.summary.hits.append(replace(h, label=lab))
        if kind == "class":  # the new object carries what was passed in
            return union(*args, *kwargs.values())
        return substitute(summary.returns, params, call_step)

    # -- sinks ----------------------------------------------------------------------------------
    def check_sinks(self, node: ast.Call, q: str | None, method: str | None, recv: Taint, recv_type: str | None,
                    args: list[Taint], kwargs: dict[str, Taint]) -> Taint:
        specs: list[SinkSpec] = []
        if q is not None and q in FUNCTION_SINKS:
            specs.append(FUNCTION_SINKS[q])
        elif method is not None and method in METHOD_SINKS:
            for types, spec in METHOD_SINKS[method]:
                if types is None or recv_type in types or (
                        "logger" in types and (recv_type == "logger.json" or _receiver_name(node) in LOGGER_NAMES)):
                    specs.append(spec)
        reached = EMPTY
        for spec in specs:
            taint = self.sink_taint(node, spec, q, recv, recv_type, args, kwargs)
            if not taint:
                continue
            kind = spec.kind
            if kind == "log" and (recv_type == "logger.json"):
                kind = "log.json"
            self.hit(kind, node, taint, spec.confidence)
            reached = union(reached, taint)
        # the value a sink returns was already reported at the sink: don't report it again
        return clear(reached, frozenset(s.kind for s in specs)) if reached else EMPTY

    def sink_taint(self, node: ast.Call, spec: SinkSpec, q: str | None, recv: Taint, recv_type: str | None,
                   args: list[Taint], kwargs: dict[str, Taint]) -> Taint:  # noqa: C901
        check = spec.check
        if check == "receiver":
            return recv
        if check == "tar_extract":
            return EMPTY if "filter" in kwargs else recv
        if check == "sql_receiver" and recv_type is not None and (
                recv_type.startswith(("boto3", "mongo", "requests", "httpx", "ddb")) or recv_type == "path"):
            return EMPTY
        if check == "dynamodb":
            if recv_type is not None and recv_type not in ("boto3:dynamodb", "ddb.table"):
                return EMPTY
            return self.dynamodb_taint(node, kwargs)
        if check == "mongo":
            self.mongo_taint(node, args, kwargs)
            return EMPTY
        taint = EMPTY
        if check != "kwargs_only":
            positions = range(len(args)) if ANY in spec.args else spec.args
            taint = union(*(args[i] for i in positions if i < len(args)))
        taint = union(taint, *(kwargs[k] for k in spec.kwargs if k in kwargs))
        if not taint:
            return EMPTY
        if check == "subprocess" or check == "argv":
            return taint if self.command_reachable(node, check) else EMPTY
        if check == "yaml_load":
            loader = next((kw.value for kw in node.keywords if kw.arg == "Loader"),
                          node.args[1] if len(node.args) > 1 else None)
            if loader is not None and (self.qual(loader) or _unparse(loader)).endswith(_SAFE_YAML_LOADERS):
                return EMPTY
        if spec.kind == "ssrf" and _fixed_host(node.args[spec.args[0]] if check != "kwargs_only" and spec.args
                                               and len(node.args) > spec.args[0] else
                                               next((kw.value for kw in node.keywords if kw.arg == "url"), None)):
            return EMPTY
        if check == "lxml":
            parser = next((kw.value for kw in node.keywords if kw.arg == "parser"),
                          node.args[1] if len(node.args) > 1 else None)
            if parser is not None and self.type_of(parser) == "lxml.safe_parser":
                return EMPTY
        return taint

    def command_reachable(self, node: ast.Call, check: str) -> bool:
        """A tainted command runs when it goes through a shell or is the program itself."""
        shell = next((kw.value for kw in node.keywords if kw.arg == "shell"), None)
        if check == "subprocess" and shell is not None and not (
                isinstance(shell, ast.Constant) and not shell.value):
            return True
        first = node.args[0] if node.args else next((kw.value for kw in node.keywords if kw.arg in ("args", "argv")),
                                                    None)
        if first is None:
            return False
        if check == "argv" and q_is_spawn(node):
            first = node.args[1] if len(node.args) > 1 else first
        elts = None
        if isinstance(first, ast.List | ast.Tuple):
            elts = first.elts
        elif isinstance(first, ast.Name) and first.id in self.lists:
            elts = self.lists[first.id].elts
        elif isinstance(first, ast.Name) and self.types.get(first.id) == "list":
            return False  # an argument vector built elsewhere: no shell, program unknown to us
        if elts is None:
            return True  # a string command (or something we can't see into)
        if not elts:
            return False
        if self.ev(elts[0]):
            return True  # the program itself comes from the client
        head = elts[0].value if isinstance(elts[0], ast.Constant) else None
        if head in _SHELLS and len(elts) >= 3 and isinstance(elts[1], ast.Constant) \
                and str(elts[1].value) in ("-c", "/c", "-Command"):
            return any(self.ev(e) for e in elts[2:])
        return False

    def dynamodb_taint(self, node: ast.Call, kwargs: dict[str, Taint]) -> Taint:
        out = EMPTY
        for kw in node.keywords:
            if kw.arg in ("ScanFilter", "QueryFilter", "KeyConditions", "Expected"):
                for sub in ast.walk(kw.value):
                    if isinstance(sub, ast.Dict):
                        for k, v in zip(sub.keys, sub.values, strict=False):
                            if isinstance(k, ast.Constant) and k.value == "ComparisonOperator":
                                out = union(out, self.ev(v))
            elif kw.arg in ("KeyConditionExpression", "FilterExpression", "ProjectionExpression",
                            "ConditionExpression", "UpdateExpression", "TableName"):
                out = union(out, kwargs.get(kw.arg, EMPTY))
        return out

    def mongo_taint(self, node: ast.Call, args: list[Taint], kwargs: dict[str, Taint]) -> Taint:
        """pymongo filters: ``$where`` code from the client, or filters holding parsed client JSON
        (which may carry operators such as ``{"$ne": null}``). Structure is decided once the
        labels reach an entry point, so parameter labels are kept here with kind nosql.structured."""
        first = node.args[0] if node.args else next(
            (kw.value for kw in node.keywords if kw.arg in ("filter", "pipeline")), None)
        if first is None:
            return EMPTY
        code = EMPTY
        data = EMPTY
        if isinstance(first, ast.Dict):
            for k, v in zip(first.keys, first.values, strict=False):
                t = self.ev(v)
                if isinstance(k, ast.Constant) and k.value in ("$where", "$function", "$accumulator"):
                    code = union(code, t)
                else:
                    data = union(data, t)
        else:
            data = args[0] if node.args else union(*(kwargs.get(k, EMPTY) for k in ("filter", "pipeline")))
        if code:
            self.hit("nosql", node, code)
        structured = frozenset(lab for lab in data if lab.structured or lab.origin.kind == "param")
        if structured:
            self.hit("nosql.structured", node, structured)
        return union(code, structured)


_FIXED_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#{}%]+[/?#]")


def _fixed_host(url: ast.expr | None) -> bool:
    """A URL whose scheme and host are constant text: the client picks only the path or query."""
    head: ast.expr | None = url
    while isinstance(head, ast.BinOp) and isinstance(head.op, ast.Add | ast.Mod):
        head = head.left
    if isinstance(head, ast.JoinedStr):
        head = head.values[0] if head.values else None
    if isinstance(head, ast.Call) and isinstance(head.func, ast.Attribute) and head.func.attr == "format":
        head = head.func.value
    return isinstance(head, ast.Constant) and isinstance(head.value, str) and bool(_FIXED_HOST.match(head.value))


def _cap_hits(hits: list[SinkHit]) -> list[SinkHit]:
    """At most MAX_LABELS labels per sink site, the most general access paths first, so summaries
    stay small however many ways a value can reach the same sink."""
    by_site: dict[tuple[str, str, int, int], list[SinkHit]] = {}
    for h in hits:
        by_site.setdefault((h.kind, h.file, h.line, h.column), []).append(h)
    out: list[SinkHit] = []
    for group in by_site.values():
        if len(group) <= MAX_LABELS:
            out.extend(group)
            continue
        seen: set[tuple[Origin, tuple[str, ...], frozenset[str], bool]] = set()
        ranked = sorted(group, key=lambda h: (len(h.label.path), len(h.label.cleared), len(h.label.steps)))
        kept = 0
        for h in ranked:
            key = (h.label.origin, h.label.path, h.label.cleared, h.label.structured)
            if key in seen:
                continue
            seen.add(key)
            out.append(h)
            kept += 1
            if kept >= MAX_LABELS:
                break
    return out


def q_is_spawn(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr.startswith("spawn")


def _receiver_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        v = func.value
        if isinstance(v, ast.Name):
            return v.id
        if isinstance(v, ast.Attribute):
            return v.attr
    return None


def _service(node: ast.Call) -> str:
    if node.args and isinstance(node.args[0], ast.Constant):
        return str(node.args[0].value)
    for kw in node.keywords:
        if kw.arg == "service_name" and isinstance(kw.value, ast.Constant):
            return str(kw.value.value)
    return "?"


def _subjects(expr: ast.expr) -> list[ast.expr]:
    """The variables (or access expressions) a condition is about."""
    root = expr
    while isinstance(root, ast.Attribute | ast.Subscript):
        root = root.value
    if isinstance(root, ast.Name):
        out: list[ast.expr] = [expr]
        return out
    found: list[ast.expr] = [n for n in ast.walk(expr) if isinstance(n, ast.Name)]
    return found


def _pattern_names(pattern: ast.pattern) -> list[str]:
    return [n.name for n in ast.walk(pattern) if isinstance(n, ast.MatchAs | ast.MatchStar) and n.name]


def _bind(fn: FunctionNode, positional: list[Taint], kwargs: dict[str, Taint]) -> list[Taint]:
    """Parameter taints in the order of ``param_names``."""
    a = fn.args
    pos_names = [x.arg for x in a.posonlyargs + a.args]
    out: list[Taint] = []
    for i, name in enumerate(pos_names):
        out.append(positional[i] if i < len(positional) else kwargs.get(name, EMPTY))
    if a.vararg:
        out.append(union(*positional[len(pos_names):]))
    for x in a.kwonlyargs:
        out.append(kwargs.get(x.arg, EMPTY))
    if a.kwarg:
        known = set(pos_names) | {x.arg for x in a.kwonlyargs}
        out.append(union(*(t for k, t in kwargs.items() if k not in known)))
    return out


def entry_params(fn: FunctionNode, labels: dict[int, Taint]) -> list[Taint]:
    return [labels.get(i, EMPTY) for i in range(len(param_names(fn)))]
