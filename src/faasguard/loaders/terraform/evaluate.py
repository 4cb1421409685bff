"""Static evaluation of Terraform expressions (never runs terraform, never calls a provider).

Variables, locals, ``${...}`` templates, conditionals, ``for`` expressions and the common pure
functions are computed; references to resources and data sources stay ``Ref``; anything else
becomes ``Unknown`` carrying the references it mentions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from lark import Token, Tree

from faasguard.loaders.terraform.values import (
    SYMBOLIC,
    JsonDoc,
    LDict,
    LList,
    Ref,
    Unknown,
    cfn_attribute,
    is_known,
    refs_in,
    text_of,
)

MAX_DEPTH = 60
MAX_ITEMS = 10_000


class Scope(Protocol):
    """What names mean in one module instance."""

    def variable(self, name: str) -> Any: ...

    def local(self, name: str) -> Any: ...

    def module_output(self, module: str, output: str) -> Any: ...

    def path_value(self, name: str) -> Any: ...

    def read_file(self, path: str) -> str | None: ...

    def source_of(self, node: Any) -> str: ...


class _Missing:
    pass


MISSING = _Missing()


def _strip_quotes(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1).startswith("u") and len(m.group(1)) == 5
                  else _ESCAPES.get(m.group(1), m.group(1)), text)


class Evaluator:
    def __init__(self, scope: Scope, names: Mapping[str, Any] | None = None) -> None:
        self.scope = scope
        self.names: dict[str, Any] = dict(names or {})
        self.depth = 0

    def with_names(self, **names: Any) -> Evaluator:
        ev = Evaluator(self.scope, {**self.names, **names})
        ev.depth = self.depth
        return ev

    # ---- entry points ----------------------------------------------------------------------

    def eval(self, node: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                return Unknown("<expression too deep>")
            if isinstance(node, Tree):
                return self._tree(node)
            if isinstance(node, Token):
                return self._token(node)
            return self._json(node)
        finally:
            self.depth -= 1

    def raw(self, node: Any) -> str:
        return self.scope.source_of(node)

    # ---- .tf.json nodes: strings are templates ---------------------------------------------

    def _json(self, node: Any) -> Any:
        from faasguard.loaders.document import line_of

        if isinstance(node, Mapping):
            return LDict({str(k): self.eval(v) for k, v in node.items()}, line=line_of(node),
                         key_lines={str(k): line_of(k) for k in node})
        if isinstance(node, list):
            return LList([self.eval(v) for v in node], line=line_of(node), item_lines=[line_of(v) for v in node])
        if isinstance(node, str) and ("${" in node or "%{" in node):
            tree = _template_tree(str(node))
            return self.eval(tree) if tree is not None else str(node)
        if isinstance(node, str):
            return str(node)
        return node

    # ---- HCL trees ----------------------------------------------------------------------------

    def _token(self, tok: Token) -> Any:
        if tok.type == "INT_LITERAL":
            return int(tok)
        if tok.type == "FLOAT_LITERAL":
            return float(tok)
        return str(tok)

    def _tree(self, t: Tree[Any]) -> Any:  # noqa: PLR0911, PLR0912
        data = t.data
        kids = [c for c in t.children if not (isinstance(c, Tree) and c.data == "new_line_or_comment")]
        if data == "expr_term":
            inner = [c for c in kids if not (isinstance(c, Token) and c.type in ("LPAR", "RPAR"))]
            return self.eval(inner[0]) if inner else None
        if data == "int_lit":
            return int(str(kids[0]))
        if data == "float_lit":
            return float(str(kids[0]))
        if data == "literal_value":
            return {"true": True, "false": False, "null": None}[str(kids[0])]
        if data == "string":
            return self._string(kids)
        if data == "template_string":
            return _unescape(str(kids[0])[2:-2])
        if data in ("heredoc_template", "heredoc_template_trim"):
            return self._heredoc(str(kids[0]), trim=data.endswith("trim"))
        if data == "tuple":
            items = [c for c in kids if not isinstance(c, Token)]
            return LList([self.eval(c) for c in items], line=_line(t), item_lines=[_line(c) for c in items])
        if data == "object":
            return self._object(t, kids)
        if data == "identifier":
            return self._name(str(kids[0]), t)
        if data in ("get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"):
            return self._traversal(t)
        if data == "function_call":
            return self._call(t, kids)
        if data == "conditional":
            exprs = [c for c in kids if isinstance(c, Tree)]
            cond = self.eval(exprs[0])
            if isinstance(cond, bool):
                return self.eval(exprs[1] if cond else exprs[2])
            a, b = self.eval(exprs[1]), self.eval(exprs[2])
            if is_known(a) and is_known(b) and a == b:
                return a
            return Unknown(self.raw(t), tuple(refs_in(cond) + refs_in(a) + refs_in(b)))
        if data == "binary_op":
            return self._binary(t, kids)
        if data == "unary_op":
            op, value = str(kids[0]), self.eval(kids[1])
            if op == "!" and isinstance(value, bool):
                return not value
            if op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
                return -value
            return Unknown(self.raw(t), tuple(refs_in(value)))
        if data == "for_tuple_expr" or data == "for_object_expr":
            return self._for(t, kids)
        if data in ("interpolation",):
            exprs = [c for c in kids if isinstance(c, Tree)]
            return self.eval(exprs[0]) if exprs else None
        return Unknown(self.raw(t))

    def _string(self, parts: list[Any]) -> Any:
        pieces: list[Any] = []
        for part in parts:
            if not isinstance(part, Tree) or part.data != "string_part":
                continue
            inner = part.children[0]
            if isinstance(inner, Token):
                text = str(inner)
                if inner.type == "ESCAPED_INTERPOLATION" or inner.type == "ESCAPED_DIRECTIVE":
                    pieces.append(text[1:])
                else:
                    pieces.append(_unescape(text))
            elif inner.data == "interpolation":
                pieces.append(self.eval(inner))
            else:  # template directives (%{if}): not evaluated
                return Unknown(self.raw(part))
        return self._concat(pieces, parts)

    def _concat(self, pieces: list[Any], parts: Any) -> Any:
        if len(pieces) == 1 and not isinstance(pieces[0], str):
            return pieces[0]  # "${x}" is x itself, with its type
        texts = [text_of(p) if not isinstance(p, str) else p for p in pieces]
        if all(t is not None for t in texts):
            return "".join(t for t in texts if t is not None)
        raw = "".join(p if isinstance(p, str) else _piece_text(p) for p in pieces)
        refs = [r for p in pieces for r in refs_in(p)]
        return Unknown(raw, tuple(refs), template=all(isinstance(p, (str, Ref)) or text_of(p) is not None
                                                      for p in pieces))

    def _heredoc(self, text: str, trim: bool) -> Any:
        lines = text.split("\n")
        body_lines = lines[1:-2] if len(lines) >= 3 else []
        if trim:
            indents = [len(ln) - len(ln.lstrip()) for ln in body_lines if ln.strip()]
            cut = min(indents) if indents else 0
            body_lines = [ln[cut:] for ln in body_lines]
        body = "\n".join(body_lines) + ("\n" if body_lines else "")
        if "${" not in body and "%{" not in body:
            return body.replace("$${", "${")
        tree = _template_tree(body)
        return self.eval(tree) if tree is not None else Unknown(body)

    def _object(self, t: Tree[Any], kids: list[Any]) -> Any:
        out = LDict(line=_line(t))
        for elem in kids:
            if not isinstance(elem, Tree) or elem.data != "object_elem":
                continue
            key_node = elem.children[0]
            value_node = elem.children[-1]
            key = self._object_key(key_node)
            if key is None:
                return Unknown(self.raw(t), tuple(refs_in(self.eval(value_node))))
            out[key] = self.eval(value_node)
            out.key_lines[key] = _line(elem)
        return out

    def _object_key(self, node: Tree[Any]) -> str | None:
        inner = node.children[0]
        if isinstance(inner, Tree) and inner.data == "expr_term":
            sub = inner.children[0]
            if isinstance(sub, Tree) and sub.data == "identifier":
                return str(sub.children[0])
        if isinstance(inner, Tree) and inner.data == "keyword":
            return str(inner.children[0])
        value = self.eval(inner)
        return text_of(value)

    # ---- names and traversals -----------------------------------------------------------------

    def _name(self, name: str, node: Tree[Any]) -> Any:
        if name in self.names:
            return self.names[name]
        return Unknown(name, (Ref(name, "", name),))

    def _steps(self, t: Tree[Any]) -> tuple[Any, list[tuple[str, Any]]]:
        """Flatten ``a.b[0].c`` into the root node and its steps (("attr", "b"), ("index", 0) ...)."""
        steps: list[tuple[str, Any]] = []
        node: Any = t
        while isinstance(node, Tree) and node.data in ("get_attr_expr_term", "index_expr_term",
                                                        "attr_splat_expr_term", "full_splat_expr_term", "expr_term"):
            if node.data == "expr_term":
                inner = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
                if len(inner) != 1 or any(isinstance(c, Token) and c.type == "LPAR" for c in node.children):
                    break
                node = inner[0]
                continue
            head, op = node.children[0], node.children[-1]
            steps[:0] = self._op_steps(op)
            node = head
        return node, steps

    def _op_steps(self, op: Any) -> list[tuple[str, Any]]:
        if not isinstance(op, Tree):
            return []
        if op.data == "get_attr":
            return [("attr", _name_of(op.children[-1]))]
        if op.data == "short_index":
            return [("index", int(str(op.children[-1]).lstrip(".")))]
        if op.data == "braces_index":
            expr = next(c for c in op.children if isinstance(c, Tree) and c.data != "new_line_or_comment")
            return [("index", self.eval(expr))]
        if op.data in ("attr_splat", "full_splat"):
            out: list[tuple[str, Any]] = [("splat", None)]
            for c in op.children:
                out.extend(self._op_steps(c))
            return out
        return []

    def _traversal(self, t: Tree[Any]) -> Any:
        root, steps = self._steps(t)
        raw = self.raw(t)
        if not (isinstance(root, Tree) and root.data == "identifier"):
            return self._apply(self.eval(root), steps, raw)
        name = str(root.children[0])
        if name in self.names:
            return self._apply(self.names[name], steps, raw)
        attrs = [s[1] for s in steps]
        first = attrs[0] if attrs and steps[0][0] == "attr" else None
        if name == "var" and isinstance(first, str):
            return self._apply(self.scope.variable(first), steps[1:], raw)
        if name == "local" and isinstance(first, str):
            return self._apply(self.scope.local(first), steps[1:], raw)
        if name == "path" and isinstance(first, str):
            return self.scope.path_value(first)
        if name == "module" and isinstance(first, str):
            rest = steps[1:]
            if rest and rest[0][0] == "index":
                rest = rest[1:]
            if rest and rest[0][0] == "attr":
                value = self.scope.module_output(first, str(rest[0][1]))
                if value is MISSING:
                    return Ref(f"{getattr(self.scope, 'prefix', '')}module.{first}", str(rest[0][1]), raw)
                return self._apply(value, rest[1:], raw)
            return Unknown(raw, (Ref(f"module.{first}", "", raw),))
        if name in ("count", "each", "self", "terraform"):
            return Unknown(raw)
        if name == "data" and len(steps) >= 2:
            return self._resource_ref(f"data.{attrs[0]}.{attrs[1]}", steps[2:], raw)
        if isinstance(first, str) and "_" in name:
            return self._resource_ref(f"{name}.{first}", steps[1:], raw)
        return Unknown(raw)

    def _resource_ref(self, address: str, steps: list[tuple[str, Any]], raw: str) -> Any:
        key = ""
        if steps and steps[0][0] == "index":
            idx = steps[0][1]
            key = f"[{json.dumps(idx) if isinstance(idx, str) else idx}]" if is_known(idx) else ""
            steps = steps[1:]
        elif steps and steps[0][0] == "splat":
            steps = steps[1:]
        attribute = ".".join(str(s[1]) for s in steps if s[0] == "attr")
        return Ref(getattr(self.scope, "prefix", "") + address + key, attribute, raw)

    def _apply(self, value: Any, steps: list[tuple[str, Any]], raw: str) -> Any:
        for i, (kind, arg) in enumerate(steps):
            if isinstance(value, SYMBOLIC):
                if isinstance(value, Ref):
                    extra = ".".join(str(s[1]) for s in steps[i:] if s[0] == "attr")
                    return Ref(value.address, ".".join(x for x in (value.attribute, extra) if x), raw)
                return Unknown(raw, value.refs)
            if kind == "splat":
                rest = steps[i + 1:]
                items = value if isinstance(value, list) else ([] if value is None else [value])
                return LList([self._apply(v, rest, raw) for v in items])
            if kind == "attr":
                if isinstance(value, Mapping) and arg in value:
                    value = value[arg]
                    continue
                return Unknown(raw, tuple(refs_in(value)))
            if kind == "index":
                if isinstance(value, list) and isinstance(arg, int) and not isinstance(arg, bool) \
                        and -len(value) <= arg < len(value):
                    value = value[arg]
                    continue
                if isinstance(value, Mapping) and isinstance(arg, (str, int)) and str(arg) in value:
                    value = value[str(arg)]
                    continue
                return Unknown(raw, tuple(refs_in(value) + refs_in(arg)))
        return value

    # ---- operators ------------------------------------------------------------------------------

    def _binary(self, t: Tree[Any], kids: list[Any]) -> Any:
        left = self.eval(kids[0])
        term = kids[1]
        op_node = term.children[0]
        op = str(op_node.children[0]) if isinstance(op_node, Tree) else str(op_node)
        right_node = [c for c in term.children[1:] if isinstance(c, Tree) and c.data != "new_line_or_comment"][0]
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        right = self.eval(right_node)
        if op in ("==", "!=") and is_known(left) and is_known(right):
            return (left == right) == (op == "==")
        if op == "&&" and isinstance(left, bool) and isinstance(right, bool):
            return left and right
        if op == "||" and isinstance(left, bool) and isinstance(right, bool):
            return left or right
        a, b = _number(left), _number(right)
        if a is not None and b is not None:
            try:
                result = _arithmetic(op, a, b)
            except (KeyError, ZeroDivisionError):
                return Unknown(self.raw(t))
            if isinstance(result, float) and result.is_integer() and op != "/":
                result = int(result)
            return result
        return Unknown(self.raw(t), tuple(refs_in(left) + refs_in(right)))

    # ---- for expressions ---------------------------------------------------------------------

    def _for(self, t: Tree[Any], kids: list[Any]) -> Any:
        intro = next(c for c in kids if isinstance(c, Tree) and c.data == "for_intro")
        idents = [str(c.children[0]) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
        coll_node = [c for c in intro.children if isinstance(c, Tree) and c.data not in ("identifier",
                                                                                          "new_line_or_comment")][-1]
        collection = self.eval(coll_node)
        exprs = [c for c in kids if isinstance(c, Tree) and c.data not in ("for_intro", "for_cond",
                                                                            "new_line_or_comment")]
        cond = next((c for c in kids if isinstance(c, Tree) and c.data == "for_cond"), None)
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in kids)
        if not is_known(collection) and not isinstance(collection, (list, dict)):
            return Unknown(self.raw(t), tuple(refs_in(collection)))
        pairs = list(collection.items()) if isinstance(collection, Mapping) else \
            list(enumerate(collection)) if isinstance(collection, list) else None
        if pairs is None or len(pairs) > MAX_ITEMS:
            return Unknown(self.raw(t), tuple(refs_in(collection)))
        is_object = t.data == "for_object_expr"
        out_list: list[Any] = []
        out_dict: dict[str, Any] = {}
        for k, v in pairs:
            names = {idents[0]: v} if len(idents) == 1 else {idents[0]: k, idents[1]: v}
            ev = self.with_names(**names)
            if cond is not None:
                keep = ev.eval([c for c in cond.children if isinstance(c, Tree)][-1])
                if keep is False:
                    continue
                if keep is not True:
                    return Unknown(self.raw(t), tuple(refs_in(collection)))
            if is_object:
                key = text_of(ev.eval(exprs[0]))
                if key is None:
                    return Unknown(self.raw(t), tuple(refs_in(collection)))
                value = ev.eval(exprs[1])
                if grouping:
                    out_dict.setdefault(key, []).append(value)
                else:
                    out_dict[key] = value
            else:
                out_list.append(ev.eval(exprs[0]))
        return LDict(out_dict, line=_line(t)) if is_object else LList(out_list, line=_line(t))

    # ---- functions -----------------------------------------------------------------------------

    def _call(self, t: Tree[Any], kids: list[Any]) -> Any:
        name = str(kids[0].children[0])
        if any(isinstance(c, Token) and c.type == "COLONS" for c in kids):  # provider::ns::fn
            return Unknown(self.raw(t))
        args_node = next((c for c in kids if isinstance(c, Tree) and c.data == "arguments"), None)
        arg_nodes = [c for c in args_node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"] \
            if args_node is not None else []
        expand = args_node is not None and any(isinstance(c, Token) and c.type == "ELLIPSIS"
                                               for c in args_node.children)
        if name in ("try", "can"):
            for node in arg_nodes:
                value = self.eval(node)
                if not isinstance(value, Unknown):
                    return True if name == "can" else value
            return Unknown(self.raw(t))
        args = [self.eval(n) for n in arg_nodes]
        if expand and args and isinstance(args[-1], list):
            args = args[:-1] + list(args[-1])
        fn = FUNCTIONS.get(name)
        if name in ("file", "templatefile") and args and isinstance(args[0], str):
            text = self.scope.read_file(args[0])
            if text is not None and name == "file":
                return text
            return Unknown(self.raw(t), tuple(r for a in args for r in refs_in(a)))
        if name == "jsonencode" and args:
            return JsonDoc(args[0])
        if fn is not None:
            symbolic = [a for a in args if not is_known(a)]
            if not symbolic or name in _TOLERANT:
                try:
                    return fn(*args)
                except Exception:  # a wrong argument in the file: undecidable, never a crash
                    pass
        return Unknown(self.raw(t), tuple(r for a in args for r in refs_in(a)))


def _arithmetic(op: str, a: float, b: float) -> Any:
    """``a op b`` for HCL's arithmetic and comparison operators (KeyError for others)."""
    operations: dict[str, Callable[[float, float], Any]] = {
        "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x / y,
        "%": lambda x, y: x % y, "<": lambda x, y: x < y, ">": lambda x, y: x > y, "<=": lambda x, y: x <= y,
        ">=": lambda x, y: x >= y}
    return operations[op](a, b)


