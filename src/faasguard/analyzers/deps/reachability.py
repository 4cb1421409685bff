"""Is a dependency imported by the function's handler? (static: the code is parsed, never run)

From the handler's module, local imports are followed (the function's own modules, not vendored
packages); the top-level names of everything else are what the handler imports. A dependency
is ``imported`` when one of its import names is among them, ``transitive`` when a package that
is imported depends on it (as far as the manifests tell), ``not-imported`` otherwise, and
``unknown`` when the handler could not be found or read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from faasguard.analyzers.deps.manifests import NPM, Dependency

IMPORTED, TRANSITIVE, NOT_IMPORTED, UNKNOWN = "imported", "transitive", "not-imported", "unknown"
MAX_MODULES = 2000
MAX_SOURCE_BYTES = 2 * 1024 * 1024

# Distributions whose import name differs from the distribution name (the common cases; a vendored
# package's own top_level.txt/RECORD always wins).
IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "pyyaml": ("yaml",), "pillow": ("PIL",), "pyjwt": ("jwt",), "pycryptodome": ("Crypto",),
    "pycryptodomex": ("Cryptodome",), "python-dateutil": ("dateutil",), "beautifulsoup4": ("bs4",),
    "scikit-learn": ("sklearn",), "opencv-python": ("cv2",), "opencv-python-headless": ("cv2",),
    "protobuf": ("google",), "python-jose": ("jose",), "python-dotenv": ("dotenv",),
    "python-magic": ("magic",), "pyopenssl": ("OpenSSL",), "attrs": ("attr", "attrs"),
    "python-docx": ("docx",), "pyserial": ("serial",), "python-ldap": ("ldap",), "gitpython": ("git",),
    "msgpack-python": ("msgpack",), "python-multipart": ("multipart",), "pymongo": ("pymongo", "bson", "gridfs"),
    "setuptools": ("setuptools", "pkg_resources"), "django-cors-headers": ("corsheaders",),
    "djangorestframework": ("rest_framework",), "google-api-python-client": ("googleapiclient",),
    "mysql-connector-python": ("mysql",), "psycopg2-binary": ("psycopg2",), "pyzmq": ("zmq",),
    "pysaml2": ("saml2",), "typing-extensions": ("typing_extensions",), "aws-xray-sdk": ("aws_xray_sdk",),
    "aws-lambda-powertools": ("aws_lambda_powertools",), "ruamel-yaml": ("ruamel",),
    "markdown": ("markdown",), "lxml": ("lxml",), "jinja2": ("jinja2",), "markupsafe": ("markupsafe",),
}


@dataclass(frozen=True)
class HandlerImports:
    found: bool
    modules: frozenset[str]  # third-party import names (top level; npm package names)
    files: tuple[str, ...] = ()  # the function's own modules that were read


def import_names(dep: Dependency) -> tuple[str, ...]:
    if dep.ecosystem == NPM:
        return (dep.name,)
    if dep.top_level:
        return dep.top_level
    key = canonicalize_name(dep.name)
    if key in IMPORT_NAMES:
        return IMPORT_NAMES[key]
    base = key.removeprefix("python-").removeprefix("py-")
    return tuple(dict.fromkeys((key.replace("-", "_"), base.replace("-", "_"))))


def reachability(dep: Dependency, imports: HandlerImports, deps: Iterable[Dependency]) -> tuple[str, str]:
    """(status, via): ``via`` names the imported package that pulls in a transitive dependency."""
    if not imports.found:
        return UNKNOWN, ""
    lowered = {m.lower() for m in imports.modules}
    if any(n.lower() in lowered for n in import_names(dep)):
        return IMPORTED, ""
    graph: dict[str, set[str]] = {}
    for d in deps:
        if d.ecosystem == dep.ecosystem:
            graph.setdefault(d.key, set()).update(d.requires)
    roots = [d.key for d in deps if d.ecosystem == dep.ecosystem and d.key != dep.key
             and any(n.lower() in lowered for n in import_names(d))]
    for start in sorted(set(roots)):
        stack, seen = [start], {start}
        while stack:
            node = stack.pop()
            for child in graph.get(node, ()):
                child_key = canonicalize_name(child) if dep.ecosystem != NPM else child
                if child_key == dep.key:
                    return TRANSITIVE, start
                if child_key not in seen:
                    seen.add(child_key)
                    stack.append(child_key)
    return NOT_IMPORTED, ""


# --- Python -----------------------------------------------------------------------------------------

def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _module_file(base: Path, dotted: str) -> Path | None:
    target = base.joinpath(*dotted.split("."))
    for candidate in (target.with_suffix(".py"), target / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def python_handler_imports(code_dir: Path, handler: str, vendored: frozenset[str]) -> HandlerImports:
    """Imports reachable from ``handler`` (``pkg/app.handler`` or ``pkg.app.handler``)."""
    module = handler.rsplit(".", 1)[0] if "." in handler else handler
    start = _module_file(code_dir, module.replace("/", "."))
    if start is None:
        return HandlerImports(False, frozenset())
    external: set[str] = set()
    queue, seen = [start], {start}
    while queue and len(seen) < MAX_MODULES:
        path = queue.pop()
        source = _read(path)
        if source is None:
            continue
        try:
            tree = ast.parse(source, filename=str(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # not Python we can read: the rest of the handler's modules still count
        for node in ast.walk(tree):
            names: list[tuple[str, int]] = []
            if isinstance(node, ast.Import):
                names = [(alias.name, 0) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = path.parent
                    for _ in range(node.level - 1):
                        base = base.parent
                    targets = [f"{node.module}.{a.name}" if node.module else a.name for a in node.names]
                    for dotted in ([node.module] if node.module else []) + targets:
                        found = _module_file(base, dotted)
                        if found and found not in seen:
                            seen.add(found)
                            queue.append(found)
                    continue
                if node.module:
                    names = [(node.module, 0)] + [(f"{node.module}.{a.name}", 0) for a in node.names]
            elif isinstance(node, ast.Call) and _is_dynamic_import(node):
                names = [(node.args[0].value, 0)]  # type: ignore[attr-defined]
            for dotted, _ in names:
                top = dotted.split(".")[0]
                if top in vendored:
                    external.add(top)
                    continue
                found = _module_file(code_dir, dotted) or (
                    _module_file(code_dir, top) if (code_dir / f"{top}.py").is_file() or
                    (code_dir / top).is_dir() else None)
                if found is not None:
                    if found not in seen:
                        seen.add(found)
                        queue.append(found)
                elif (code_dir / top).is_dir() or (code_dir / f"{top}.py").is_file():
                    continue  # a local package whose submodule we could not find
                else:
                    external.add(top)
    files = tuple(sorted(p.relative_to(code_dir).as_posix() for p in seen if p.is_relative_to(code_dir)))
    return HandlerImports(True, frozenset(external), files)


def _is_dynamic_import(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return (name in ("import_module", "__import__") and bool(node.args)
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))


# --- Node -------------------------------------------------------------------------------------------

_JS_IMPORT = re.compile(
    r"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+|^\s*import\s+)(['"])(?P<spec>[^'"\n]+)\1""", re.M)
