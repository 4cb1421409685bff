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


_SKIP_SOURCE_DIRS = frozenset({"cdk.out", "node_modules", ".git", ".venv", "venv", "__pycache__", ".tox",
                               "site-packages", ".mypy_cache", ".pytest_cache"})
MAX_ASSET_FILES = 200


def _files(directory: Path) -> dict[str, int] | None:
    """Relative path -> size of every file under ``directory`` (None when too many)."""
    out: dict[str, int] = {}
    for path in directory.rglob("*"):
        if "__pycache__" in path.parts or not path.is_file() or path.is_symlink():
            continue
        out[path.relative_to(directory).as_posix()] = path.stat().st_size
        if len(out) > MAX_ASSET_FILES:
            return None
    return out


def source_dir(asset: Path, project: Path, root: Path) -> Path | None:
    """The project directory the staged asset was copied from: same files, same content. CDK stages
    a copy of the source directory in cdk.out; findings belong on the files people edit."""
    import hashlib
    import os

    wanted = _files(asset)
    if not wanted:
        return None
    top = {name.split("/", 1)[0] for name in wanted}
    for dirpath, dirnames, filenames in os.walk(project):
        current = Path(dirpath)
        entries = set(filenames) | set(dirnames)
        dirnames[:] = [d for d in dirnames if d not in _SKIP_SOURCE_DIRS and not d.startswith("asset.")]
        if len(current.relative_to(project).parts) > 6:
            dirnames[:] = []
            continue
        if not top <= entries:
            continue
        found = _files(current)
        if found != wanted:
            continue
        same = all(hashlib.sha256((current / rel).read_bytes()).digest()
                   == hashlib.sha256((asset / rel).read_bytes()).digest() for rel in wanted)
        if same and current.resolve().is_relative_to(root):
            return current.resolve()
    return None


def map_assets(apps: list[Application], doc: Document, root: Path) -> list[Application]:
    """The applications of a cdk.out template with each function's code directory filled in: the
    source directory the asset was staged from when one matches it exactly, else the staged copy."""
    root = root.resolve()
    dirs = asset_dirs(doc, root)
    project = doc.path.parent.parent
    for logical_id, rel in list(dirs.items()):
        staged = root / rel
        if staged.is_dir() and doc.path.parent in staged.parents:
            try:
                original = source_dir(staged, project, root)
            except OSError:
                original = None
            if original is not None:
                dirs[logical_id] = original.relative_to(root).as_posix() or "."
    if not dirs:
        return apps
    out = []
    for app in apps:
        functions = tuple(replace(fn, code_path=dirs[fn.id]) if fn.id in dirs and not fn.code_path else fn
                          for fn in app.functions)
        out.append(replace(app, functions=functions, source_kind=app.source_kind, name=app.name))
    return out
