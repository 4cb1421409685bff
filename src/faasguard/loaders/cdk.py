"""AWS CDK synth output: ``cdk.out/*.template.json`` are CloudFormation templates, loaded by the
CloudFormation loader. Their functions' code is an asset: the resource's metadata
``aws:asset:path`` names it (``asset.<hash>``, a staged copy inside cdk.out, or the source
directory itself when staging is off), and ``aws:asset:property: Code`` says it is the code.
This maps each function to that directory, so the code analysis reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from faasguard.loaders.document import Document
from faasguard.model import Application

ASSET_PATH = "aws:asset:path"
ASSET_PROPERTY = "aws:asset:property"
_CODE_PROPERTIES = ("Code", "CodeUri")


def in_cdk_out(doc: Document) -> bool:
    return doc.path.parent.name == "cdk.out" and doc.path.name.endswith(".template.json")


def asset_dirs(doc: Document, root: Path) -> dict[str, str]:
    """Logical id -> code directory relative to the scan root, for resources with a code asset."""
    resources = doc.data.get("Resources") if isinstance(doc.data, Mapping) else None
    out: dict[str, str] = {}
    if not isinstance(resources, Mapping):
        return out
    root = root.resolve()
    for logical_id, body in resources.items():
        meta = body.get("Metadata") if isinstance(body, Mapping) else None
        if not isinstance(meta, Mapping) or not isinstance(meta.get(ASSET_PATH), str):
            continue
        if meta.get(ASSET_PROPERTY, "Code") not in _CODE_PROPERTIES:
            continue
        candidate = (doc.path.parent / str(meta[ASSET_PATH])).resolve()
        try:
            rel = candidate.relative_to(root).as_posix()
        except ValueError:
            continue  # an absolute path outside the scan: never read
        if candidate.exists():
            out[str(logical_id)] = rel
    return out


def map_assets(apps: list[Application], doc: Document, root: Path) -> list[Application]:
    """The applications of a cdk.out template with each function's code directory filled in."""
    dirs = asset_dirs(doc, root)
    if not dirs:
        return apps
    out = []
    for app in apps:
        functions = tuple(replace(fn, code_path=dirs[fn.id]) if fn.id in dirs and not fn.code_path else fn
                          for fn in app.functions)
        out.append(replace(app, functions=functions, source_kind=app.source_kind, name=app.name))
    return out
