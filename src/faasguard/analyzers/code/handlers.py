"""Handler resolution: from ``Function.handler`` + ``code_path`` to the Python function (or app
object) Lambda calls, following re-exports; and the framework entry points behind it (Flask via
serverless-wsgi, FastAPI/Starlette via Mangum, Powertools resolvers, Chalice)."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faasguard.analyzers.code.modules import FunctionNode, ModuleInfo, Project
from faasguard.analyzers.code.typetags import CONSTRUCTOR_TYPES, FRAMEWORK_APPS, ROUTE_DECORATORS
from faasguard.model import Application, Function

_ARCHIVES = (".zip", ".jar", ".tar", ".gz", ".whl")
_WSGI_HANDLERS = {"wsgi_handler.handler", "wsgi.handler", "serverless_wsgi.handler"}
_MAX_HOPS = 12


@dataclass(frozen=True)
class HandlerTarget:
    module: ModuleInfo
    name: str
    function: FunctionNode | None  # the handler is a plain function
    value: ast.expr | None  # or a module-level object (Mangum(app), a Chalice app)


@dataclass(frozen=True)
class Entry:
    """A function the platform calls with client data: the handler, or a framework route."""

    module: ModuleInfo
    function: FunctionNode
    kind: str  # "handler" | "route" | "chalice_event"
    tainted_params: tuple[int, ...]
    label: str  # "GET /items/<id>", "handler", "on_s3_event"
    line: int
    structured_params: tuple[int, ...] = ()


def code_roots(fn: Function, app: Application, scan_root: Path) -> tuple[tuple[Path, ...], str | None]:
    """The directories Lambda puts on sys.path for this function, or an error reason."""
    rel = fn.code_path if fn.code_path not in (None, "") else app.root
    try:
        base = (scan_root / (rel or ".")).resolve()
        if not base.is_relative_to(scan_root.resolve()):
            return (), f"code location {rel!r} is outside the scanned directory"
        if not base.exists():
            return (), f"code location {rel!r} does not exist"
    except (OSError, RuntimeError, ValueError):  # symlink loops, odd names
        return (), f"code location {rel!r} cannot be resolved"
    if base.is_file():
        if base.suffix.lower() in _ARCHIVES:
            return (), f"code location {rel!r} is a packaged archive; faasguard analyzes source directories"
        base = base.parent
    roots = [base]
    if (base / "src").is_dir():
        roots.append(base / "src")
    return tuple(roots), None


def _module_file(handler_module: str, roots: tuple[Path, ...]) -> Path | None:
    head, _, tail = handler_module.rpartition("/")
    rel = (head + "/" if head else "") + tail.replace(".", "/")
    for root in roots:
        for candidate in (root / f"{rel}.py", root / rel / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _wsgi_app(app: Application, scan_root: Path) -> str | None:
    """``custom.wsgi.app`` of a serverless.yml (serverless-wsgi), read from the app's own file."""
    from faasguard.loaders.document import DocumentError, load_document

    for rel in app.files:
        if not rel.endswith((".yml", ".yaml", ".json")):
            continue
        try:
            doc = load_document(scan_root / rel, rel)
        except (DocumentError, OSError):
            continue
        custom = doc.data.get("custom") if isinstance(doc.data, Mapping) else None
        wsgi = custom.get("wsgi") if isinstance(custom, Mapping) else None
        target = wsgi.get("app") if isinstance(wsgi, Mapping) else None
        if isinstance(target, str) and "." in target:
            return str(target)
    return None


def find_name(project: Project, module: ModuleInfo, name: str, hops: int = 0) -> HandlerTarget | None:
    """The definition of ``name`` in ``module``, following ``from x import name`` re-exports."""
    if hops > _MAX_HOPS:
        return None
    if name in module.functions and "." not in name:
        return HandlerTarget(module, name, module.functions[name], None)
    if name in module.assigns:
        value = module.assigns[name]
        if isinstance(value, ast.Name) and value.id != name:  # handler = real_handler
            return find_name(project, module, value.id, hops + 1) or HandlerTarget(module, name, None, value)
        return HandlerTarget(module, name, None, value)
    target = module.imports.get(name)
    if target is not None:
        resolved = project.symbol(target, module)
        if isinstance(resolved, tuple):
            return find_name(project, resolved[0], resolved[1], hops + 1)
    return None


def resolve(fn: Function, app: Application, scan_root: Path,
            project_for: Any) -> tuple[Project | None, HandlerTarget | None, str | None]:
    """Resolve a function's handler. ``project_for(roots)`` returns the shared Project."""
    roots, problem = code_roots(fn, app, scan_root)
    if problem:
        return None, None, problem
    project: Project = project_for(roots)
    handler = (fn.handler or "").strip()
    if "." not in handler:
        return project, None, f"handler {handler!r} is not of the form module.function"
    module_name, _, attr = handler.rpartition(".")
    path = _module_file(module_name, roots)
    if path is None and handler in _WSGI_HANDLERS:
        wsgi = _wsgi_app(app, scan_root)
        if wsgi:
            module_name, _, attr = wsgi.rpartition(".")
            path = _module_file(module_name, roots)
    if path is None:
        return project, None, f"handler module {module_name!r} not found under {_show(roots, scan_root)}"
    module = project.load(path)
    if module is None:
        return project, None, f"handler file {project.cache.rel(path)} could not be parsed"
    target = find_name(project, module, attr)
    if target is None:
        return project, None, f"handler {attr!r} not defined in {module.rel}"
    return project, target, None


