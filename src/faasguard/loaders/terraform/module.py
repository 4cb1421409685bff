"""Terraform modules: a directory's files, its variables and locals, the local modules it calls,
and its resources expanded into instances (``count`` / ``for_each`` where decidable).

A module instance is the :class:`~.evaluate.Scope` its expressions are evaluated in. Local module
calls (``source = "./modules/x"``) become child instances whose variables are the call's
arguments, evaluated in the caller; their resources get ``module.x.`` addresses. Registry modules
are kept as calls (the builder models terraform-aws-modules/lambda from its inputs).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard.loaders.document import DocumentError
from faasguard.loaders.terraform.evaluate import MISSING, Evaluator
from faasguard.loaders.terraform.hcl import Attribute, Block, Body, parse_file
from faasguard.loaders.terraform.values import SYMBOLIC, LDict, Ref, Unknown, is_known, text_of
from faasguard.model import ErrorKind, ScanError

MAX_MODULE_DEPTH = 8
MAX_INSTANCES = 256
MAX_FILE_READ = 1024 * 1024
_META_ARGS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


@dataclass
class ModuleFiles:
    """The parsed ``.tf`` files of one directory."""

    dir: Path  # absolute
    rel: str  # relative to the scan root, POSIX ("." for the root)
    files: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    tfvars: list[tuple[str, Body]] = field(default_factory=list)

    def blocks_of(self, kind: str) -> Iterator[Block]:
        return (b for b in self.blocks if b.kind == kind)


class Parsed:
    """Every Terraform directory of the scan, parsed once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dirs: dict[Path, ModuleFiles] = {}

    def directory(self, path: Path) -> ModuleFiles | None:
        path = path.resolve()
        if path in self.dirs:
            return self.dirs[path]
        try:
            rel = path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return None
        if not path.is_dir():
            return None
        mod = ModuleFiles(path, rel)
        for file_path in sorted(path.iterdir()):
            name = file_path.name
            if not file_path.is_file() or not name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
                continue
            file = file_path.relative_to(self.root).as_posix()
            try:
                body = parse_file(file_path, file)
            except DocumentError as exc:
                mod.errors.append(ScanError(file, exc.message, exc.kind, exc.line))
                continue
            except Exception as exc:  # a parser bug must not end the scan
                mod.errors.append(ScanError(file, f"could not parse: {type(exc).__name__}: {exc}",
                                            ErrorKind.INTERNAL))
                continue
            if ".tfvars" in name:
                mod.tfvars.append((file, body))
                continue
            mod.files.append(file)
            mod.blocks.extend(body.blocks)
            try:
                mod.texts[file] = file_path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                mod.texts[file] = ""
        self.dirs[path] = mod
        return mod

    def local_sources(self, mod: ModuleFiles) -> list[Path]:
        """Directories this module calls as local modules."""
        out: list[Path] = []
        for block in mod.blocks_of("module"):
            attr = block.body.attributes.get("source")
            source = _literal_source(attr)
            if source and is_local_source(source):
                out.append((mod.dir / source).resolve())
        return out


def _literal_source(attr: Attribute | None) -> str | None:
    if attr is None:
        return None
    value = Evaluator(_EmptyScope()).eval(attr.expr)
    return value if isinstance(value, str) else None


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


class _EmptyScope:
    prefix = ""

    def variable(self, name: str) -> Any:
        return Ref(f"var.{name}", "", f"var.{name}")

    def local(self, name: str) -> Any:
        return Unknown(f"local.{name}")

    def module_output(self, module: str, output: str) -> Any:
        return MISSING

    def path_value(self, name: str) -> Any:
        return "."

    def read_file(self, path: str) -> str | None:
        return None

    def source_of(self, node: Any) -> str:
        return "<expression>"


