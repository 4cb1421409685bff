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
from yaml.constructor import ConstructorError, SafeConstructor
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
    return _Converter(loader).short_form(suffix, node)


_Loader.add_multi_constructor("!", _short_form)

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_FLATTEN_KEY_TAGS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")
_new_tuple = tuple.__new__
_new_str = str.__new__
_new_dict = dict.__new__
_new_list = list.__new__


class _Converter:
    """Composed node graph -> Marked* values, in one recursive pass.

    Gives exactly what the ``_Loader`` constructors above give through PyYAML's generic
    ``construct_object`` (same types, marks, merge-key handling and errors) at a fraction of the
    cost. Tags other than str/map/seq/CloudFormation short forms are handed to PyYAML's own
    constructor so their values and errors stay PyYAML's."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.built: dict[int, Any] = {}  # node id -> value: aliases share one object, as PyYAML's
        self.building: set[int] = set()

    def convert(self, node: Any) -> Any:
        key = id(node)
        known = self.built.get(key, self)
        if known is not self:
            return known
        tag = node.tag
        cls = node.__class__
        if cls is ScalarNode and tag == _STR_TAG:
            value = node.value
            if not isinstance(value, str):  # pragma: no cover - libyaml always gives text
                value = SafeConstructor.construct_yaml_str(self.loader, node)
            start, end = node.start_mark, node.end_mark
            out: Any = _new_str(MarkedStr, value)
            out.start_mark = _new_tuple(Mark, (start.line, start.column))
            out.end_mark = _new_tuple(Mark, (end.line, end.column))
        elif key in self.building:
            raise ConstructorError(None, None, "found unconstructable recursive node", node.start_mark)
        elif cls is MappingNode and tag == _MAP_TAG:
            self.building.add(key)
            out = self.mapping(node)
            self.building.discard(key)
        elif cls is SequenceNode and tag == _SEQ_TAG:
            self.building.add(key)
            out = self.sequence(node)
            self.building.discard(key)
        elif tag in self.loader.yaml_constructors or not tag.startswith("!"):
            out = self.by_pyyaml(node)
        else:
            self.building.add(key)
            out = self.short_form(tag[1:], node)
            self.building.discard(key)
        self.built[key] = out
        return out

    def mapping(self, node: MappingNode) -> MarkedDict:
        pairs = node.value
        for key_node, _ in pairs:
            if key_node.tag in _FLATTEN_KEY_TAGS:
                self.loader.flatten_mapping(node)
                pairs = node.value
                break
        out = _new_dict(MarkedDict)
        convert = self.convert
        for key_node, value_node in pairs:
            key = convert(key_node)
            if key is None:
                raise MarkedYAMLError(f"null key {key_node.value!r} is not supported", key_node.start_mark.line + 1)
            try:
                duplicate = key in out
            except TypeError:
                raise MarkedYAMLError("a mapping key is not a plain value", key_node.start_mark.line + 1) from None
            if duplicate:
                raise MarkedYAMLError(f"duplicate key {str(key)!r}", key_node.start_mark.line + 1)
            out[key] = convert(value_node)
        start, end = node.start_mark, node.end_mark
        out.start_mark = _new_tuple(Mark, (start.line, start.column))
        out.end_mark = _new_tuple(Mark, (end.line, end.column))
        out.using_merge = False
        return out

    def sequence(self, node: SequenceNode) -> MarkedList:
        out = _new_list(MarkedList)
        convert = self.convert
        out.extend([convert(child) for child in node.value])
        start, end = node.start_mark, node.end_mark
        out.start_mark = _new_tuple(Mark, (start.line, start.column))
        out.end_mark = _new_tuple(Mark, (end.line, end.column))
        return out

    def short_form(self, suffix: str, node: Any) -> MarkedDict:
        tag = suffix if suffix in _UNCONVERTED_TAGS else f"Fn::{suffix}"
        start, end = _mark(node.start_mark), _mark(node.end_mark)
        value: Any
        if isinstance(node, ScalarNode):
            value = self.loader.construct_scalar(node)
            if tag == "Fn::GetAtt" and isinstance(value, str):
                value = MarkedList(value.split(".", 1), start, end)
            elif isinstance(value, str):
                value = MarkedStr(value, start, end)
        elif isinstance(node, SequenceNode):
            value = self.sequence(node)
        elif isinstance(node, MappingNode):
            value = self.mapping(node)
        else:  # pragma: no cover - PyYAML has only these node kinds
            raise MarkedYAMLError(f"unsupported tag !{suffix}", start.line + 1)
        return MarkedDict({MarkedStr(tag, start, end): value}, start, end)

    def by_pyyaml(self, node: Any) -> Any:
        """Scalars such as int/bool/null/timestamp, !!set/!!omap, unknown tags (an error)."""
        loader = self.loader
        value = loader.construct_object(node, False)
        while loader.state_generators:  # as construct_document: finish two-step constructors
            generators, loader.state_generators = loader.state_generators, []
            for generator in generators:
                for _ in generator:
                    pass
        return value


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
        node = loader.get_single_node()  # libyaml composes; we construct
        data = None if node is None else _Converter(loader).convert(node)
    finally:
        loader.dispose()
    if data is None:
        return MarkedDict({}, Mark(0, 0), Mark(0, 0))
    if "&" in text:  # only a document with anchors can have aliases
        _guard_alias_expansion(data)
    return data


__all__ = ["Mark", "MarkedDict", "MarkedList", "MarkedStr", "MarkedYAMLError", "loads", "yaml"]
