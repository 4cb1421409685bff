"""Last pass over the drafts: API defaults and definition routes, log groups attached to their
functions, and each role's list of functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faasguard.loaders.cloudformation.apis import finish_apis
from faasguard.model import ResourceKind, Value, ValueKind

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation.builder import Builder

LAMBDA_LOG_PREFIX = "/aws/lambda/"


def complete(b: Builder) -> None:
    finish_apis(b)
    _log_groups(b)
    _role_functions(b)


def _log_group_function(b: Builder, name: Value | None) -> str | None:
    if name is None:
        return None
    if name.kind is ValueKind.RESOURCE_ATTRIBUTE and str(name).startswith(LAMBDA_LOG_PREFIX):
        fn = b.function(name.ref)
        return fn.id if fn is not None else None
    text = name.text()
    if text and text.startswith(LAMBDA_LOG_PREFIX):
        wanted = text[len(LAMBDA_LOG_PREFIX):]
        for fn in b.functions.values():
            if fn.get("name") == wanted:
                return fn.id
    return None


def _log_groups(b: Builder) -> None:
    for rid, res in b.resources.items():
        if res.get("kind") is not ResourceKind.LOG_GROUP:
            continue
        fid = _log_group_function(b, res.get("name"))
        targets = [b.functions[fid]] if fid is not None and fid in b.functions else []
        # functions that name this log group in LoggingConfig.LogGroup
        targets += [fn for fn in b.functions.values() if fn.get("log_group_id") == rid and fn not in targets]
        for fn in targets:
            fn.set("log_group_id", rid, fn.locations.get("log_group_id"))
            retention = res.get("retention_days")
            fn.set("log_retention_days", retention, res.locations.get("retention_days", res.get("location")))


def _role_functions(b: Builder) -> None:
    for fn in b.functions.values():
        role_id = fn.get("role_id")
        if fn.external or role_id is None or role_id not in b.roles:
            continue
        role = b.roles[role_id]
        if fn.id not in role.get("functions", []):
            role.append("functions", fn.id)
