"""What a function's Python code needs from IAM: a static reading of its boto3 usage.

AST only; the code is never imported or run. From the handler, the analysis follows the calls it
can resolve inside the project (module functions, methods, imported helpers) and tracks abstract
values through assignments, attributes of ``self``, return values and parameters:
``boto3``/sessions -> clients and resources -> sub-resources (``Table(...)``), collections
(``bucket.objects.filter``), paginators, waiters, ``batch_writer``, S3 transfer helpers. Each SDK
call becomes operations, then IAM actions (``sdkmap``), with a resource hint from the call's
arguments (a literal, or an environment variable traced later through the template).

What it cannot see lowers ``confidence`` instead of being guessed: dynamic service names,
``getattr`` on clients, libraries wrapping boto3 (PynamoDB, SigV4 HTTP clients); the common
Powertools utilities (parameters, idempotency) are modelled.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from faasguard.analyzers.iam import sdkmap

_SKIP_DIRS = frozenset({".venv", "venv", "env", "node_modules", "__pycache__", ".aws-sam", ".serverless",
                        "site-packages", "dist-packages", ".git", ".tox", "tests", "test", "build", "dist",
                        ".mypy_cache"})
_MAX_FILES = 3000
_MAX_BYTES = 1_000_000
_PASSES = 8  # passes propagate values (returns, parameters, attributes) until nothing changes
_CONSUMERS = frozenset({"list", "tuple", "set", "sorted", "sum", "any", "all", "next", "iter", "len", "enumerate",
                        "map", "filter", "zip", "dict", "frozenset"})
# Position of the bucket among the positional arguments of the S3 transfer helpers.
_S3_BUCKET_ARG = {"upload_file": 1, "upload_fileobj": 1, "download_file": 0, "download_fileobj": 0, "copy": 1}

# Libraries that call AWS on the function's behalf in ways this analysis does not follow.
WRAPPERS = {
    "pynamodb": "PynamoDB models call DynamoDB", "requests_aws4auth": "SigV4-signed HTTP calls",
    "aws_requests_auth": "SigV4-signed HTTP calls", "opensearchpy": "OpenSearch client (SigV4 HTTP)",
    "awswrangler": "AWS SDK for pandas", "aioboto3": "aioboto3", "aiobotocore": "aiobotocore", "s3fs": "s3fs",
    "smart_open": "smart_open", "boto": "legacy boto", "dynamodb_json": "", "chalice": "",
}
WRAPPERS = {k: v for k, v in WRAPPERS.items() if v}
_PT = "aws_lambda_powertools.utilities."
# Powertools utilities that call AWS: dotted name -> (actions, index of the argument naming the resource)
POWERTOOLS = {
    _PT + "parameters.get_parameter": (("ssm:GetParameter",), "ssm", 0),
    _PT + "parameters.get_parameters": (("ssm:GetParametersByPath",), "ssm", 0),
    _PT + "parameters.get_parameters_by_name": (("ssm:GetParameters",), "ssm", -1),
    _PT + "parameters.get_secret": (("secretsmanager:GetSecretValue",), "secretsmanager", 0),
    _PT + "parameters.get_secrets_by_name": (("secretsmanager:BatchGetSecretValue",), "secretsmanager", -1),
    _PT + "parameters.get_app_config": (("appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"),
                                        "appconfig", -1),
    _PT + "idempotency.DynamoDBPersistenceLayer": (("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                                    "dynamodb:DeleteItem"), "dynamodb", -2),
}


@dataclass(frozen=True, slots=True)
class Hint:
    """Where the resource name of a call comes from."""

    kind: str  # "literal" | "env" | "event" (a path in the handler's event) | "unknown"
    value: str = ""
    param: str = ""  # the SDK parameter ("Bucket", "TableName") or "identifier"

    @property
    def known(self) -> bool:
        return self.kind not in ("unknown", "event")


UNKNOWN = Hint("unknown")


@dataclass(frozen=True, slots=True)
class Need:
    action: str
    service: str  # boto3 service name ("s3", "dynamodb")
    operation: str  # SDK operation ("ListObjectsV2") or the wrapper's name
    hint: Hint
    file: str  # relative to the scan root
    line: int
    index: bool = False  # DynamoDB call on an index (IndexName=)

    @property
    def reason(self) -> str:
        return f"{self.file}:{self.line} {self.service}.{self.operation}"


@dataclass
class CodeNeeds:
    needs: list[Need] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confidence: str = "high"
    files: list[str] = field(default_factory=list)
    handler_found: bool = False

    def lower(self, level: str, note: str) -> None:
        order = {"high": 2, "medium": 1, "low": 0}
        if order[level] < order[self.confidence]:
            self.confidence = level
        if note not in self.notes:
            self.notes.append(note)


# ---- abstract values -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class V:
    """An abstract value: what an expression is, as far as boto3 goes."""

    kind: str  # boto3 | session | client | resource | collection | batch_writer | paginator | waiter |
    #            meta | str | env | environ | func | class | instance | module | unknown
    service: str = ""
    rtype: str = ""  # resource type, collection item type
    ops: tuple[str, ...] = ()  # paginator/waiter/collection operations
    hint: Hint = UNKNOWN
    text: str = ""  # str literal, module/function/class name


UNK = V("unknown")


@dataclass
class Module:
    name: str
    path: Path
    rel: str
    tree: ast.Module
    is_package: bool
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted target
    defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)  # qualname -> def
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)


FuncKey = tuple[str, str]  # (module, qualname)


class Analysis:
    def __init__(self, roots: tuple[Path, ...], scan_root: Path) -> None:
        self.scan_root = scan_root
        self.modules: dict[str, Module] = {}
        self.result = CodeNeeds()
        self.globals: dict[str, dict[str, V]] = {}
        self.returns: dict[FuncKey, V] = {}
        self.params: dict[FuncKey, dict[str, V]] = {}
        self.self_attrs: dict[tuple[str, str], dict[str, V]] = {}
        self.reach_funcs: set[FuncKey] = set()
        self.reach_mods: set[str] = set()
        self._seen: set[tuple[str, str, int, Hint, bool]] = set()
        self._load(roots)
        self.methods: dict[str, list[FuncKey]] = {}  # method name -> project methods of that name
        for mod in self.modules.values():
            for qual in mod.defs:
                owner, _, meth = qual.rpartition(".")
                if owner in mod.classes:
                    self.methods.setdefault(meth, []).append((mod.name, qual))

    # ---- project ---------------------------------------------------------------------------

    def _load(self, roots: tuple[Path, ...]) -> None:
        count = 0
        for root in roots:
            for path in sorted(self._walk(root)):
                if count >= _MAX_FILES:
                    self.result.lower("medium", f"more than {_MAX_FILES} Python files; the rest were not read")
                    return
                rel_mod = path.relative_to(root).with_suffix("")
                parts = list(rel_mod.parts)
                is_package = parts[-1] == "__init__"
                if is_package:
                    parts = parts[:-1]
                name = ".".join(parts)
                if not name or name in self.modules:
                    continue
                try:
                    if path.stat().st_size > _MAX_BYTES:
                        continue
                    tree = ast.parse(path.read_bytes(), filename=str(path))
                except (SyntaxError, ValueError, OSError, RecursionError):
                    self.result.lower("medium", f"{self._rel(path)} could not be parsed")
                    continue
                count += 1
                mod = Module(name, path, self._rel(path), tree, is_package)
                self._index(mod)
                self.modules[name] = mod

    @staticmethod
    def _walk(root: Path) -> Iterator[Path]:
        if root.is_file():
            yield root
            return
        stack = [root]
        while stack:
            d = stack.pop()
            try:
                entries = list(d.iterdir())
            except OSError:
                continue
            for e in entries:
                if e.is_symlink():
                    continue
                if e.is_dir():
                    if e.name not in _SKIP_DIRS and not e.name.startswith(".") and not e.name.endswith(".dist-info"):
                        stack.append(e)
                elif e.suffix == ".py":
                    yield e

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.scan_root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _index(self, mod: Module) -> None:
        package = mod.name if mod.is_package else mod.name.rpartition(".")[0]
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        mod.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        mod.imports[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg_parts = package.split(".") if package else []
                    up = pkg_parts[: len(pkg_parts) - (node.level - 1)] if node.level > 1 else pkg_parts
                    base = ".".join([*up, base] if base else up)
                for alias in node.names:
                    if alias.name != "*":
                        mod.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        for stmt in mod.tree.body:
            self._index_defs(mod, stmt, "")

    def _index_defs(self, mod: Module, stmt: ast.stmt, prefix: str) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            mod.defs[prefix + stmt.name] = stmt
            for inner in stmt.body:
                self._index_defs(mod, inner, f"{prefix}{stmt.name}.")
        elif isinstance(stmt, ast.ClassDef):
            mod.classes[prefix + stmt.name] = stmt
            for inner in stmt.body:
                self._index_defs(mod, inner, f"{prefix}{stmt.name}.")

    def uses_wrappers(self) -> None:
        for name in sorted(self.reach_mods):
            for target in self.modules[name].imports.values():
                top = target.split(".")[0]
                if top in WRAPPERS:
                    self.result.lower("medium", f"{self.modules[name].rel} uses {top} ({WRAPPERS[top]}); "
                                                "its AWS calls are not analysed")
                if target.startswith(_PT) and any(x in target for x in ("SSMProvider", "SecretsProvider",
                                                                         "DynamoDBProvider", "AppConfigProvider")):
                    self.result.lower("medium", f"{self.modules[name].rel} uses a Powertools parameter provider")

    # ---- driver ----------------------------------------------------------------------------

    def run(self, handler_module: str | None, handler_name: str | None) -> CodeNeeds:
        start = self.modules.get(handler_module or "")
        if start is not None and handler_name and handler_name in start.defs:
            self.result.handler_found = True
            self.reach_mods.add(start.name)
            self.reach_funcs.add((start.name, handler_name))
            handler = start.defs[handler_name]
            params = handler.args.posonlyargs + handler.args.args
            if params:  # the event: names read from it are resolved against the triggers
                self.params.setdefault((start.name, handler_name), {})[params[0].arg] = V("event")
        elif start is not None:
            self.result.handler_found = bool(handler_name) and handler_name in self._module_names(start)
            self.reach_mods.add(start.name)
            if not self.result.handler_found:
                self.result.lower("medium", f"handler {handler_name!r} not found in {start.rel}; every function "
                                            "of that module was analysed")
                self.reach_funcs.update((start.name, q) for q in start.defs)
        else:
            if self.modules:
                self.result.lower("medium", "handler module not found; every Python file of the code was analysed")
            else:
                self.result.lower("low", "no Python code found for the function")
            self.reach_mods.update(self.modules)
            for mod in self.modules.values():
                self.reach_funcs.update((mod.name, q) for q in mod.defs)
        for _ in range(_PASSES):
            before = (len(self.reach_funcs), len(self.reach_mods), len(self.result.needs), self._state_size())
            self._pass()
            if before == (len(self.reach_funcs), len(self.reach_mods), len(self.result.needs), self._state_size()):
                break
        else:
            self.result.lower("medium", f"values still changing after {_PASSES} passes over the code")
        self.uses_wrappers()
        self.result.files = sorted(self.modules[m].rel for m in self.reach_mods)
        return self.result

    def _pass(self) -> None:
        """Run every reached module body and function once; what they reach runs in the same pass."""
        done_mods: set[str] = set()
        done_funcs: set[FuncKey] = set()
        while True:
            mods = sorted(self.reach_mods - done_mods)
            funcs = sorted(self.reach_funcs - done_funcs)
            if not mods and not funcs:
                return
            for name in mods:
                done_mods.add(name)
                self._exec_module(self.modules[name])
            for key in funcs:
                done_funcs.add(key)
                self._exec_function(key)

    def _state_size(self) -> int:
        return (sum(len(g) for g in self.globals.values()) + len(self.returns)
                + sum(len(p) for p in self.params.values()) + sum(len(a) for a in self.self_attrs.values()))

    @staticmethod
    def _module_names(mod: Module) -> set[str]:
        out = set(mod.defs)
        for stmt in mod.tree.body:
            if isinstance(stmt, ast.Assign):
                out.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        return out

    def _exec_module(self, mod: Module) -> None:
        scope = self.globals.setdefault(mod.name, {})
        for stmt in mod.tree.body:
            if isinstance(stmt, ast.ClassDef):
                self._class_body(stmt, mod, scope)
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            self._stmt(stmt, mod, scope, None, None)
        for target in mod.imports.values():
            self._mark_module(target)

    def _class_body(self, cls: ast.ClassDef, mod: Module, scope: dict[str, V]) -> None:
        """Class attributes (``client = boto3.client('s3')``) are what ``self.client`` reads."""
        attrs = self.self_attrs.setdefault((mod.name, cls.name), {})
        for stmt in cls.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                val = self._expr(stmt.value, mod, dict(scope), None, None)
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    if isinstance(t, ast.Name) and val.kind != "unknown":
                        attrs.setdefault(t.id, val)

    def _exec_function(self, key: FuncKey) -> None:
        mod = self.modules[key[0]]
        fn = mod.defs[key[1]]
        scope: dict[str, V] = dict(self.params.get(key, {}))
        cls = self._class_of(mod, key[1])
        args = fn.args.posonlyargs + fn.args.args
        if cls is not None and args and not any(isinstance(d, ast.Name) and d.id == "staticmethod"
                                                for d in fn.decorator_list):
            scope[args[0].arg] = V("instance", text=f"{mod.name}:{cls}")
        for a, default in zip(reversed(args), reversed(fn.args.defaults), strict=False):
            if a.arg not in scope:
                val = self._expr(default, mod, scope, key, cls)
                if val.kind != "unknown":
                    scope[a.arg] = val
        for stmt in fn.body:
            self._stmt(stmt, mod, scope, key, cls)

    @staticmethod
    def _class_of(mod: Module, qualname: str) -> str | None:
        owner = qualname.rpartition(".")[0]
        return owner if owner in mod.classes else None

    def _mark_module(self, dotted: str) -> None:
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            name = ".".join(parts[:i])
            if name in self.modules:
                self.reach_mods.add(name)
                return

    # ---- statements ------------------------------------------------------------------------

    def _stmt(self, stmt: ast.stmt, mod: Module, scope: dict[str, V], key: FuncKey | None, cls: str | None) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return  # nested defs run when called
        if isinstance(stmt, ast.Assign):
            val = self._expr(stmt.value, mod, scope, key, cls)
            for target in stmt.targets:
                self._bind(target, val, mod, scope, key, cls)
            return
        if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
            val = self._expr(stmt.value, mod, scope, key, cls)
            if isinstance(stmt, ast.AnnAssign):
                self._bind(stmt.target, val, mod, scope, key, cls)
            return
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            val = self._expr(stmt.value, mod, scope, key, cls)
            if key is not None and val.kind != "unknown":
                self.returns[key] = val
            return
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            it = self._expr(stmt.iter, mod, scope, key, cls)
            self._bind(stmt.target, self._iterate(it, stmt.iter, mod), mod, scope, key, cls)
            body: list[ast.stmt] = stmt.body + stmt.orelse
            for s in body:
                self._stmt(s, mod, scope, key, cls)
            return
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                val = self._expr(item.context_expr, mod, scope, key, cls)
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, val, mod, scope, key, cls)
            for s in stmt.body:
                self._stmt(s, mod, scope, key, cls)
            return
        # everything else: evaluate every expression it contains, run nested statement lists
        for fname, value in ast.iter_fields(stmt):
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.stmt):
                        self._stmt(item, mod, scope, key, cls)
                    elif isinstance(item, ast.ExceptHandler):
                        for s in item.body:
                            self._stmt(s, mod, scope, key, cls)
                    elif isinstance(item, ast.expr):
                        self._expr(item, mod, scope, key, cls)
                    elif isinstance(item, ast.match_case):
                        for s in item.body:
                            self._stmt(s, mod, scope, key, cls)
            elif isinstance(value, ast.expr) and fname != "annotation":
                self._expr(value, mod, scope, key, cls)

    def _bind(self, target: ast.expr, val: V, mod: Module, scope: dict[str, V], key: FuncKey | None,
              cls: str | None) -> None:
        if isinstance(target, ast.Name):
            if val.kind != "unknown" or target.id not in scope:
                scope[target.id] = val
            if key is None:
                self.globals.setdefault(mod.name, {})[target.id] = scope[target.id]
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = scope.get(target.value.id)
            if owner is not None and owner.kind == "instance" and val.kind != "unknown":
                modname, _, cname = owner.text.partition(":")
                self.self_attrs.setdefault((modname, cname), {})[target.attr] = val
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind(elt, UNK, mod, scope, key, cls)

    # ---- expressions -----------------------------------------------------------------------

    def _lookup(self, name: str, mod: Module, scope: dict[str, V]) -> V:
        if name in scope:
            return scope[name]
        g = self.globals.get(mod.name, {})
        if name in g:
            return g[name]
        if name in mod.defs:
            return V("func", text=f"{mod.name}:{name}")
        if name in mod.classes:
            return V("class", text=f"{mod.name}:{name}")
        if name in mod.imports:
            return self._resolve_dotted(mod.imports[name])
        return UNK

    def _resolve_dotted(self, dotted: str) -> V:
        if dotted == "boto3":
            return V("boto3")
        if dotted in ("boto3.client", "boto3.resource"):
            return V("boto3fn", text=dotted.rpartition(".")[2])
        if dotted in ("boto3.Session", "boto3.session.Session"):
            return V("sessioncls")
        if dotted == "os":
            return V("module", text="os")
        if dotted == "os.environ":
            return V("environ")
        if dotted == "os.getenv":
            return V("getenv")
        if dotted in self.modules:
            self.reach_mods.add(dotted)
            return V("module", text=dotted)
        head, _, tail = dotted.rpartition(".")
        if head in self.modules:
            self.reach_mods.add(head)
            target = self.modules[head]
            if tail in target.defs:
                return V("func", text=f"{head}:{tail}")
            if tail in target.classes:
                return V("class", text=f"{head}:{tail}")
            g = self.globals.get(head, {})
            return g.get(tail, UNK)
        return V("external", text=dotted)

    def _expr(self, node: ast.expr, mod: Module, scope: dict[str, V], key: FuncKey | None, cls: str | None) -> V:
        if isinstance(node, ast.Constant):
            return V("str", text=node.value) if isinstance(node.value, str) else UNK
        if isinstance(node, ast.Name):
            return self._lookup(node.id, mod, scope)
        if isinstance(node, ast.Call):
            return self._call(node, mod, scope, key, cls)
        if isinstance(node, ast.Attribute):
            base = self._expr(node.value, mod, scope, key, cls)
            return self._attribute(base, node.attr, node, mod)
        if isinstance(node, ast.Subscript):
            base = self._expr(node.value, mod, scope, key, cls)
            idx = self._expr(node.slice, mod, scope, key, cls)
            if base.kind == "environ" and idx.kind == "str":
                return V("env", text=idx.text)
            if base.kind == "event":
                return V("event", text=f"{base.text}.{idx.text if idx.kind == 'str' else '[]'}")
            return UNK
        if isinstance(node, (ast.BoolOp,)):
            vals = [self._expr(v, mod, scope, key, cls) for v in node.values]
            return next((v for v in vals if v.kind != "unknown"), UNK)
        if isinstance(node, ast.IfExp):
            self._expr(node.test, mod, scope, key, cls)
            a = self._expr(node.body, mod, scope, key, cls)
            b = self._expr(node.orelse, mod, scope, key, cls)
            return a if a.kind != "unknown" else b
        if isinstance(node, ast.Await):
            return self._expr(node.value, mod, scope, key, cls)
        if isinstance(node, (ast.Lambda,)):
            return UNK
        # evaluate sub-expressions for their calls (comprehensions, f-strings, containers, ...)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = dict(scope)
            for gen in node.generators:
                it = self._expr(gen.iter, mod, inner, key, cls)
                self._bind(gen.target, self._iterate(it, gen.iter, mod), mod, inner, key, cls)
                for cond in gen.ifs:
                    self._expr(cond, mod, inner, key, cls)
            elts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for e in elts:
                self._expr(e, mod, inner, key, cls)
            return UNK
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self._expr(child, mod, scope, key, cls)
        return UNK

    def _attribute(self, base: V, attr: str, node: ast.AST, mod: Module) -> V:
        k = base.kind
        if k == "boto3" and attr in ("client", "resource"):
            return V("boto3fn", text=attr)
        if k == "boto3" and attr in ("Session", "session"):
            return V("sessioncls") if attr == "Session" else V("boto3session")
        if k == "boto3session" and attr == "Session":
            return V("sessioncls")
        if k == "session" and attr in ("client", "resource"):
            return V("boto3fn", text=attr)
        if k == "module" and base.text == "os":
            return V("environ") if attr == "environ" else V("getenv") if attr == "getenv" else UNK
        if k == "environ" and attr == "get":
            return V("getenv")
        if k == "event" and attr == "get":
            return V("eventget", text=base.text)
        if k == "module":
            return self._resolve_dotted(f"{base.text}.{attr}")
        if k == "external":
            return V("external", text=f"{base.text}.{attr}")
        if k == "instance":
            modname, _, cname = base.text.partition(":")
            found = self.self_attrs.get((modname, cname), {}).get(attr)
            if found is not None:
                return found
            target = self.modules.get(modname)
            if target is not None and f"{cname}.{attr}" in target.defs:
                return V("method", text=f"{modname}:{cname}.{attr}")
            return UNK
        if k == "client" and attr == "meta":
            return V("clientmeta", service=base.service)
        if k == "resource":
            if attr == "meta":
                return V("meta", service=base.service)
            if attr == "batch_writer" and base.service == "dynamodb" and base.rtype == "Table":
                return V("bound", service=base.service, rtype=base.rtype, ops=("resource", attr), hint=base.hint)
            member = sdkmap.resource_member(base.service, base.rtype, attr)
            if member is None:
                return UNK
            what, data = member
            if what == "many":
                ops, item = data
                return V("collection", service=base.service, rtype=item, ops=ops, hint=base.hint)
            if what == "load":  # reading an attribute loads the resource (a later .load() is the same call)
                self._record(base.service, data, base.hint, mod, node)
            return V("bound", service=base.service, rtype=base.rtype, ops=("resource", attr), hint=base.hint)
        if k == "meta" and attr == "client":
            return V("client", service=base.service)
        if k in ("client", "collection", "paginator", "waiter", "batch_writer"):
            return V("bound", service=base.service, rtype=base.rtype, ops=(k, attr, *base.ops), hint=base.hint,
                     text=base.rtype)
        return UNK

    def _iterate(self, it: V, node: ast.expr, mod: Module) -> V:
        if it.kind == "event":
            return V("event", text=f"{it.text}.[]")
        if it.kind == "collection":
            self._record(it.service, it.ops, it.hint, mod, node)
            return V("resource", service=it.service, rtype=it.rtype, hint=it.hint)
        return UNK

    # ---- calls -----------------------------------------------------------------------------

    def _call(self, node: ast.Call, mod: Module, scope: dict[str, V], key: FuncKey | None, cls: str | None) -> V:
        func = self._expr(node.func, mod, scope, key, cls)
        args = [self._expr(a, mod, scope, key, cls) for a in node.args]
        kwargs = {kw.arg: self._expr(kw.value, mod, scope, key, cls) for kw in node.keywords if kw.arg}
        for kw in node.keywords:
            if kw.arg is None:
                self._expr(kw.value, mod, scope, key, cls)
            elif isinstance(kw.value, (ast.Dict, ast.List, ast.Tuple)):
                # resource names inside structured parameters (Entries=[{"EventBusName": ...}],
                # TransactItems=[{"Put": {"TableName": ...}}], RequestItems={TABLE: [...]})
                for name, value in _nested_params(kw.value):
                    kwargs.setdefault(name, self._expr(value, mod, scope, key, cls))
                if kw.arg == "RequestItems" and isinstance(kw.value, ast.Dict) and kw.value.keys \
                        and kw.value.keys[0] is not None:
                    kwargs.setdefault("TableName", self._expr(kw.value.keys[0], mod, scope, key, cls))
        k = func.kind
        if k == "boto3fn":
            svc = args[0] if args else kwargs.get("service_name", UNK)
            if svc.kind != "str":
                self.result.lower("low", f"{mod.rel}:{node.lineno} creates a boto3 {func.text} for a service "
                                         "named at run time")
                return UNK
            if not sdkmap.known_service(svc.text):
                self.result.lower("medium", f"{mod.rel}:{node.lineno} unknown boto3 service {svc.text!r}")
                return UNK
            return V(func.text if func.text == "client" else "resource", service=svc.text)
        if k == "sessioncls":
            return V("session")
        if k == "eventget":
            return V("event", text=f"{func.text}.{args[0].text}") if args and args[0].kind == "str" else UNK
        if k == "getenv":
            return V("env", text=args[0].text) if args and args[0].kind == "str" else UNK
        if k == "clientmeta":
            return UNK
        if k == "bound":
            return self._bound_call(func, node, args, kwargs, mod)
        if k in ("func", "method"):
            return self._project_call(func.text, args, kwargs, node, mod)
        if k == "class":
            modname, _, cname = func.text.partition(":")
            target = self.modules[modname]
            init = f"{cname}.__init__"
            inst = V("instance", text=func.text)
            if init in target.defs:
                self._enter((modname, init), [inst, *args], kwargs)
            return inst
        if k == "external":
            return self._external_call(func.text, node, args, kwargs, mod)
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and args and args[0].kind in (
                "client", "resource"):
            if len(args) > 1 and args[1].kind == "str":
                return self._attribute(args[0], args[1].text, node, mod)
            self.result.lower("low", f"{mod.rel}:{node.lineno} calls a {args[0].service} method chosen at run time")
            return UNK
        if isinstance(node.func, ast.Name) and node.func.id in _CONSUMERS:
            for a, arg in zip(args, node.args, strict=False):
                self._iterate(a, arg, mod)
        if isinstance(node.func, ast.Attribute) and k == "unknown":
            # obj.method() on an object we do not know: a method of a project class may be meant
            self._maybe_method(node.func.attr, args, kwargs)
        return UNK

    def _maybe_method(self, name: str, args: list[V], kwargs: dict[str, V]) -> None:
        for mname, qual in self.methods.get(name, ()):
            if mname in self.reach_mods:
                self._enter((mname, qual), [UNK, *args], kwargs)

    def _project_call(self, ref: str, args: list[V], kwargs: dict[str, V], node: ast.Call, mod: Module) -> V:
        modname, _, qual = ref.partition(":")
        target = self.modules.get(modname)
        if target is None or qual not in target.defs:
            return UNK
        fkey = (modname, qual)
        owner = qual.rpartition(".")[0]
        if owner in target.classes and isinstance(node.func, ast.Attribute):
            args = [UNK, *args]  # bound method: self comes first
        self._enter(fkey, args, kwargs)
        return self.returns.get(fkey, UNK)

    def _enter(self, fkey: FuncKey, args: list[V], kwargs: dict[str, V]) -> None:
        self.reach_funcs.add(fkey)
        self.reach_mods.add(fkey[0])
        fn = self.modules[fkey[0]].defs[fkey[1]]
        names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        params = self.params.setdefault(fkey, {})
        for name, val in [*zip(names, args, strict=False), *kwargs.items()]:
            if val.kind not in ("unknown", "instance") and name not in params:
                params[name] = val

    def _external_call(self, dotted: str, node: ast.Call, args: list[V], kwargs: dict[str, V], mod: Module) -> V:
        if dotted in POWERTOOLS:
            actions, service, pos = POWERTOOLS[dotted]
            hint = UNKNOWN
            if pos >= 0 and len(args) > pos:
                hint = self._hint(args[pos], "Name")
            elif pos == -2:
                hint = self._hint(kwargs.get("table_name", args[0] if args else UNK), "TableName")
            for action in actions:
                self._add(Need(action, service, dotted.rpartition(".")[2], hint, mod.rel, node.lineno))
        return UNK

    def _bound_call(self, b: V, node: ast.Call, args: list[V], kwargs: dict[str, V], mod: Module) -> V:
        owner, attr, *rest = b.ops
        svc = b.service
        if owner == "client":
            if attr == "get_paginator" and args and args[0].kind == "str":
                ops = sdkmap.method_operations(svc, args[0].text) or ()
                return V("paginator", service=svc, ops=ops)
            if attr == "get_waiter" and args and args[0].kind == "str":
                return V("waiter", service=svc, ops=sdkmap.waiter_operations(svc, args[0].text))
            if attr == "generate_presigned_url" and args and args[0].kind == "str":
                ops = sdkmap.method_operations(svc, args[0].text) or ()
                params = node.keywords[0].value if node.keywords and node.keywords[0].arg == "Params" else None
                self._record(svc, ops, self._dict_hint(params, svc, mod), mod, node)
                return V("str")
            if attr in sdkmap.CLIENT_PLUMBING:
                return UNK
            called = sdkmap.method_operations(svc, attr)
            if called is None:
                self.result.lower("medium", f"{mod.rel}:{node.lineno} calls {svc}.{attr}, not an operation of {svc}")
                return UNK
            hint = self._kw_hint(svc, kwargs)
            pos = _S3_BUCKET_ARG.get(attr) if svc == "s3" else None
            if not hint.known and pos is not None and len(args) > pos:
                hint = self._hint(args[pos], "Bucket")
            kinds = _transact_kinds(node) if (svc, attr) == ("dynamodb", "transact_write_items") else None
            if kinds:  # only the item operations the transaction literally contains
                for kind in kinds:
                    self._add(Need(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", svc, "TransactWriteItems", hint, mod.rel,
                                   node.lineno))
                return UNK
            self._record(svc, called, hint, mod, node, index="IndexName" in kwargs)
            return UNK
        if owner == "resource":
            return self._resource_call(b, attr, node, args, kwargs, mod)
        if owner == "collection":
            if attr in ("all", "filter", "limit", "page_size"):
                return V("collection", service=svc, rtype=b.text, ops=tuple(rest), hint=b.hint)
            if attr == "pages" or attr == "__iter__":
                self._record(svc, tuple(rest), b.hint, mod, node)
                return UNK
            batch = sdkmap.collection_batch(svc, b.text, attr)
            if batch:
                self._record(svc, tuple(rest), b.hint, mod, node)
                self._record(svc, batch, b.hint, mod, node)
            return UNK
        if owner == "paginator" and attr == "paginate":
            self._record(svc, tuple(rest), self._kw_hint(svc, kwargs), mod, node, index="IndexName" in kwargs)
            return UNK
        if owner == "waiter" and attr == "wait":
            self._record(svc, tuple(rest), self._kw_hint(svc, kwargs), mod, node)
            return UNK
        if owner == "batch_writer" and attr in ("put_item", "delete_item"):
            self._record(svc, ("BatchWriteItem",), b.hint, mod, node)
            return UNK
        # resource members
        if owner in ("action", "load", "waiter", "batch"):
            self._record(svc, tuple(rest) if rest else (), b.hint, mod, node)
        return UNK

    def _resource_call(self, b: V, attr: str, node: ast.Call, args: list[V], kwargs: dict[str, V], mod: Module) -> V:
        svc, rtype = b.service, b.rtype
        if svc == "dynamodb" and rtype == "Table" and attr == "batch_writer":
            return V("batch_writer", service=svc, hint=b.hint)
        member = sdkmap.resource_member(svc, rtype, attr)
        if member is None:
            if rtype == "" or attr not in ("meta",):
                self.result.lower("medium", f"{mod.rel}:{node.lineno} {svc} resource has no member {attr!r}")
            return UNK
        what, data = member
        if what == "has":
            ident = args[0] if args else next(iter(kwargs.values()), UNK)
            param = "identifier"
            hint = self._hint(ident, param) if rtype == "" else b.hint
            return V("resource", service=svc, rtype=str(data), hint=hint)
        if what in ("action", "waiter", "load"):
            hint = b.hint if rtype else self._kw_hint(svc, kwargs)
            self._record(svc, tuple(data), hint, mod, node, index="IndexName" in kwargs)
            return UNK
        return UNK

    # ---- hints and recording ---------------------------------------------------------------

    @staticmethod
    def _hint(val: V, param: str) -> Hint:
        if val.kind == "str" and val.text:
            return Hint("literal", val.text, param)
        if val.kind == "event":
            return Hint("event", val.text, param)
        if val.kind == "env" and val.text:
            return Hint("env", val.text, param)
        return Hint("unknown", "", param)

    def _kw_hint(self, svc: str, kwargs: dict[str, V]) -> Hint:
        for param in sdkmap.RESOURCE_PARAMS.get(svc, ()):
            if param in kwargs:
                return self._hint(kwargs[param], param)
        return UNKNOWN

    def _dict_hint(self, node: ast.expr | None, svc: str, mod: Module) -> Hint:
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=False):
                if isinstance(k, ast.Constant) and k.value in sdkmap.RESOURCE_PARAMS.get(svc, ()):
                    return self._hint(self._expr(v, mod, {}, None, None), str(k.value))
        return UNKNOWN

    def _record(self, svc: str, ops: tuple[str, ...], hint: Hint, mod: Module, node: ast.AST,
                index: bool = False) -> None:
        line = getattr(node, "lineno", 0)
        for op in ops:
            for action in sdkmap.actions_for(svc, op):
                self._add(Need(action, svc, op, hint, mod.rel, line, index))

    def _add(self, need: Need) -> None:
        sig = (need.action, need.file, need.line, need.hint, need.index)
        if sig not in self._seen:
            self._seen.add(sig)
            self.result.needs.append(need)


_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem"}


def _transact_kinds(call: ast.Call) -> list[str] | None:
    """The item operations of a literal ``TransactItems=[{"Put": ...}, ...]``, or None."""
    items = next((kw.value for kw in call.keywords if kw.arg == "TransactItems"), None)
    if not isinstance(items, (ast.List, ast.Tuple)) or not items.elts:
        return None
    kinds: list[str] = []
    for elt in items.elts:
        if not isinstance(elt, ast.Dict) or not elt.keys:
            return None
        for k in elt.keys:
            if not (isinstance(k, ast.Constant) and k.value in _TRANSACT_ACTIONS):
                return None
            kinds.append(str(k.value))
    return list(dict.fromkeys(kinds))


_PARAM_NAMES = frozenset(p for params in sdkmap.RESOURCE_PARAMS.values() for p in params)


def _nested_params(node: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Dict):
            for k, v in zip(sub.keys, sub.values, strict=False):
                if isinstance(k, ast.Constant) and k.value in _PARAM_NAMES:
                    yield str(k.value), v


def analyse(roots: tuple[Path, ...], scan_root: Path, handler: str | None) -> CodeNeeds:
    """The boto3 needs of the code under ``roots`` reached from ``handler`` (``pkg/mod.func``)."""
    module = name = None
    if handler:
        head, _, tail = handler.rpartition("/")
        mod_part, _, name = tail.rpartition(".")
        module = ".".join([*(p for p in head.split("/") if p and p != "."), *mod_part.split(".")]) if mod_part else None
    analysis = Analysis(roots, scan_root)
    try:
        return analysis.run(module, name)
    except RecursionError:
        analysis.result.lower("low", "the code is too deeply nested to analyse")
        return analysis.result
