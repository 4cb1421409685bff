"""Reading Python files once per scan, and resolving imports inside a function's code directory.

Files are parsed with ``ast`` only: the scanned code is never imported or run. A file that can't
be read (too large, binary, undecodable, syntax error) gives one ``ScanError`` and the rest of the
scan goes on.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard.model import ErrorKind, ScanError

MAX_SOURCE_BYTES = 2 * 1024 * 1024  # larger .py files are generated code, not handlers
MAX_CLOSURE = 400  # modules followed from one handler

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class ModuleInfo:
    path: Path
    rel: str  # relative to the scan root, POSIX style
    tree: ast.Module
    lines: list[str]
    imports: dict[str, str] = field(default_factory=dict)  # alias -> dotted target ("." prefix = relative)
    functions: dict[str, FunctionNode] = field(default_factory=dict)  # "f", "Class.method"
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    assigns: dict[str, ast.expr] = field(default_factory=dict)  # module-level NAME = value (last one)

    def line_text(self, line: int) -> str:
        return self.lines[line - 1].strip() if 1 <= line <= len(self.lines) else ""


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included, without walking expressions (imports are statements)."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, name, None)
            if children:
                stack.extend(reversed(children))


def _import_table(tree: ast.Module) -> dict[str, str]:
    """Imports anywhere in the module (handlers often import inside functions)."""
    table: dict[str, str] = {}
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    table[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    table[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = "." * (node.level or 0) + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    continue
                sep = "" if base.endswith(".") or not base else "."
                table[alias.asname or alias.name] = f"{base}{sep}{alias.name}"
    return table


def _index(mod: ModuleInfo) -> None:
    mod.imports = _import_table(mod.tree)
    for node in mod.tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            mod.functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            mod.classes[node.name] = node
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    mod.functions[f"{node.name}.{item.name}"] = item
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    mod.assigns[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            mod.assigns[node.target.id] = node.value
        elif isinstance(node, ast.If | ast.Try):
            # `try: from x import y except ImportError: ...` and `if TYPE_CHECKING:` blocks
            for sub in ast.iter_child_nodes(node):
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                    mod.functions.setdefault(sub.name, sub)


def decode_source(data: bytes) -> str:
    """Decode Python source as the interpreter would (BOM, PEP 263 cookie); UnicodeError if not."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


class ModuleCache:
    """Parsed modules for one scan, keyed by absolute path; errors are remembered too."""

    def __init__(self, scan_root: Path) -> None:
        self.scan_root = scan_root
        self._root_resolved = scan_root.resolve()
        self._modules: dict[Path, ModuleInfo | ScanError] = {}
        self.reported: set[Path] = set()

    def rel(self, path: Path) -> str:
        for base in (self.scan_root, self._root_resolved):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def get(self, path: Path) -> ModuleInfo | ScanError:
        shown = self.rel(path)
        try:
            path = path.resolve()
        except (OSError, RuntimeError):
            return ScanError(shown, "cannot resolve path (symlink loop?)", ErrorKind.UNSAFE)
        cached = self._modules.get(path)
        if cached is None:
            if not path.is_relative_to(self._root_resolved):
                # a symlink out of the scanned tree: never read files the user did not ask us to scan
                cached = ScanError(shown, "Python file links outside the scanned directory", ErrorKind.UNSAFE)
            else:
                cached = self._parse(path)
            self._modules[path] = cached
        return cached

    def _parse(self, path: Path) -> ModuleInfo | ScanError:
        rel = self.rel(path)
        try:
            size = path.stat().st_size
            if size > MAX_SOURCE_BYTES:
                return ScanError(rel, f"Python file too large to analyze ({size} bytes)", ErrorKind.TOO_LARGE)
            data = path.read_bytes()
        except OSError as exc:
            return ScanError(rel, f"cannot read Python file: {exc.strerror or exc}", ErrorKind.PARSE)
        if b"\x00" in data:
            return ScanError(rel, "binary file where Python source was expected", ErrorKind.PARSE)
        try:
            text = decode_source(data)
        except (UnicodeError, SyntaxError, LookupError) as exc:
            return ScanError(rel, f"Python file is not valid text in its declared encoding: {exc}", ErrorKind.PARSE)
        try:
            tree = ast.parse(text, filename=rel)
        except SyntaxError as exc:
            return ScanError(rel, f"Python syntax error: {exc.msg}", ErrorKind.PARSE, line=exc.lineno or 0)
        except (ValueError, RecursionError, MemoryError) as exc:
            return ScanError(rel, f"Python file could not be parsed: {type(exc).__name__}", ErrorKind.PARSE)
        mod = ModuleInfo(path=path, rel=rel, tree=tree, lines=text.splitlines())
        _index(mod)
        return mod

    def take_error(self, path: Path) -> ScanError | None:
        """The parse error of ``path`` the first time it is asked for (errors are reported once)."""
        try:
            path = path.resolve()
        except (OSError, RuntimeError):
            return None
        result = self._modules.get(path)
        if isinstance(result, ScanError) and path not in self.reported:
            self.reported.add(path)
            return result
        return None