def _piece_text(piece: Any) -> str:
    """A template piece as text: references in the model's ``${Id.Attr}`` form."""
    if isinstance(piece, Ref):
        attribute = cfn_attribute(piece.attribute)
        return f"${{{piece.address}{'.' + attribute if attribute else ''}}}"
    if isinstance(piece, Unknown):
        return piece.raw if piece.raw.startswith("${") else "${" + piece.raw + "}"
    return str(text_of(piece) or "${...}")


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _name_of(node: Any) -> str:
    if isinstance(node, Tree):
        return "".join(str(c) for c in node.children if isinstance(c, Token))
    return str(node)


def _line(node: Any) -> int:
    if isinstance(node, Token):
        return int(node.line or 0)
    if isinstance(node, Tree) and not node.meta.empty:
        return int(node.meta.line)
    return 0


_TEMPLATE_CACHE: dict[str, Tree[Any] | None] = {}


def _template_tree(text: str) -> Tree[Any] | None:
    """Parse a template string (from .tf.json or a heredoc) as an HCL string expression."""
    if text in _TEMPLATE_CACHE:
        return _TEMPLATE_CACHE[text]
    import hcl2

    tree: Tree[Any] | None
    try:
        parsed = hcl2.parses_to_tree("x = " + json.dumps(text) + "\n")
        tree = parsed.children[0].children[0].children[-1]
    except Exception:  # not a valid template: kept as text
        tree = None
    if len(_TEMPLATE_CACHE) < 4096:
        _TEMPLATE_CACHE[text] = tree
    return tree