@dataclass
class Instance:
    """One resource / data source instance (after count / for_each)."""

    address: str  # "module.api.aws_lambda_function.this[0]"
    base: str  # without the index: "module.api.aws_lambda_function.this"
    mode: str  # "resource" | "data"
    type: str
    name: str
    block: Block
    module: ModuleInstance
    names: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> Body:
        return self.block.body

    @property
    def file(self) -> str:
        return self.block.file

    def evaluator(self) -> Evaluator:
        return Evaluator(self.module, self.names)

    def attr(self, name: str, body: Body | None = None, default: Any = None) -> Any:
        body = body or self.block.body
        attribute = body.attributes.get(name)
        if attribute is None:
            return default
        return self.module.evaluate(attribute, {**self.names, **body.names} if body.names else self.names)

    def has(self, name: str, body: Body | None = None) -> bool:
        return name in (body or self.block.body).attributes

    def line(self, name: str, body: Body | None = None) -> int:
        attribute = (body or self.block.body).attributes.get(name)
        return attribute.line if attribute is not None else self.block.line


@dataclass
class ModuleCall:
    """A ``module`` block whose source is not local (registry, git ...)."""

    address: str  # "module.lambda"
    source: str
    block: Block
    module: ModuleInstance  # the caller, where its arguments are evaluated
    names: dict[str, Any] = field(default_factory=dict)

    def attr(self, name: str, default: Any = None) -> Any:
        attribute = self.block.body.attributes.get(name)
        return self.module.evaluate(attribute, self.names) if attribute is not None else default

    def line(self, name: str) -> int:
        attribute = self.block.body.attributes.get(name)
        return attribute.line if attribute is not None else self.block.line