class Project:
    """Import resolution inside one code directory (the function's CodeUri), with src/ layouts."""

    def __init__(self, cache: ModuleCache, roots: tuple[Path, ...]) -> None:
        self.cache = cache
        self.roots = roots
        self.errors: list[ScanError] = []
        self._memo: dict[tuple[str, Path | None], ModuleInfo | None] = {}
        self.state: dict[Any, Any] = {}  # memo tables shared by the functions using this code dir

    def load(self, path: Path) -> ModuleInfo | None:
        result = self.cache.get(path)
        if isinstance(result, ScanError):
            err = self.cache.take_error(path)
            if err is not None:
                self.errors.append(err)
            return None
        return result

    def _file_for(self, dotted: str, base: Path | None) -> Path | None:
        parts = [p for p in dotted.split(".") if p]
        dirs = [base] if base is not None else list(self.roots)
        for d in dirs:
            if d is None:
                continue
            stem = d.joinpath(*parts) if parts else d
            for candidate in (stem.with_suffix(".py") if parts else None, stem / "__init__.py"):
                if candidate is not None and candidate.is_file():
                    return candidate
        return None

    def module(self, dotted: str, importer: ModuleInfo | None = None) -> ModuleInfo | None:
        """The local module for an import target (``pkg.mod``, ``.sibling``), or None if external."""
        base: Path | None = None
        name = dotted
        if dotted.startswith("."):
            if importer is None:
                return None
            level = len(dotted) - len(dotted.lstrip("."))
            base = importer.path.parent
            for _ in range(level - 1):
                base = base.parent
            name = dotted[level:]
        key = (name, base)
        if key not in self._memo:
            path = self._file_for(name, base)
            self._memo[key] = self.load(path) if path is not None else None
        return self._memo[key]

    def symbol(self, dotted: str, importer: ModuleInfo | None) -> tuple[ModuleInfo, str] | ModuleInfo | None:
        """Resolve ``pkg.mod.name``: a module, or (module, attribute name), or None if not local."""
        mod = self.module(dotted, importer)
        if mod is not None:
            return mod
        head, _, attr = dotted.rpartition(".")
        if not attr:
            return None
        if head == "" and dotted.startswith("."):
            return None
        owner = self.module(head or ".", importer) if head else None
        if owner is None:
            return None
        return owner, attr

    def closure(self, start: ModuleInfo) -> list[ModuleInfo]:
        """``start`` and every local module it imports, transitively (breadth first, bounded)."""
        seen: dict[Path, ModuleInfo] = {start.path: start}
        queue = deque([start])
        while queue and len(seen) < MAX_CLOSURE:
            mod = queue.popleft()
            for found in self.imported(mod):
                if found.path not in seen:
                    seen[found.path] = found
                    queue.append(found)
        return list(seen.values())

    def imported(self, mod: ModuleInfo) -> list[ModuleInfo]:
        """The local modules ``mod`` imports (memoised: closures of many handlers overlap)."""
        key = ("imported", mod.path)
        cached = self.state.get(key)
        if cached is None:
            cached = []
            seen: set[Path] = set()
            for target in mod.imports.values():
                for candidate in (target, target.rpartition(".")[0]):
                    if not candidate or candidate.strip(".") == "" and not candidate.startswith("."):
                        continue
                    found = self.module(candidate, mod)
                    if found is not None and found.path not in seen:
                        seen.add(found.path)
                        cached.append(found)
            self.state[key] = cached
        return list(cached)