def _show(roots: tuple[Path, ...], scan_root: Path) -> str:
    out = []
    for r in roots:
        try:
            out.append(r.relative_to(scan_root).as_posix() or ".")
        except ValueError:
            out.append(r.as_posix())
    return ", ".join(out)


def qualname(expr: ast.expr, module: ModuleInfo) -> str | None:
    """``a.b.c`` with the first name replaced by what it was imported as."""
    parts: list[str] = []
    node = expr
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    base = module.imports.get(node.id, node.id)
    return ".".join([base, *reversed(parts)])


def global_type(project: Project, module: ModuleInfo, name: str, hops: int = 0) -> str | None:
    """The type tag of a module-level object (``app = Flask(__name__)``), across imports."""
    if hops > _MAX_HOPS:
        return None
    value = module.assigns.get(name)
    if isinstance(value, ast.Call):
        q = qualname(value.func, module)
        if q is not None:
            tag = CONSTRUCTOR_TYPES.get(q)
            if tag:
                return tag
    target = module.imports.get(name)
    if target is not None:
        resolved = project.symbol(target, module)
        if isinstance(resolved, tuple):
            return global_type(project, resolved[0], resolved[1], hops + 1)
    return None


def _route_label(decorator: ast.Call, name: str) -> str:
    path = ""
    if decorator.args and isinstance(decorator.args[0], ast.Constant) and isinstance(decorator.args[0].value, str):
        path = decorator.args[0].value
    method = name.upper() if name not in ("route", "api_route", "any") else "ANY"
    for kw in decorator.keywords:
        if kw.arg == "methods" and isinstance(kw.value, ast.List | ast.Tuple) and kw.value.elts:
            first = kw.value.elts[0]
            if isinstance(first, ast.Constant):
                method = str(first.value).upper()
    return f"{method} {path}".strip()


def _is_dependency(default: ast.expr | None, module: ModuleInfo) -> bool:
    if isinstance(default, ast.Call):
        q = qualname(default.func, module) or ""
        return q.endswith("Depends") or q.endswith("Security")
    return False


# Parameters the framework converts before the handler sees them (FastAPI annotations, Flask
# `<int:id>` converters) cannot carry text an attacker chose.
_TYPED = frozenset({"int", "float", "bool", "UUID", "uuid.UUID", "datetime", "date", "Decimal", "PositiveInt"})
_CONVERTER = re.compile(r"<(?:int|float|uuid):(\w+)>")


def _annotation_name(node: ast.expr | None) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return ""


def _route_params(fn: FunctionNode, module: ModuleInfo, route: ast.Call | None = None) -> tuple[int, ...]:
    args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
    defaults: list[ast.expr | None] = [None] * (len(fn.args.posonlyargs + fn.args.args) - len(fn.args.defaults))
    defaults += list(fn.args.defaults) + list(fn.args.kw_defaults)
    converted: set[str] = set()
    if route is not None and route.args and isinstance(route.args[0], ast.Constant) \
            and isinstance(route.args[0].value, str):
        converted = set(_CONVERTER.findall(route.args[0].value))
    out = []
    for i, (arg, default) in enumerate(zip(args, defaults, strict=False)):
        if arg.arg in ("self", "cls") or _is_dependency(default, module) or arg.arg in converted \
                or _annotation_name(arg.annotation) in _TYPED:
            continue
        out.append(i)
    return tuple(out)


def decorator_entry(project: Project, mod: ModuleInfo, fn: FunctionNode) -> Entry | None:
    """The entry a framework decorator makes of ``fn`` (a route, a Chalice event handler)."""
    for deco in fn.decorator_list:
        if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)
                and isinstance(deco.func.value, ast.Name)):
            continue
        tag = global_type(project, mod, deco.func.value.id)
        if tag not in FRAMEWORK_APPS:
            continue
        method = deco.func.attr
        if method in ROUTE_DECORATORS:
            return Entry(mod, fn, "route", _route_params(fn, mod, deco), _route_label(deco, method), deco.lineno)
        if tag == "chalice.app" and (method.startswith("on_") or method == "schedule"):
            return Entry(mod, fn, "chalice_event", (0,), method, deco.lineno)
        return None
    return None


def framework_entries(project: Project, modules: list[ModuleInfo]) -> list[Entry]:
    """Route handlers and Chalice event handlers defined on framework app objects."""
    entries: list[Entry] = []
    for mod in modules:
        for name, fn in mod.functions.items():
            if "." not in name:
                entry = decorator_entry(project, mod, fn)
                if entry is not None:
                    entries.append(entry)
    return entries


def serves_framework(project: Project, mod: ModuleInfo, fn: FunctionNode) -> bool:
    """A plain handler that hands the event to a framework app (``app.resolve(event, context)``,
    ``serverless_wsgi.handle_request(app, event, context)``, ``Mangum(app)(event, context)``)."""
    names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    return any(global_type(project, mod, name) in FRAMEWORK_APPS for name in names)