class ModuleInstance:
    """A module directory instantiated with its inputs: the scope its expressions see."""

    def __init__(self, parsed: Parsed, files: ModuleFiles, prefix: str, inputs: dict[str, Any],
                 root_dir: Path, errors: list[ScanError], depth: int = 0, chain: tuple[Path, ...] = ()) -> None:
        self.parsed = parsed
        self.files = files
        self.prefix = prefix
        self.inputs = inputs
        self.root_dir = root_dir
        self.errors = errors
        self.depth = depth
        self.chain = (*chain, files.dir)
        self._locals: dict[str, Attribute] = {}
        for block in files.blocks_of("locals"):
            self._locals.update(block.body.attributes)
        self._variables = {b.labels[0]: b for b in files.blocks_of("variable") if b.labels}
        self._outputs = {b.labels[0]: b for b in files.blocks_of("output") if b.labels}
        self._local_cache: dict[str, Any] = {}
        self._var_cache: dict[str, Any] = {}
        self._evaluating: set[str] = set()
        self._text_stack: list[str] = []
        self.children: dict[str, ModuleInstance] = {}
        self.calls: list[ModuleCall] = []
        self._load_children()

    # ---- Scope ----------------------------------------------------------------------------

    def evaluate(self, attribute: Attribute, names: dict[str, Any] | None = None) -> Any:
        self._text_stack.append(attribute.source or self.files.texts.get(attribute.file, ""))
        try:
            return Evaluator(self, names).eval(attribute.expr)
        except RecursionError:
            return Unknown("<expression too deep>")
        finally:
            self._text_stack.pop()

    def source_of(self, node: Any) -> str:
        text = self._text_stack[-1] if self._text_stack else ""
        meta = getattr(node, "meta", None)
        if meta is not None and not meta.empty and text:
            return text[meta.start_pos:meta.end_pos]
        return str(node) if not hasattr(node, "data") else "<expression>"

    def variable(self, name: str) -> Any:
        if name in self._var_cache:
            return self._var_cache[name]
        if name in self.inputs:
            value = self.inputs[name]
        else:
            block = self._variables.get(name)
            attr = block.body.attributes.get("default") if block is not None else None
            value = self.evaluate(attr) if attr is not None else Ref(f"var.{name}", "", f"var.{name}")
        self._var_cache[name] = value
        return value

    def local(self, name: str) -> Any:
        if name in self._local_cache:
            return self._local_cache[name]
        attr = self._locals.get(name)
        if attr is None or name in self._evaluating:
            return Unknown(f"local.{name}")
        self._evaluating.add(name)
        try:
            value = self.evaluate(attr)
        finally:
            self._evaluating.discard(name)
        self._local_cache[name] = value
        return value

    def module_output(self, module: str, output: str) -> Any:
        child = self.children.get(module)
        if child is None:
            return MISSING
        block = child._outputs.get(output)
        attr = block.body.attributes.get("value") if block is not None else None
        if attr is None:
            return MISSING
        key = f"\x00output.{module}.{output}"
        if key in self._evaluating:
            return Unknown(f"module.{module}.{output}")
        self._evaluating.add(key)
        try:
            return child.evaluate(attr)
        finally:
            self._evaluating.discard(key)

    def path_value(self, name: str) -> Any:
        if name == "module":
            return self.module_path()
        return "."

    def module_path(self) -> str:
        """This module's directory relative to the root module (what ``path.module`` gives)."""
        rel = posixpath.relpath(self.files.dir.as_posix(), self.root_dir.as_posix())
        return "." if rel == "." else rel

    def read_file(self, path: str) -> str | None:
        """``file()``: only inside the scan root, and never large files."""
        full = (self.root_dir / path).resolve() if not posixpath.isabs(path) else Path(path).resolve()
        try:
            full.relative_to(self.parsed.root)
            if not full.is_file() or full.stat().st_size > MAX_FILE_READ:
                return None
            return full.read_text(encoding="utf-8", errors="replace")
        except (ValueError, OSError):
            return None

    def scan_path(self, path: str) -> str | None:
        """A path as Terraform resolves it (relative to the root module), relative to the scan root
        when it stays inside it."""
        if not isinstance(path, str) or not path:
            return None
        full = (self.root_dir / path).resolve()
        try:
            return full.relative_to(self.parsed.root).as_posix() or "."
        except ValueError:
            return None

    # ---- children ---------------------------------------------------------------------------

    def _load_children(self) -> None:
        for block in self.files.blocks_of("module"):
            if not block.labels:
                continue
            name = block.labels[0]
            source_attr = block.body.attributes.get("source")
            source = self.evaluate(source_attr) if source_attr is not None else None
            if not isinstance(source, str):
                continue
            count = self._count(block)
            if count == 0:
                continue
            address = f"{self.prefix}module.{name}"
            if not is_local_source(source):
                self.calls.append(ModuleCall(address, source, block, self))
                continue
            target = (self.files.dir / source).resolve()
            files = self.parsed.directory(target)
            if files is None:
                self.errors.append(ScanError(block.file, f"module {name}: local source {source} not found",
                                             ErrorKind.PARSE, block.line))
                continue
            if target in self.chain or self.depth >= MAX_MODULE_DEPTH:
                self.errors.append(ScanError(block.file, f"module {name}: modules nest too deep or call "
                                             "themselves; not followed", ErrorKind.UNSAFE, block.line))
                continue
            inputs = {k: self.evaluate(a) for k, a in block.body.attributes.items() if k not in _META_ARGS}
            self.children[name] = ModuleInstance(self.parsed, files, f"{address}.", inputs, self.root_dir,
                                                 self.errors, self.depth + 1, self.chain)

    def _count(self, block: Block, names: dict[str, Any] | None = None) -> int | None:
        attr = block.body.attributes.get("count")
        if attr is None:
            return None
        value = self.evaluate(attr, names)
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return max(0, value)
        if isinstance(value, str) and value.isdigit():
            return int(value)
        return None

    # ---- instances ----------------------------------------------------------------------------

    def instances(self) -> Iterator[Instance]:
        """Every resource and data source instance of this module and its children."""
        for block in self.files.blocks:
            if block.kind not in ("resource", "data") or len(block.labels) < 2:
                continue
            yield from self._expand(block)
        for child in self.children.values():
            yield from child.instances()

    def all_calls(self) -> Iterator[ModuleCall]:
        yield from self.calls
        for child in self.children.values():
            yield from child.all_calls()

    def all_files(self) -> Iterator[str]:
        yield from self.files.files
        for child in self.children.values():
            yield from child.all_files()

    def _expand(self, block: Block) -> Iterator[Instance]:
        rtype, name = block.labels[0], block.labels[1]
        mode = block.kind
        base = f"{self.prefix}{'data.' if mode == 'data' else ''}{rtype}.{name}"

        def make(address: str, names: dict[str, Any]) -> Instance:
            expanded = Block(block.kind, block.labels, self._dynamic(block.body, names, 0), block.line, block.file,
                             block.end_line)
            return Instance(address, base, mode, rtype, name, expanded, self, names)

        if "count" in block.body.attributes:
            count = self._count(block)
            if count is None:
                self._note(block, f"{base}: count could not be decided; scanned as one instance")
                yield make(base, {"count": {"index": 0}})
                return
            for i in range(min(count, MAX_INSTANCES)):
                yield make(f"{base}[{i}]", {"count": {"index": i}})
            return
        if "for_each" in block.body.attributes:
            coll = self.evaluate(block.body.attributes["for_each"])
            items: list[tuple[Any, Any]] | None = None
            if isinstance(coll, dict) and is_known(list(coll.keys())):
                items = list(coll.items())
            elif isinstance(coll, list) and all(isinstance(x, str) for x in coll):
                items = [(x, x) for x in coll]
            if items is None:
                self._note(block, f"{base}: for_each could not be decided; scanned as one instance")
                yield make(base, {"each": {"key": Unknown("each.key"), "value": Unknown("each.value")}})
                return
            for key, value in items[:MAX_INSTANCES]:
                yield make(f"{base}[{json.dumps(str(key))}]", {"each": LDict({"key": key, "value": value})})
            return
        yield make(base, {})

    def _dynamic(self, body: Body, names: dict[str, Any], depth: int) -> Body:
        """``dynamic "x" { for_each = ...; content { ... } }`` -> one ``x`` block per item (none for an
        empty collection; one with unknown iterator values when the collection is undecidable)."""
        if depth > 5 or not body.blocks:
            return body
        blocks: list[Block] = []
        for block in body.blocks:
            if block.kind != "dynamic" or not block.labels:
                inner = self._dynamic(block.body, {**names, **body.names}, depth + 1)
                blocks.append(block if inner is block.body else
                              Block(block.kind, block.labels, inner, block.line, block.file, block.end_line))
                continue
            label = block.labels[0]
            content = block.body.block("content")
            if content is None:
                continue
            iterator_attr = block.body.attributes.get("iterator")
            iterator = label
            if iterator_attr is not None:
                iterator = str(self.evaluate(iterator_attr, names)) if not hasattr(iterator_attr.expr, "data") else \
                    self.source_of_attr(iterator_attr)
            attr = block.body.attributes.get("for_each")
            coll = self.evaluate(attr, {**names, **body.names}) if attr is not None else None
            if isinstance(coll, dict):
                items: list[tuple[Any, Any]] = list(coll.items())
            elif isinstance(coll, list):
                items = list(enumerate(coll))
            else:
                items = [(Unknown(f"{iterator}.key"), Unknown(f"{iterator}.value"))]
            for key, value in items[:MAX_INSTANCES]:
                scope = {**body.names, iterator: LDict({"key": key, "value": value})}
                generated = Body(content.body.attributes, content.body.blocks, scope)
                generated = self._dynamic(generated, {**names, **scope}, depth + 1)
                blocks.append(Block(label, (), generated, block.line, block.file, block.end_line))
        return Body(body.attributes, blocks, body.names)

    def source_of_attr(self, attr: Attribute) -> str:
        text = attr.source or self.files.texts.get(attr.file, "")
        meta = getattr(attr.expr, "meta", None)
        return text[meta.start_pos:meta.end_pos].strip() if meta is not None and not meta.empty else ""

    def _note(self, block: Block, message: str) -> None:
        self.errors.append(ScanError(block.file, message, ErrorKind.UNSUPPORTED, block.line))


def first_text(value: Any) -> str | None:
    if isinstance(value, SYMBOLIC):
        return None
    return text_of(value)
