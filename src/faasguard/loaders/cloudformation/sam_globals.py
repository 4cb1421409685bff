"""SAM ``Globals``: merged into each resource the way the SAM transform merges them.

- scalars (and intrinsics): the resource's value wins;
- mappings: merged key by key, recursively (``Environment.Variables`` of both apply);
- lists: the global items come first, then the resource's (``Layers``, ``Policies`` ...).

Original key nodes are kept in the merged mappings, so each key still knows its own line: a
``Timeout`` that comes from Globals points at the Globals line, which is the one to edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faasguard.loaders.cloudformation.intrinsics import intrinsic_name

SECTIONS = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::LayerVersion": "LayerVersion",
}


def globals_for(template: Mapping[str, Any], section: str) -> Mapping[str, Any]:
    g = template.get("Globals")
    if not isinstance(g, Mapping):
        return {}
    sec = g.get(section)
    return sec if isinstance(sec, Mapping) else {}


def merge(global_value: Any, local_value: Any) -> Any:
    if intrinsic_name(local_value) or intrinsic_name(global_value):
        return local_value
    if isinstance(global_value, Mapping) and isinstance(local_value, Mapping):
        out: dict[Any, Any] = dict(global_value.items())
        for key, value in local_value.items():
            # drop the global key object so the local key (with its own line) is the one kept
            for gk in list(out):
                if gk == key:
                    del out[gk]
            out[key] = merge(global_value[key], value) if key in global_value else value
        return out
    if isinstance(global_value, list) and isinstance(local_value, list):
        return list(global_value) + list(local_value)
    return local_value


def merged_properties(global_props: Mapping[str, Any], props: Mapping[str, Any]
                      ) -> tuple[dict[Any, Any], dict[str, Mapping[str, Any]]]:
    """(merged properties, top-level key -> the mapping it is written in: the resource's
    Properties or the Globals section)."""
    merged: dict[Any, Any] = {}
    origin: dict[str, Mapping[str, Any]] = {}
    for key, value in global_props.items():
        merged[key] = value
        origin[str(key)] = global_props
    for key, value in props.items():
        if key in global_props:
            for gk in list(merged):
                if gk == key:
                    del merged[gk]
            merged[key] = merge(global_props[key], value)
            # a mapping merged from both: its own keys keep their lines; the setting is the resource's
        else:
            merged[key] = value
        origin[str(key)] = props
    return merged, origin
