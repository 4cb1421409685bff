"""Reading YAML and JSON documents with line numbers, safely.

YAML goes through ``marked_yaml`` (libyaml, with the node shapes of cfn-lint's template decoder:
marks on every mapping, sequence and string, CloudFormation short-form tags (``!Ref``, ``!Sub``
...) in their long form, YAML alias amplification ("billion laughs") refused); JSON through
cfn-lint's JSON decoder, imported only when a JSON document is read. Serverless Framework files
accept the same tags, so every loader reads through here.

Every failure becomes a :class:`DocumentError` with the file and line; callers turn it into a
``ScanError`` and carry on with the other files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faasguard.model import ErrorKind, Location

MAX_FILE_BYTES = 20 * 1024 * 1024  # larger IaC files are almost certainly not hand-written templates
MAX_DEPTH = 200


class DocumentError(Exception):
    def __init__(self, message: str, kind: ErrorKind = ErrorKind.PARSE, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.line = line


@dataclass(frozen=True)
class Document:
    """A parsed file: ``data`` is the tree (dicts/lists/scalars carrying marks), ``file`` the path
    relative to the scan root, ``path`` the absolute path."""

    data: Any
    file: str
    path: Path
    text: str

    def location(self, node: Any = None, *pointer: str | int) -> Location:
        return Location(self.file, line_of(node), column_of(node), end_line_of(node), tuple(pointer))

    def key_location(self, mapping: Any, key: str, *pointer: str | int) -> Location:
        """Where ``key`` is written inside ``mapping`` (falls back to the mapping's own line)."""
        line, col = key_position(mapping, key)
        return Location(self.file, line, col, 0, tuple(pointer))


def line_of(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    return int(mark.line) + 1 if mark is not None else 0


def column_of(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    return int(mark.column) + 1 if mark is not None else 0


def end_line_of(node: Any) -> int:
    mark = getattr(node, "end_mark", None)
    return int(mark.line) + 1 if mark is not None else 0


def key_position(mapping: Any, key: str) -> tuple[int, int]:
    """Line and column of a key in a decoded mapping (keys are marked strings)."""
    if isinstance(mapping, Mapping):
        for k in mapping:
            if k == key and getattr(k, "start_mark", None) is not None:
                return line_of(k), column_of(k)
    return line_of(mapping), column_of(mapping)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a text file for parsing, refusing what is not a sane IaC file."""
    try:
        if path.is_symlink():
            target = os.path.realpath(path)
            if not os.path.exists(target):
                raise DocumentError("broken or looping symbolic link", ErrorKind.UNSAFE)
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}", ErrorKind.PARSE) from None
    if size > max_bytes:
        raise DocumentError(f"file is {size // (1024 * 1024)} MiB, over the {max_bytes // (1024 * 1024)} MiB limit",
                            ErrorKind.TOO_LARGE)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from None
    if b"\x00" in raw[:8192]:
        raise DocumentError("binary file (contains NUL bytes)", ErrorKind.UNSUPPORTED)
    for encoding in ("utf-8-sig", "utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            bad = exc
    raise DocumentError(f"not valid UTF-8 text (byte {bad.start})", ErrorKind.PARSE)


def parse_text(text: str, file: str, path: Path) -> Document:
    """Parse YAML or JSON text (chosen by content) into a marked tree."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return Document(_parse_json(text, file), file, path, text)
        except DocumentError:
            pass  # JSON-looking YAML flow mappings exist; fall through to YAML
    return Document(_parse_yaml(text, file), file, path, text)


def load_document(path: Path, file: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    doc = parse_text(read_text(path, max_bytes), file, path)
    _check_depth(doc.data)
    return doc


def _parse_yaml(text: str, file: str) -> Any:
    from faasguard.loaders import marked_yaml

    try:
        return marked_yaml.loads(text)
    except marked_yaml.MarkedYAMLError as exc:
        kind = ErrorKind.UNSAFE if exc.unsafe else ErrorKind.PARSE
        raise DocumentError(f"invalid YAML: {exc.message}", kind, exc.line) from None
    except marked_yaml.yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise DocumentError(f"invalid YAML: {exc.problem or exc}", ErrorKind.PARSE, line) from None
    except marked_yaml.yaml.YAMLError as exc:
        raise DocumentError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise DocumentError("YAML nesting is too deep", ErrorKind.UNSAFE) from None
    except (ValueError, TypeError, OverflowError, AttributeError) as exc:
        raise DocumentError(f"invalid YAML: {exc}") from None


def _parse_json(text: str, file: str) -> Any:
    from cfnlint.decode import cfn_json

    try:
        return _remark(cfn_json.loads(text))
    except json.JSONDecodeError as exc:
        raise DocumentError(f"invalid JSON: {exc.msg}", ErrorKind.PARSE, exc.lineno) from None
    except RecursionError:
        raise DocumentError("JSON nesting is too deep", ErrorKind.UNSAFE) from None
    except Exception as exc:  # cfn_json raises its own error types for duplicates and nulls
        matches = getattr(exc, "matches", None) or []
        first = matches[0] if matches else None
        line = int(getattr(first, "linenumber", 0) or 0)
        message = first.message if first is not None else str(exc)
        raise DocumentError(f"invalid JSON: {message}", ErrorKind.PARSE, line) from None


def _remark(node: Any) -> Any:
    """cfn-lint's JSON nodes -> our marked types (one node family everywhere; theirs can't be
    pickled, and parallel scans send documents' values between processes)."""
    from faasguard.loaders.marked_yaml import Mark, MarkedDict, MarkedList, MarkedStr

    def mark(m: Any) -> Mark:
        return Mark(int(getattr(m, "line", 0)), int(getattr(m, "column", 0)))

    def convert(n: Any) -> Any:
        start, end = getattr(n, "start_mark", None), getattr(n, "end_mark", None)
        if isinstance(n, dict):
            items = {convert(k): convert(v) for k, v in n.items()}
            return MarkedDict(items, mark(start), mark(end))
        if isinstance(n, list):
            return MarkedList([convert(v) for v in n], mark(start), mark(end))
        if isinstance(n, str) and start is not None:
            return MarkedStr(str(n), mark(start), mark(end))
        return n

    return convert(node)


def _check_depth(data: Any) -> None:
    """Reject absurdly deep trees before recursive code walks them."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DocumentError(f"nesting deeper than {MAX_DEPTH} levels", ErrorKind.UNSAFE)
        if isinstance(node, dict):
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend((v, depth + 1) for v in node)