def _merge(*maps: Any) -> Any:
    out: dict[str, Any] = LDict()
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, Mapping):
            raise TypeError("merge of a non-object")
        out.update(m)
        if isinstance(m, LDict) and isinstance(out, LDict):
            out.key_lines.update(m.key_lines)
    return out


def _flatten(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _format(fmt: str, *args: Any) -> str:
    values = iter(args)

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "%%":
            return "%"
        v = next(values)
        text = text_of(v)
        if text is None:
            raise ValueError("unknown")
        return text
    return re.sub(r"%%|%[-+#0 ]*\d*(?:\.\d+)?[a-zA-Z]", repl, fmt)


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, Mapping) and isinstance(key, str) and key in m:
        return m[key]
    if default:
        return default[0]
    raise KeyError(key)


def _coalesce(*args: Any) -> Any:
    for a in args:
        if isinstance(a, SYMBOLIC):
            raise ValueError("unknown")
        if a not in (None, ""):
            return a
    raise ValueError("no value")


def _str(value: Any) -> str:
    text = text_of(value)
    if text is None:
        raise TypeError("not a string")
    return text


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "concat": lambda *ls: [x for lst in ls for x in lst],
    "lookup": _lookup,
    "format": _format,
    "join": lambda sep, items: sep.join(_str(i) for i in items),
    "split": lambda sep, text: text.split(sep),
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "title": lambda s: s.title(),
    "trimspace": lambda s: s.strip(),
    "trim": lambda s, chars: s.strip(chars),
    "trimprefix": lambda s, p: s[len(p):] if s.startswith(p) else s,
    "trimsuffix": lambda s, p: s[:-len(p)] if p and s.endswith(p) else s,
    "replace": lambda s, a, b: s.replace(a, b),
    "substr": lambda s, off, n: s[off:] if n < 0 else s[off:off + n],
    "tostring": _str,
    "tonumber": lambda v: _number(v) if _number(v) is not None else (_ for _ in ()).throw(ValueError("nan")),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[str(v)],
    "tolist": lambda v: list(v),
    "toset": lambda v: list(dict.fromkeys(v)),
    "tomap": lambda v: dict(v),
    "coalesce": _coalesce,
    "coalescelist": lambda *ls: next(lst for lst in ls if lst),
    "compact": lambda items: [i for i in items if i not in (None, "")],
    "distinct": lambda items: list(dict.fromkeys(items)),
    "flatten": _flatten,
    "length": lambda v: len(v),
    "element": lambda items, i: items[i % len(items)],
    "keys": lambda m: sorted(m.keys()),
    "values": lambda m: [m[k] for k in sorted(m.keys())],
    "contains": lambda items, v: v in items,
    "zipmap": lambda ks, vs: dict(zip(ks, vs, strict=True)),
    "max": lambda *ns: max(ns),
    "min": lambda *ns: min(ns),
    "abs": abs,
    "basename": lambda p: p.rstrip("/").rsplit("/", 1)[-1],
    "dirname": lambda p: p.rsplit("/", 1)[0] if "/" in p else ".",
    "abspath": lambda p: p,
    "jsondecode": lambda s: json.loads(s),
    "range": lambda *a: list(range(*a))[:MAX_ITEMS],
    "slice": lambda items, a, b: items[a:b],
    "one": lambda items: items[0] if items else None,
    "sort": lambda items: sorted(items),
    "reverse": lambda items: list(reversed(items)),
    "setunion": lambda *ls: list(dict.fromkeys(x for lst in ls for x in lst)),
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
    "chomp": lambda s: s.rstrip("\r\n"),
}
# Functions whose result is useful even when some argument is a reference (merge of a literal
# map and a module output keeps the literal keys; concat keeps the known items).
_TOLERANT = frozenset({"merge", "concat", "compact", "flatten", "distinct", "length", "tolist", "toset", "tomap",
                       "coalesce", "lookup", "element", "one", "keys"})
