"""Reading Terraform files into blocks and attributes that keep their lines.

python-hcl2 parses the text into a lark tree whose nodes carry line numbers (its own dict
serializer drops them in v8, so we read the tree directly). An attribute keeps its expression
as an unevaluated tree: :mod:`.evaluate` decides its value once variables and locals are known.
``*.tf.json`` files are read with the JSON decoder that keeps marks, and their strings are
parsed as HCL templates, so both spellings give the same blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lark import Token, Tree

from faasguard.loaders.document import DocumentError, line_of, parse_text, read_text
from faasguard.model import ErrorKind

MAX_TF_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Attribute:
    name: str
    expr: Any  # a lark Tree (HCL) or a marked JSON node (.tf.json)
    line: int
    file: str
    source: str = ""  # the file's text, to quote expressions as written


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    # names a generated block's expressions see (a ``dynamic`` block's iterator)
    names: dict[str, Any] = field(default_factory=dict)

    def blocks_of(self, kind: str) -> Iterator[Block]:
        return (b for b in self.blocks if b.kind == kind)

    def block(self, kind: str) -> Block | None:
        return next(self.blocks_of(kind), None)

    def __contains__(self, name: str) -> bool:
        return name in self.attributes


@dataclass
class Block:
    kind: str
    labels: tuple[str, ...]
    body: Body
    line: int
    file: str
    end_line: int = 0


def _text(node: Any) -> str:
    """The name in an identifier / keyword / string label node."""
    if isinstance(node, Token):
        return str(node)
    if isinstance(node, Tree):
        if node.data == "string":
            return "".join(str(p.children[0]) for p in node.children
                           if isinstance(p, Tree) and p.data == "string_part" and isinstance(p.children[0], Token))
        return "".join(_text(c) for c in node.children if not (isinstance(c, Token) and c.type == "DBLQUOTE"))
    return str(node)


def _line(node: Any) -> int:
    if isinstance(node, Token):
        return int(node.line or 0)
    if isinstance(node, Tree) and not node.meta.empty:
        return int(node.meta.line)
    return 0


def _body(tree: Tree[Any], file: str, source: str) -> Body:
    body = Body()
    for child in tree.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name = _text(child.children[0])
            body.attributes[name] = Attribute(name, child.children[-1], _line(child), file, source)
        elif child.data == "block":
            parts = [c for c in child.children if isinstance(c, Tree)]
            kind = _text(parts[0])
            labels = tuple(_text(p) for p in parts[1:] if p.data in ("identifier", "string", "keyword",
                                                                      "literal_value"))
            inner = next((p for p in parts if p.data == "body"), None)
            end = int(child.meta.end_line) if not child.meta.empty else 0
            body.blocks.append(Block(kind, labels, _body(inner, file, source) if inner is not None else Body(),
                                     _line(child), file, end))
    return body


def parse_hcl(text: str, file: str) -> Body:
    """Parse HCL text; raises DocumentError with the line on a syntax error."""
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        try:
            tree = hcl2.parses_to_tree(text)
        except UnexpectedInput:
            # Terraform accepts a heredoc closing marker followed by blanks; the grammar doesn't.
            # Dropping trailing blanks keeps every line number.
            stripped = re.sub(r"[ \t]+(?=\r?\n)", "", text)
            if stripped == text:
                raise
            tree = hcl2.parses_to_tree(stripped)
    except UnexpectedInput as exc:
        raise DocumentError(f"invalid HCL: {_short(str(exc))}", ErrorKind.PARSE, int(getattr(exc, "line", 0) or 0)) \
            from None
    except (LarkError, RecursionError, ValueError) as exc:
        raise DocumentError(f"invalid HCL: {_short(str(exc))}", ErrorKind.PARSE) from None
    body = tree.children[0] if tree.children else None
    return _body(body, file, text) if isinstance(body, Tree) else Body()


def _short(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "syntax error"
    return first[:200]


# ---- .tf.json ---------------------------------------------------------------------------------

# Top-level keys whose blocks carry labels, and how many.
_JSON_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
                "locals": 0, "terraform": 0}
# Nested block names we read inside resources (JSON spells nested blocks as objects or lists).
NESTED_BLOCKS = frozenset({
    "environment", "vpc_config", "tracing_config", "dead_letter_config", "statement", "principals",
    "condition", "cors", "cors_configuration", "lambda_function", "queue", "topic", "dynamic",
    "server_side_encryption_configuration", "rule", "apply_server_side_encryption_by_default",
    "destination_config", "on_failure", "on_success", "access_log_settings", "default_route_settings",
    "route_settings", "filter_criteria", "filter", "image_config", "logging_config", "content",
    "point_in_time_recovery", "server_side_encryption", "not_principals", "jwt_configuration",
    "settings", "source_content", "ephemeral_storage", "snap_start", "dead_letter",
})


def _json_body(node: Any, file: str, nested: bool) -> Body:
    body = Body()
    if not isinstance(node, Mapping):
        return body
    for key, value in node.items():
        name = str(key)
        line = line_of(key) or line_of(value)
        if nested and name in NESTED_BLOCKS and isinstance(value, (Mapping, list)):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, Mapping):
                    body.blocks.append(Block(name, (), _json_body(item, file, True), line_of(item) or line, file))
            continue
        body.attributes[name] = Attribute(name, value, line, file)
    return body


def _json_blocks(kind: str, node: Any, labels_left: int, labels: tuple[str, ...], file: str,
                 line: int) -> Iterator[Block]:
    if isinstance(node, list):
        for item in node:
            yield from _json_blocks(kind, item, labels_left, labels, file, line)
        return
    if not isinstance(node, Mapping):
        return
    if labels_left == 0:
        yield Block(kind, labels, _json_body(node, file, kind in ("resource", "data")), line_of(node) or line, file)
        return
    for key, value in node.items():
        yield from _json_blocks(kind, value, labels_left - 1, (*labels, str(key)), file, line_of(key) or line)


def parse_tf_json(text: str, file: str, path: Path) -> Body:
    doc = parse_text(text, file, path)
    body = Body()
    if not isinstance(doc.data, Mapping):
        raise DocumentError("a .tf.json file should hold a JSON object", ErrorKind.PARSE, 1)
    for key, value in doc.data.items():
        kind = str(key)
        if kind not in _JSON_LABELS:
            continue
        body.blocks.extend(_json_blocks(kind, value, _JSON_LABELS[kind], (), file, line_of(key)))
    return body


def parse_file(path: Path, file: str) -> Body:
    """Parse one ``.tf`` / ``.tf.json`` / ``.tfvars`` file (DocumentError on failure)."""
    text = read_text(path, MAX_TF_BYTES)
    if path.name.endswith(".json"):
        return parse_tf_json(text, file, path)
    return parse_hcl(text, file)