_JS_SUFFIXES = ("", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx",
                "/index.js", "/index.mjs", "/index.ts")


def _js_file(base: Path, spec: str) -> Path | None:
    for suffix in _JS_SUFFIXES:
        candidate = (base / (spec + suffix)).resolve()
        if candidate.is_file():
            return candidate
    return None


def node_handler_imports(code_dir: Path, handler: str) -> HandlerImports:
    module = handler.rsplit(".", 1)[0] if "." in handler else handler
    start = _js_file(code_dir, module)
    if start is None:
        return HandlerImports(False, frozenset())
    external: set[str] = set()
    queue, seen = [start], {start}
    while queue and len(seen) < MAX_MODULES:
        path = queue.pop()
        source = _read(path) or ""
        for m in _JS_IMPORT.finditer(source):
            spec = m.group("spec")
            if spec.startswith((".", "/")):
                found = _js_file(path.parent, spec)
                if found and found not in seen and found.is_relative_to(code_dir):
                    seen.add(found)
                    queue.append(found)
                continue
            if spec.startswith("node:"):
                continue
            parts = spec.split("/")
            external.add("/".join(parts[:2]) if spec.startswith("@") else parts[0])
    files = tuple(sorted(p.relative_to(code_dir).as_posix() for p in seen if p.is_relative_to(code_dir)))
    return HandlerImports(True, frozenset(external), files)


def handler_imports(language: str | None, code_dir: Path | None, handler: str | None,
                    vendored: frozenset[str] = frozenset()) -> HandlerImports:
    if code_dir is None or not handler:
        return HandlerImports(False, frozenset())
    if language == "python":
        return python_handler_imports(code_dir, handler, vendored)
    if language == "nodejs":
        return node_handler_imports(code_dir, handler)
    return HandlerImports(False, frozenset())
