"""A YAML loader that keeps line numbers, built on libyaml (PyYAML's C parser).

It produces the same shapes as cfn-lint's template decoder (mappings, sequences and strings that
carry ``start_mark``/``end_mark``; CloudFormation short-form tags turned into their long form;
YAML alias amplification refused) without importing cfn-lint, whose package import costs about
0.6 s, and with a linear-time duplicate-key check (cfn-lint's is quadratic in the number of keys,
minutes for a serverless.yml with 10,000 functions). JSON documents still go through cfn-lint's
JSON decoder (see document.py).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_EXPANDED_NODES = 250_000  # as cfn-lint: beyond this, aliases are amplifying the document
_UNCONVERTED_TAGS = ("Ref", "Condition")


class Mark(NamedTuple):
    line: int  # 0-based, as PyYAML's marks
    column: int


class MarkedStr(str):
    start_mark: Mark
    end_mark: Mark

    def __new__(cls, value: str, start: Mark, end: Mark) -> MarkedStr:
        obj = super().__new__(cls, value)
        obj.start_mark = start
        obj.end_mark = end
        return obj

    def __deepcopy__(self, memo: dict[int, Any]) -> MarkedStr:
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # results cross process boundaries in parallel scans
        return (MarkedStr, (str(self), self.start_mark, self.end_mark))


class MarkedDict(dict):  # type: ignore[type-arg]
    start_mark: Mark
    end_mark: Mark
    using_merge: bool

    def __init__(self, data: dict[Any, Any], start: Mark, end: Mark, using_merge: bool = False) -> None:
        super().__init__(data)
        self.start_mark = start
        self.end_mark = end
        self.using_merge = using_merge

    def get(self, key: Any, default: Any = None) -> Any:
        # as cfn-lint's nodes: a dict default inherits the mapping's marks, so callers can still
        # point at a line after `.get("Properties", {})`
        if isinstance(default, dict) and not isinstance(default, MarkedDict):
            default = MarkedDict(default, self.start_mark, self.end_mark)
        return super().get(key, default)


class MarkedList(list):  # type: ignore[type-arg]
    start_mark: Mark
    end_mark: Mark

    def __init__(self, data: list[Any], start: Mark, end: Mark) -> None:
        super().__init__(data)
        self.start_mark = start
        self.end_mark = end


class MarkedYAMLError(Exception):
    def __init__(self, message: str, line: int = 0, unsafe: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.unsafe = unsafe


def _mark(m: Any) -> Mark:
    return Mark(m.line, m.column)  # small and picklable (libyaml's marks carry more than we need)


class _Loader(_BaseLoader):
    def construct_marked_map(self, node: MappingNode) -> MarkedDict:
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, False)
            line = key_node.start_mark.line + 1
            if key is None:
                raise MarkedYAMLError(f"null key {key_node.value!r} is not supported", line)
            try:
                duplicate = key in mapping
            except TypeError:
                raise MarkedYAMLError("a mapping key is not a plain value", line) from None
            if duplicate:
                raise MarkedYAMLError(f"duplicate key {str(key)!r}", line)
            mapping[key] = self.construct_object(value_node, False)
        return MarkedDict(mapping, _mark(node.start_mark), _mark(node.end_mark))

    def construct_marked_seq(self, node: SequenceNode) -> MarkedList:
        return MarkedList([self.construct_object(child, False) for child in node.value],
                          _mark(node.start_mark), _mark(node.end_mark))

    def construct_marked_str(self, node: ScalarNode) -> MarkedStr:
        # a str-tagged scalar's value is already the string (what construct_yaml_str returns)
        value = node.value if isinstance(node.value, str) else SafeConstructor.construct_yaml_str(self, node)
        return MarkedStr(value, _mark(node.start_mark), _mark(node.end_mark))


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_marked_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_marked_seq)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_marked_str)


def _short_form(loader: _Loader, suffix: str, node: Any) -> MarkedDict:
    """``!Ref X`` -> ``{"Ref": "X"}``, ``!Sub ...`` -> ``{"Fn::Sub": ...}``, ``!GetAtt A.B`` -> list."""
    tag = suffix if suffix in _UNCONVERTED_TAGS else f"Fn::{suffix}"
    start, end = _mark(node.start_mark), _mark(node.end_mark)
    value: Any
    if isinstance(node, ScalarNode):
        value = loader.construct_scalar(node)
        if tag == "Fn::GetAtt" and isinstance(value, str):
            value = MarkedList(value.split(".", 1), start, end)
        elif isinstance(value, str):
            value = MarkedStr(value, start, end)
    elif isinstance(node, SequenceNode):
        value = loader.construct_marked_seq(node)
    elif isinstance(node, MappingNode):
        value = loader.construct_marked_map(node)
    else:  # pragma: no cover - PyYAML has only these node kinds
        raise MarkedYAMLError(f"unsupported tag !{suffix}", start.line + 1)
    return MarkedDict({MarkedStr(tag, start, end): value}, start, end)


_Loader.add_multi_constructor("!", _short_form)


def _guard_alias_expansion(data: Any) -> None:
    """Refuse documents whose aliases expand beyond MAX_EXPANDED_NODES (memoised: linear)."""
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            return 1
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                raise MarkedYAMLError(f"the document resolves to more than {MAX_EXPANDED_NODES} nodes once YAML "
                                      "aliases are expanded (alias amplification)", 0, unsafe=True)
        sizes[id(node)] = total
        return total

    size(data)


def loads(text: str) -> Any:
    """Parse one YAML document; raises ``MarkedYAMLError`` or PyYAML's ``YAMLError``."""
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if data is None:
        return MarkedDict({}, Mark(0, 0), Mark(0, 0))
    if "&" in text:  # only a document with anchors can have aliases
        _guard_alias_expansion(data)
    return data


__all__ = ["Mark", "MarkedDict", "MarkedList", "MarkedStr", "MarkedYAMLError", "loads", "yaml"]
