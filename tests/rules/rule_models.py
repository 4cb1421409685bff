"""Helpers to build tiny application models by hand for rule unit tests."""

from __future__ import annotations

from typing import Any

from faasguard.model import (
    Api,
    ApiKind,
    Application,
    Function,
    Location,
    Resource,
    ResourceKind,
    Role,
    Statement,
    Trigger,
    TriggerKind,
    Trust,
    Value,
    ValueKind,
)

FILE = "template.yaml"


def loc(line: int) -> Location:
    return Location(FILE, line)


def fn(id: str = "Fn", line: int = 10, **kw: Any) -> Function:
    return Function(id=id, name=kw.pop("name", id), location=loc(line), **kw)


def trigger(kind: TriggerKind, line: int = 20, trust: Trust | None = None, **kw: Any) -> Trigger:
    from faasguard.loaders.trust import default_trust

    return Trigger(kind=kind, trust=trust or default_trust(kind), location=loc(line), **kw)


def stmt(actions: tuple[str, ...] = (), resources: tuple[str, ...] = ("*",), line: int = 30,
         effect: str = "Allow", **kw: Any) -> Statement:
    return Statement(effect=effect, location=loc(line), actions=actions,
                     resources=tuple(Value.of(r) for r in resources), **kw)


def role(id: str = "Role", line: int = 40, **kw: Any) -> Role:
    return Role(id=id, location=loc(line), **kw)


def res(id: str, kind: ResourceKind, line: int = 50, **kw: Any) -> Resource:
    return Resource(id=id, kind=kind, type=kw.pop("type", "AWS::X::Y"), location=loc(line), **kw)


def ref(resource_id: str, attribute: str = "") -> Value:
    return Value(ValueKind.RESOURCE_ATTRIBUTE, ref=resource_id, attribute=attribute, raw=f"!Ref {resource_id}")


def api(id: str = "Api", kind: ApiKind = ApiKind.REST, line: int = 60, **kw: Any) -> Api:
    return Api(id=id, kind=kind, location=loc(line), **kw)


def app(**kw: Any) -> Application:
    return Application(name="app", source_kind="sam", root=".", files=(FILE,), location=loc(1), **kw)
