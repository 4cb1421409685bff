"""Serverless Framework variables (``${source:address, fallback}``), resolved statically.

The resolver returns a copy of the configuration where every variable is replaced by what it
resolves to without network access and without running anything:

- ``self``, ``sls:stage``, ``opt``, ``param``, ``file(...)`` and ``strToBool(...)`` become the
  values they stand for (dicts, lists and scalars keep the marks of where they are written, with
  the file they come from, so content pulled in from an included file keeps that file's lines);
- references that only the deploying machine or AWS can answer become :class:`Value` objects of
  the matching kind (``ssm`` -> SSM / SECRETS_MANAGER, ``env`` -> ENV unless the caller opts in,
  ``cf``/``output`` -> STACK_OUTPUT, ``aws``/``s3``/``sls:instanceId`` -> REMOTE, an undefined
  ``param`` -> PARAMETER, anything else -> UNRESOLVED).

A string mixing text and variables becomes text when every part resolves; otherwise a ``Value``
of the kind of the first unresolved part whose ``raw`` is the text with the resolved parts filled
in. Nothing here raises on bad input: problems are recorded in ``errors``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard.loaders.base import LoadOptions
from faasguard.loaders.document import Document, DocumentError, key_position, load_document, read_text
from faasguard.model import ErrorKind, Location, ScanError, Value, ValueKind

MAX_VARIABLE_DEPTH = 40  # nested/recursive variable resolutions before we give up on a value
MAX_INCLUDED_FILES = 200  # distinct files
MAX_FILE_RESOLUTIONS = 10_000  # ${file()} evaluations (the same file included from many places)
# Nodes that ${self:}/${file()} substitutions may add in total: references to references can
# otherwise expand exponentially (a "billion laughs" made of variables).
MAX_EXPANDED_NODES = 2_000_000
_STRUCTURED_SUFFIXES = (".yml", ".yaml", ".json")
# Serverless runs these to get a value: never done here.
_CODE_SUFFIXES = (".js", ".cjs", ".mjs", ".ts", ".cts", ".mts")
# ``${source:``, ``${source(params):`` or ``${source(params)}``; not ``${AWS::Region}`` or ``${Bucket.Arn}``
# (those belong to Fn::Sub and are left as written).
_SOURCE_RE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_-]*)\s*(\(|:(?!:))")
_NUMBER_RE = re.compile(r"-?\d+(\.\d+)?")
_PROVIDER_DEFAULTS = (("provider", "stage"), ("provider", "region"))


class FileMark:
    """A YAML-mark look-alike (0-based line/column) that also knows its file.

    A plain slotted class: tens of thousands are made for big services, so no dataclass overhead."""

    __slots__ = ("line", "column", "file")

    def __init__(self, line: int, column: int, file: str) -> None:
        self.line = line
        self.column = column
        self.file = file

    def __repr__(self) -> str:
        return f"FileMark(line={self.line}, column={self.column}, file={self.file!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileMark) and (self.line, self.column, self.file) == (
            other.line, other.column, other.file)

    def __hash__(self) -> int:
        return hash((self.line, self.column, self.file))


class MarkedDict(dict):  # type: ignore[type-arg]
    """A resolved mapping with marks (like cfn-lint's nodes, lighter) and its key nodes by name."""

    __slots__ = ("start_mark", "end_mark", "key_nodes", "weight")

    def __init__(self, start_mark: FileMark, end_mark: FileMark) -> None:
        super().__init__()
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.key_nodes: dict[str, Any] = {}
        self.weight = 1  # nodes in this subtree once shared substitutions are expanded


class MarkedList(list):  # type: ignore[type-arg]
    __slots__ = ("start_mark", "end_mark", "weight")

    def __init__(self, items: list[Any], start_mark: FileMark, end_mark: FileMark) -> None:
        super().__init__(items)
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.weight = 1 + sum(getattr(i, "weight", 1) for i in items)


class MarkedStr(str):
    __slots__ = ("start_mark", "end_mark")

    def __new__(cls, text: str, start_mark: FileMark, end_mark: FileMark) -> MarkedStr:
        obj = super().__new__(cls, text)
        obj.start_mark = start_mark  # type: ignore[attr-defined]
        obj.end_mark = end_mark  # type: ignore[attr-defined]
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # parallel scans send model values between processes
        return (MarkedStr, (str(self), getattr(self, "start_mark", None), getattr(self, "end_mark", None)))


def mark_file(node: Any) -> str | None:
    return getattr(getattr(node, "start_mark", None), "file", None)


class ResolvedDocument(Document):
    """A document whose nodes may come from several files: locations use each node's own file."""

    def location(self, node: Any = None, *pointer: str | int) -> Location:
        loc = super().location(node, *pointer)
        file = mark_file(node)
        return Location(file, loc.line, loc.column, loc.end_line, loc.pointer) if file else loc

    def key_location(self, mapping: Any, key: str, *pointer: str | int) -> Location:
        key_nodes = getattr(mapping, "key_nodes", None)
        if key_nodes is not None:  # resolved mappings index their key nodes: O(1) for big services
            node = key_nodes.get(key)
            mark = getattr(node if node is not None else mapping, "start_mark", None)
            if isinstance(mark, FileMark):
                return Location(mark.file, mark.line + 1, mark.column + 1, 0, tuple(pointer))
        file = None
        if isinstance(mapping, Mapping):
            for k in mapping:
                if k == key:
                    file = mark_file(k)
                    break
            file = file or mark_file(mapping)
        line, col = key_position(mapping, key)
        return Location(file or self.file, line, col, 0, tuple(pointer))


class _Missing:
    """A source that has nothing at that address: the next fallback is tried."""

    __slots__ = ("soft",)

    def __init__(self, soft: Value | None = None) -> None:
        self.soft = soft  # what to use if no fallback resolves (e.g. an ENV reference)


_MISSING = _Missing()


@dataclass
class _Scope:
    """Where the text being resolved sits: for locations and error messages."""

    file: str
    node: Any
    path: tuple[str | int, ...]

    def mark(self) -> FileMark:
        m = getattr(self.node, "start_mark", None)
        if isinstance(m, FileMark):
            return m
        return FileMark(int(getattr(m, "line", 0)), int(getattr(m, "column", 0)), self.file)

    def location(self) -> Location:
        m = self.mark()
        return Location(m.file, m.line + 1, m.column + 1, 0, self.path)


@dataclass
class _Part:
    text: str
    is_var: bool


def split_template(text: str) -> list[_Part] | None:
    """Split ``a-${x}-b`` into parts; None when the text holds no variable at all."""
    if "${" not in text:
        return None
    parts: list[_Part] = []
    i, start, n = 0, 0, len(text)
    found = False
    while i < n:
        if text.startswith("${", i):
            end = _matching_brace(text, i + 2)
            inner = text[i + 2:end] if end is not None else ""
            if end is not None and _is_variable(inner):
                if i > start:
                    parts.append(_Part(text[start:i], False))
                parts.append(_Part(inner, True))
                found = True
                i = start = end + 1
                continue
            i += 2
            continue
        i += 1
    if not found:
        return None
    if start < n:
        parts.append(_Part(text[start:], False))
    return parts


def _matching_brace(text: str, i: int) -> int | None:
    depth, quote = 1, ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _is_variable(inner: str) -> bool:
    return _SOURCE_RE.match(inner) is not None


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside quotes, parentheses and nested ``${}``."""
    out: list[str] = []
    depth, quote, start = 0, "", 0
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif c == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


class VariableError(Exception):
    pass


@dataclass
class Resolver:
    """Resolves one serverless.yml (``doc``) in the context of a scan.

    ``scan_root`` bounds ``${file()}``: included files must be inside it, symlinks included.
    """

    doc: Document
    scan_root: Path
    options: LoadOptions = field(default_factory=LoadOptions)
    errors: list[ScanError] = field(default_factory=list)
    included: dict[Path, Document] = field(default_factory=dict)
    _cache: dict[tuple[str | int, ...], Any] = field(default_factory=dict)
    _in_progress: set[tuple[str | int, ...]] = field(default_factory=set)
    # raw trees that replace a variable at a path (an included file), so ``${self:}`` can look
    # inside them while the include itself is still being resolved
    _raw_override: dict[tuple[str | int, ...], tuple[Any, str]] = field(default_factory=dict)
    _depth: int = 0
    _expanded: int = 0
    _expansion_reported: bool = False
    _file_reads: int = 0
    _stage: str | None = None
    _stage_busy: bool = False
    _error_keys: set[tuple[str, int, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.scan_root = self.scan_root.resolve()
        self.service_dir = self.doc.path.parent

    # ---- public API -------------------------------------------------------------------------

    def resolve_all(self) -> Any:
        """The whole configuration, resolved."""
        return self._resolve_at((), self.doc.data, self.doc.file)

    def lookup(self, *path: str | int) -> Any:
        """The resolved node at ``path`` (``_MISSING`` -> None)."""
        found = self._lookup_self(tuple(path))
        return None if isinstance(found, _Missing) else found

    @property
    def stage(self) -> str:
        if self._stage is None:
            if self.options.stage:
                self._stage = self.options.stage
            elif self._stage_busy:
                return "dev"  # provider.stage refers to the stage: break the loop
            else:
                self._stage_busy = True
                try:
                    value = self._lookup_self(("provider", "stage"))
                finally:
                    self._stage_busy = False
                self._stage = value if isinstance(value, str) and value else "dev"
        return self._stage

    @property
    def region(self) -> str:
        if self.options.region:
            return self.options.region
        value = self._lookup_self(("provider", "region"))
        return value if isinstance(value, str) and value else "us-east-1"

    # ---- errors ------------------------------------------------------------------------------

    def _error(self, scope: _Scope, message: str, kind: ErrorKind = ErrorKind.PARSE) -> None:
        loc = scope.location()
        key = (loc.file, loc.line, message)
        if key in self._error_keys:
            return
        self._error_keys.add(key)
        self.errors.append(ScanError(loc.file, message, kind, loc.line))

    # ---- tree walking ----------------------------------------------------------------------

    def _resolve_at(self, path: tuple[str | int, ...], raw: Any, file: str) -> Any:
        if path in self._cache:
            return self._cache[path]
        if path in self._in_progress:
            raise VariableError(f"variable cycle through '{_dotted(path)}'")
        self._in_progress.add(path)
        try:
            result = self._resolve_node(path, raw, file)
        finally:
            self._in_progress.discard(path)
        self._cache[path] = result
        return result

    def _resolve_node(self, path: tuple[str | int, ...], raw: Any, file: str) -> Any:
        if isinstance(raw, dict):
            out = MarkedDict(_mark(raw, file), _mark(raw, file, end=True))
            key_nodes = out.key_nodes
            for key, value in raw.items():
                k = key if isinstance(key, str) else str(key)
                mark = _mark(key, file)
                new_key = MarkedStr(k, mark, mark)
                key_nodes[k] = new_key
                child = self._resolve_child(path + (k,), value, file)
                out.weight += getattr(child, "weight", 1)
                out[new_key] = child
            return out
        if isinstance(raw, list):
            items = [self._resolve_child(path + (i,), v, file) for i, v in enumerate(raw)]
            return MarkedList(items, _mark(raw, file), _mark(raw, file, end=True))
        if isinstance(raw, str):
            return self._resolve_string(raw, _Scope(file, raw, path))
        return raw

    def _resolve_child(self, path: tuple[str | int, ...], raw: Any, file: str) -> Any:
        try:
            return self._resolve_at(path, raw, file)
        except VariableError as exc:
            scope = _Scope(file, raw, path)
            self._error(scope, str(exc))
            return Value.unresolved(str(raw) if isinstance(raw, str) else "", scope.location())

    # ---- strings ---------------------------------------------------------------------------

    def _resolve_string(self, text: str, scope: _Scope) -> Any:
        parts = split_template(text)
        if parts is None:
            mark = scope.mark()
            return MarkedStr(text, mark, mark)
        if len(parts) == 1 and parts[0].is_var:
            value = self._resolve_variable(parts[0].text, scope)
            weight = getattr(value, "weight", 0)
            if weight:
                self._expanded += weight
                if self._expanded > MAX_EXPANDED_NODES:
                    if not self._expansion_reported:
                        self._expansion_reported = True
                        self._error(scope, f"variables expand to more than {MAX_EXPANDED_NODES:,} nodes; "
                                           "the rest were not expanded", ErrorKind.UNSAFE)
                    self._expanded -= weight
                    return Value.unresolved(text, scope.location())
            if isinstance(value, str) and not isinstance(getattr(value, "start_mark", None), FileMark):
                return MarkedStr(value, scope.mark(), scope.mark())
            return value
        pieces: list[str] = []
        first_ref: Value | None = None
        for part in parts:
            if not part.is_var:
                pieces.append(part.text)
                continue
            value = self._resolve_variable(part.text, scope)
            if isinstance(value, Value):
                pieces.append("${" + part.text + "}")
                first_ref = first_ref or value
            elif isinstance(value, (dict, list)):
                self._error(scope, f"'${{{part.text.strip()}}}' resolves to a {type(value).__name__.split('_')[0]} "
                                   "inside a string")
                pieces.append("${" + part.text + "}")
                first_ref = first_ref or Value.unresolved("${" + part.text + "}", scope.location())
            else:
                pieces.append(_scalar_text(value))
        joined = "".join(pieces)
        if first_ref is not None:
            return Value(first_ref.kind, ref=first_ref.ref, attribute=first_ref.attribute, raw=joined,
                         location=scope.location())
        return MarkedStr(joined, scope.mark(), scope.mark())

    def _resolve_variable(self, inner: str, scope: _Scope) -> Any:
        """One ``${...}`` (without the braces): fallbacks tried left to right."""
        if self._depth >= MAX_VARIABLE_DEPTH:
            self._error(scope, f"variables nested or chained more than {MAX_VARIABLE_DEPTH} levels deep",
                        ErrorKind.UNSAFE)
            return Value.unresolved("${" + inner + "}", scope.location())
        self._depth += 1
        try:
            soft: Value | None = None
            for option in _split_top(inner, ","):
                result = self._resolve_option(option.strip(), scope)
                if isinstance(result, _Missing):
                    soft = soft or result.soft
                    continue
                if result is None:  # an explicit null is "not set": Serverless tries the next one
                    continue
                return result
            if soft is not None:
                return Value(soft.kind, ref=soft.ref, attribute=soft.attribute, raw="${" + inner + "}",
                             location=scope.location())
            return Value.unresolved("${" + inner + "}", scope.location())
        except VariableError as exc:
            self._error(scope, str(exc))
            return Value.unresolved("${" + inner + "}", scope.location())
        except RecursionError:
            self._error(scope, "variables nested too deeply", ErrorKind.UNSAFE)
            return Value.unresolved("${" + inner + "}", scope.location())
        finally:
            self._depth -= 1

    def _resolve_option(self, option: str, scope: _Scope) -> Any:
        if not option:
            return _MISSING
        if option.startswith("${") and option.endswith("}") and _matching_brace(option, 2) == len(option) - 1:
            return self._resolve_variable(option[2:-1], scope)
        if option[0] in "'\"" and option[-1] == option[0] and len(option) >= 2:
            return self._resolve_string(option[1:-1], scope)
        if _NUMBER_RE.fullmatch(option):
            return float(option) if "." in option else int(option)
        if option in ("true", "false"):
            return option == "true"
        if option == "null":
            return None
        m = _SOURCE_RE.match(option)
        if m is None:
            self._error(scope, f"cannot read variable '{option}'")
            return _MISSING
        source = m.group(1)
        rest = option[m.end(1):].lstrip()
        params = ""
        if rest.startswith("("):
            close = _matching_paren(rest)
            if close is None:
                self._error(scope, f"unbalanced parentheses in variable '{option}'")
                return _MISSING
            params, rest = rest[1:close], rest[close + 1:]
        address = rest[1:] if rest.startswith(":") else ""
        # nested variables in the address or parameters: if one is unknown, so is this source (and
        # the next fallback gets its chance)
        if "${" in address:
            resolved = self._resolve_string(address, scope)
            if isinstance(resolved, Value):
                return _Missing(Value(resolved.kind, ref=resolved.ref, raw="${" + option + "}",
                                      location=scope.location()))
            address = str(resolved)
        if "${" in params and source != "strToBool":
            resolved = self._resolve_string(params, scope)
            if isinstance(resolved, Value):
                return _Missing(Value(resolved.kind, ref=resolved.ref, raw="${" + option + "}",
                                      location=scope.location()))
            params = str(resolved)
        return self._source(source, params.strip(), address.strip(), scope, option)

    # ---- sources ---------------------------------------------------------------------------

    def _source(self, source: str, params: str, address: str, scope: _Scope, option: str) -> Any:
        loc = scope.location()
        raw = "${" + option + "}"
        if source == "self":
            path = _split_address(address)
            found = self._lookup_self(path)
            if path in _PROVIDER_DEFAULTS and isinstance(found, (_Missing, Value)):
                # the framework fills these in before ${self:} reads them
                return self.stage if path[1] == "stage" else (self.options.region or "us-east-1")
            return found
        if source == "sls":
            if address == "stage":
                return self.stage
            if address == "instanceId":
                return Value(ValueKind.REMOTE, ref="sls:instanceId", raw=raw, location=loc)
            return _MISSING
        if source == "opt":
            return self._option(address)
        if source == "param":
            if address in self.options.variables:
                return self.options.variables[address]
            # v3 ``params.<stage>`` / ``params.default``; v4 also ``stages.<stage>.params``
            for lookup in (("params", self.stage), ("stages", self.stage, "params"), ("params", "default"),
                           ("stages", "default", "params")):
                found = self._lookup_self((*lookup, address))
                if not isinstance(found, _Missing) and found is not None:
                    return found
            return _Missing(Value(ValueKind.PARAMETER, ref=address, raw=raw, location=loc))
        if source == "env":
            name = address
            if self.options.allow_env:
                env_value = os.environ.get(name)
                return _MISSING if env_value is None else env_value
            return _Missing(Value(ValueKind.ENV, ref=name, raw=raw, location=loc))
        if source == "file":
            return self._file(params, address, scope)
        if source == "strToBool":
            return self._str_to_bool(params, scope)
        if source == "ssm":
            name = address.split("~", 1)[0]
            kind = ValueKind.SECRETS_MANAGER if name.startswith("/aws/reference/secretsmanager/") \
                else ValueKind.SSM
            return Value(kind, ref=name, raw=raw, location=loc)
        if source in ("cf", "output"):
            return Value(ValueKind.STACK_OUTPUT, ref=address, raw=raw, location=loc)
        if source in ("aws", "s3"):
            return Value(ValueKind.REMOTE, ref=f"{source}:{address}", raw=raw, location=loc)
        return Value(ValueKind.UNRESOLVED, ref=f"{source}:{address}", raw=raw, location=loc)

    def _option(self, name: str) -> Any:
        if name in self.options.variables:
            return self.options.variables[name]
        if name == "stage":
            return self.options.stage or _MISSING
        if name == "region":
            return self.options.region or _MISSING
        return _MISSING

    def _str_to_bool(self, params: str, scope: _Scope) -> Any:
        arg: Any = params.strip()
        if "${" in arg:
            arg = self._resolve_string(arg, scope)
        elif arg[:1] in "'\"" and arg[-1:] == arg[:1] and len(arg) >= 2:
            arg = arg[1:-1]
        if isinstance(arg, Value):
            return arg
        if isinstance(arg, bool):
            return arg
        text = str(arg).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0", ""):
            return False
        self._error(scope, f"strToBool: '{arg}' is not a boolean")
        return Value.unresolved("${strToBool(" + params + ")}", scope.location())

    def _lookup_self(self, path: tuple[str | int, ...]) -> Any:
        """The resolved value at ``path`` of the configuration, or ``_MISSING``."""
        if path in self._cache:
            return self._cache[path]
        node: Any = self.doc.data
        file = self.doc.file
        resolved = False
        walked: tuple[str | int, ...] = ()
        for key in path:
            if not resolved:
                if walked in self._cache:
                    node, resolved = self._cache[walked], True
                elif walked in self._raw_override:
                    node, file = self._raw_override[walked]
                elif isinstance(node, str) and split_template(node) is not None:
                    node, resolved = self._resolve_at(walked, node, file), True
            step = _index(node, key)
            node = _child(node, step)
            if isinstance(node, _Missing):
                return node
            walked = walked + (step,)
        if resolved:
            return node
        if walked in self._cache:
            return self._cache[walked]
        if walked in self._raw_override:
            node, file = self._raw_override[walked]
        return self._resolve_at(walked, node, file)

    # ---- files -----------------------------------------------------------------------------

    def _file(self, params: str, address: str, scope: _Scope) -> Any:
        self._file_reads += 1
        if self._expansion_reported or self._file_reads > MAX_FILE_RESOLUTIONS:
            if not self._expansion_reported:
                self._expansion_reported = True
                self._error(scope, f"more than {MAX_FILE_RESOLUTIONS:,} ${{file()}} resolutions; the rest were "
                                   "not expanded", ErrorKind.UNSAFE)
            return Value.unresolved("${file(" + params + ")}", scope.location())
        rel = params.strip().strip("'\"")
        if not rel:
            self._error(scope, "${file()} without a path")
            return _MISSING
        base = self.service_dir
        if scope.file != self.doc.file:  # paths in an included file are relative to that file
            for path, included in self.included.items():
                if included.file == scope.file:
                    base = path.parent
                    break
        target = Path(os.path.normpath(base / rel))
        try:
            real = Path(os.path.realpath(target))
        except (OSError, ValueError):
            self._error(scope, f"cannot resolve ${{file({rel})}}", ErrorKind.UNSAFE)
            return _MISSING
        if not _is_within(real, self.scan_root) or not _is_within(target, self.scan_root):
            self._error(scope, f"${{file({rel})}} points outside the scanned directory; not read",
                        ErrorKind.UNSAFE)
            return _MISSING
        if not real.exists():
            self._error(scope, f"${{file({rel})}}: file not found", ErrorKind.PARSE)
            return _MISSING
        if not real.is_file():
            self._error(scope, f"${{file({rel})}} is not a file", ErrorKind.PARSE)
            return _MISSING
        lower = real.name.lower()
        if lower.endswith(_CODE_SUFFIXES):
            self._error(scope, f"${{file({rel})}} is code that Serverless would run; it was not executed",
                        ErrorKind.UNSUPPORTED)
            return Value.unresolved("${file(" + params + ")" + (":" + address if address else "") + "}",
                                    scope.location())
        cached = self.included.get(real)
        if cached is not None:
            included = cached
        else:
            if len(self.included) >= MAX_INCLUDED_FILES:
                self._error(scope, f"more than {MAX_INCLUDED_FILES} included files", ErrorKind.UNSAFE)
                return _MISSING
            rel_file = real.relative_to(self.scan_root).as_posix()
            try:
                if lower.endswith(_STRUCTURED_SUFFIXES):
                    included = load_document(real, rel_file)
                else:  # any other file is read as text (a PEM key, a policy template ...)
                    text = read_text(real)
                    mark = FileMark(0, 0, rel_file)
                    included = Document(MarkedStr(text, mark, mark), rel_file, real, text)
            except DocumentError as exc:
                self.errors.append(ScanError(real.relative_to(self.scan_root).as_posix(), exc.message,
                                             exc.kind, exc.line))
                return _MISSING
            self.included[real] = included
        data: Any = included.data
        file = included.file
        for key in _split_address(address):
            if isinstance(data, str) and split_template(data) is not None:
                # a variable on the way: resolved in the including context, then walked
                data = self._resolve_string(data, _Scope(file, data, scope.path))
            data = _child(data, _index(data, key))
            if isinstance(data, _Missing):
                return data
        if isinstance(data, Value) or getattr(getattr(data, "start_mark", None), "file", None) is not None:
            return data  # already resolved on the way
        if isinstance(data, (dict, list)):
            self._raw_override[scope.path] = (data, file)
            try:
                return self._resolve_node(scope.path, data, file)
            finally:
                self._raw_override.pop(scope.path, None)
        if isinstance(data, str):
            return self._resolve_string(data, _Scope(file, data, scope.path))
        return data


def _matching_paren(text: str) -> int | None:
    depth, quote = 0, ""
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def _split_address(address: str) -> tuple[str | int, ...]:
    address = address.strip()
    if not address:
        return ()
    return tuple(p for p in address.split(".") if p != "")


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, dict):
        if key in node:
            return node[key]
        return _MISSING
    if isinstance(node, list):
        try:
            index = int(key)
        except (TypeError, ValueError):
            return _MISSING
        return node[index] if 0 <= index < len(node) else _MISSING
    return _MISSING


def _index(node: Any, key: str | int) -> str | int:
    """List indexes are ints in paths; mapping keys stay strings."""
    if isinstance(node, list) and isinstance(key, str) and key.lstrip("-").isdigit():
        return int(key)
    return key


def _mark(node: Any, file: str, end: bool = False) -> FileMark:
    m = getattr(node, "end_mark" if end else "start_mark", None)
    if isinstance(m, FileMark):
        return m
    return FileMark(int(getattr(m, "line", 0) or 0), int(getattr(m, "column", 0) or 0), file)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path) or "<root>"


def iter_values(node: Any) -> Iterator[Value]:
    """Every unresolved reference in a resolved tree (for tests and diagnostics)."""
    if isinstance(node, Value):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from iter_values(v)
    elif isinstance(node, list):
        for v in node:
            yield from iter_values(v)
