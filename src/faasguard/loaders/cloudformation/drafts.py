"""Mutable drafts of model objects: a template's resources refer to each other in any order
(a Permission before its function, a Policy before its role), so objects are built as drafts,
linked, then frozen once at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from faasguard.model import Location

T = TypeVar("T")


@dataclass
class Draft(Generic[T]):
    """Fields of a frozen model class ``cls``; lists become tuples when frozen."""

    cls: type[T]
    fields: dict[str, Any]
    locations: dict[str, Location] = field(default_factory=dict)
    external: bool = False  # a function defined outside this template (serverless alias)
    extra: dict[str, Any] = field(default_factory=dict)  # facts used while linking, not model fields

    @property
    def id(self) -> str:
        return str(self.fields["id"])

    def set(self, name: str, value: Any, location: Location | None = None) -> None:
        self.fields[name] = value
        if location is not None:
            self.locations[name] = location

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def append(self, name: str, *items: Any) -> None:
        current = self.fields.get(name)
        if not isinstance(current, list):
            current = list(current or ())
            self.fields[name] = current
        current.extend(items)

    def freeze(self) -> T:
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in self.fields.items()}
        if "locations" in getattr(self.cls, "__dataclass_fields__", {}):
            values["locations"] = dict(self.locations)
        return self.cls(**values)
