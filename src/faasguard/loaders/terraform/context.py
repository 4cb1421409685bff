"""What the Terraform builders share: the instances by address, drafts of model objects, and
helpers turning evaluated values into model values with their lines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from faasguard.loaders.terraform.hcl import Block, Body
from faasguard.loaders.terraform.module import Instance, ModuleInstance
from faasguard.loaders.terraform.values import SYMBOLIC, JsonDoc, Ref, Unknown, refs_in, text_of, to_value
from faasguard.model import ErrorKind, Location, Permission, ScanError, Value, ValueKind

_INDEX = re.compile(r"\[[^\]]*\]$")


@dataclass
class Draft:
    """Fields of a model object being built (a dataclass is frozen once built)."""

    fields: dict[str, Any]
    locations: dict[str, Location] = field(default_factory=dict)

    def set(self, name: str, value: Any, where: Location | None = None) -> None:
        self.fields[name] = value
        if where is not None:
            self.locations[name] = where

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def append(self, name: str, *items: Any) -> None:
        self.fields.setdefault(name, []).extend(items)


class Context:
    """The instances of one root module, and the drafts built from them."""

    def __init__(self, root_module: ModuleInstance, instances: list[Instance]) -> None:
        self.root_module = root_module
        self.instances = instances
        self.by_address: dict[str, Instance] = {i.address: i for i in instances}
        self.by_base: dict[str, list[Instance]] = {}
        for inst in instances:
            self.by_base.setdefault(inst.base, []).append(inst)
        self.functions: dict[str, Draft] = {}
        self.roles: dict[str, Draft] = {}
        self.apis: dict[str, Draft] = {}
        self.resources: dict[str, Draft] = {}
        self.permissions: list[Permission] = []
        self.errors: list[ScanError] = []
        self.policies: dict[str, list[Any]] = {}  # aws_iam_policy / policy document address -> Statements
        self.api_stages: dict[str, str] = {}  # stage address -> api address

    # ---- lookups -------------------------------------------------------------------------------

    def instance(self, ref: Ref | str | None) -> Instance | None:
        if ref is None:
            return None
        address = ref.address if isinstance(ref, Ref) else ref
        found = self.by_address.get(address)
        if found is not None:
            return found
        base = _INDEX.sub("", address)
        candidates = self.by_base.get(base) or []
        return candidates[0] if candidates else None

    def target(self, value: Any, *types: str) -> Instance | None:
        """The instance a reference (or the first reference inside a template) points at."""
        for ref in refs_in(value):
            inst = self.instance(ref)
            if inst is not None and (not types or inst.type in types):
                return inst
        return None

    def canonical(self, ref: Ref) -> Ref:
        inst = self.instance(ref)
        return Ref(inst.address, ref.attribute, ref.raw) if inst is not None else ref

    # ---- values and places ---------------------------------------------------------------------

    def value(self, value: Any, where: Location | None = None) -> Value:
        if isinstance(value, Ref):
            value = self.canonical(value)
        elif isinstance(value, Unknown) and value.refs:
            value = Unknown(value.raw, tuple(self.canonical(r) for r in value.refs))
        return to_value(value, where)

    def loc(self, inst: Instance | Block, name: str | None = None, body: Body | None = None,
            *pointer: str | int) -> Location:
        """The line of attribute ``name`` (in ``body``, default the block's body), else the block's."""
        block = inst.block if isinstance(inst, Instance) else inst
        body = body or block.body
        if name is not None and name in body.attributes:
            attr = body.attributes[name]
            return Location(attr.file, attr.line, pointer=(*_pointer(inst), *pointer, name))
        if name is not None:
            nested = body.block(name)
            if nested is not None:
                return Location(nested.file, nested.line, pointer=(*_pointer(inst), *pointer, name))
        return Location(block.file, block.line, pointer=_pointer(inst))

    def line_loc(self, inst: Instance, line: int) -> Location:
        return Location(inst.file, line or inst.block.line, pointer=_pointer(inst))

    def error(self, message: str, where: Location, kind: ErrorKind = ErrorKind.PARSE) -> None:
        self.errors.append(ScanError(where.file, message, kind, where.line))

    def of_type(self, *types: str, mode: str = "resource") -> Iterable[Instance]:
        return (i for i in self.instances if i.type in types and i.mode == mode)


def _pointer(inst: Instance | Block) -> tuple[str | int, ...]:
    if isinstance(inst, Instance):
        return (inst.mode, inst.type, inst.name)
    return (inst.kind, *inst.labels)


def text(value: Any) -> str | None:
    if isinstance(value, SYMBOLIC):
        return None
    return text_of(value)


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


def is_unset(value: Value | None) -> bool:
    return value is None or (value.kind is ValueKind.LITERAL and value.literal in (None, ""))


def json_value(value: Any) -> Any:
    """A policy given as ``jsonencode(...)`` keeps its structure; JSON text is parsed."""
    import json

    if isinstance(value, JsonDoc):
        return value.value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value
