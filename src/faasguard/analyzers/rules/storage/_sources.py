"""Resources that feed or serve functions, grouped per resource for one finding each."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.analyzers.rules._common import functions_using, label, trigger_sources
from faasguard.model import Application, Function, Resource, ResourceKind, Trigger, TriggerKind

# Trigger properties (as loaders keep them) that configure a DLQ on the subscription/target.
_DLQ_KEYS = frozenset({"redrivepolicy", "deadletterconfig", "deadletterqueuearn", "deadletterqueue",
                       "deadletterarn", "dead_letter_config", "dead_letter", "deadletter", "dlq"})


def sources_by_resource(app: Application, *kinds: TriggerKind) -> Iterator[tuple[Resource, list[Function]]]:
    """Each source resource of the given trigger kinds once, with the functions it triggers."""
    grouped: dict[str, tuple[Resource, dict[str, Function]]] = {}
    for fn, _, res in trigger_sources(app, *kinds):
        grouped.setdefault(res.id, (res, {}))[1][fn.id] = fn
    for res, fns in grouped.values():
        yield res, list(fns.values())


def used_resources(app: Application, *kinds: ResourceKind) -> Iterator[tuple[Resource, list[Function]]]:
    """Resources of the given kinds that at least one function uses."""
    for res in app.resources_of(*kinds):
        fns = functions_using(app, res)
        if fns:
            yield res, fns


def subject(fns: list[Function]) -> tuple[Function | None, str]:
    names = ", ".join(label(f) for f in fns)
    return (fns[0] if len(fns) == 1 else None), names


def resource_name(res: Resource) -> str:
    text = res.name.text() if res.name is not None else None
    return f"{res.id} ({text})" if text and text != res.id else res.id


def trigger_has_dlq(t: Trigger) -> bool:
    if t.on_failure is not None:
        return True
    return any(str(k).lower() in _DLQ_KEYS and v not in (None, "", {}, False) for k, v in t.properties.items())
