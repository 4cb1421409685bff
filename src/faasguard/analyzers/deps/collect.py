"""Which dependencies each function ships: the manifests inside its code directory, plus those of
the Lambda layers it uses that are defined in the project."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from faasguard.analyzers.deps.manifests import (
    MANIFEST_NAMES,
    Dependency,
    ManifestProblem,
    Parsed,
    is_requirements_file,
    parse_directory_files,
    parse_dist_info,
)
from faasguard.loaders.discovery import SKIP_DIRS, is_virtualenv
from faasguard.model import Application, Function, Value, ValueKind

# Vendored packages live in site-packages inside layers (python/lib/python3.x/site-packages):
# walk those too, unlike the IaC discovery.
_SKIP = SKIP_DIRS - {"site-packages", "dist-packages"}
MAX_FILES_WALKED = 50_000
_LAYER_PATH_KEYS = ("ContentUri", "path", "source_dir", "CodeUri", "filename")


@dataclass
class FunctionDeps:
    function: Function
    code_dir: Path | None  # absolute
    dependencies: list[Dependency] = field(default_factory=list)
    problems: list[ManifestProblem] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)  # layer ids whose content was read


def python_version(runtime: str | None) -> str | None:
    """``python3.12`` -> ``3.12``; None for other runtimes."""
    if runtime and runtime.lower().startswith("python"):
        version = runtime[len("python"):]
        return version if version.replace(".", "").isdigit() else None
    return None


def code_dir(fn: Function, root: Path) -> Path | None:
    """The function's code directory on disk (the parent, when ``code_path`` is a file)."""
    if not fn.code_path:
        return None
    path = (root / fn.code_path).resolve()
    if not path.is_relative_to(root.resolve()):
        return None
    if path.is_file():
        path = path.parent
    return path if path.is_dir() else None


def scan_directory(directory: Path, root: Path) -> Parsed:
    """Every manifest under ``directory``: one pass, skipping build output and virtualenvs."""
    out = Parsed()
    walked = 0
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        current = Path(dirpath)
        dist_infos = [d for d in dirnames if d.endswith(".dist-info")]
        for d in sorted(dist_infos):
            _extend(out, parse_dist_info(current / d, root))
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in _SKIP and not d.endswith((".dist-info", ".egg-info")) and not is_virtualenv(current / d)
            and not (current / d).is_symlink()
        )
        walked += len(filenames)
        if walked > MAX_FILES_WALKED:
            out.problems.append(ManifestProblem(current.relative_to(root).as_posix(),
                                                f"more than {MAX_FILES_WALKED} files: manifest search stopped"))
            break
        names = {n for n in filenames if n in MANIFEST_NAMES or is_requirements_file(n)}
        if names:
            _extend(out, parse_directory_files(current, names, root))
    return out


def _extend(out: Parsed, more: Parsed) -> None:
    out.dependencies.extend(more.dependencies)
    out.problems.extend(more.problems)
    out.files.extend(more.files)


def _cached_scan(directory: Path, root: Path, cache: dict[Path, Parsed]) -> Parsed:
    if directory not in cache:
        cache[directory] = scan_directory(directory, root)
    return cache[directory]


def layer_dirs(app: Application, fn: Function, root: Path) -> list[tuple[str, Path]]:
    """Directories of the layers ``fn`` uses that the project itself defines."""
    out = []
    app_root = (root / app.root).resolve()
    for layer in fn.layers:
        resource = _layer_resource(app, layer)
        if resource is None:
            continue
        for key in _LAYER_PATH_KEYS:
            value = resource.properties.get(key)
            if isinstance(value, Value):
                value = value.text()
            if isinstance(value, str) and value and "://" not in value:
                path = (app_root / value).resolve()
                if path.is_file():
                    path = path.parent
                if path.is_dir() and path.is_relative_to(root.resolve()):
                    out.append((resource.id, path))
                break
    return out


def _layer_resource(app: Application, layer: Value) -> Any:
    # a !Ref / ${Ref} to a layer defined in the project (serverless refs come out unresolved)
    candidates = [layer.ref] if layer.ref and layer.kind in (ValueKind.RESOURCE_ATTRIBUTE, ValueKind.UNRESOLVED) else []
    if layer.kind is ValueKind.LITERAL and layer.text():
        candidates.append(str(layer.text()))
    for ref in candidates:
        found = app.resource(ref)
        if found is None:
            # serverless names its layer resources "<Name>LambdaLayer"
            base = ref[: -len("LambdaLayer")] if ref.endswith("LambdaLayer") else ref
            found = next((r for r in app.resources if r.id.lower() in (base.lower(), ref.lower())), None)
        if found is not None:
            return found
    return None


def function_dependencies(app: Application, fn: Function, root: Path, cache: dict[Path, Parsed]) -> FunctionDeps:
    result = FunctionDeps(fn, code_dir(fn, root))
    directories: list[tuple[str | None, Path]] = []
    if result.code_dir is not None:
        directories.append((None, result.code_dir))
    for layer, path in layer_dirs(app, fn, root):
        directories.append((layer, path))
        result.layers.append(layer)
    python = python_version(fn.runtime)
    seen: set[tuple[str, int, str, str | None]] = set()
    for shipped_by, directory in directories:
        parsed = _cached_scan(directory, root.resolve(), cache)
        for dep in parsed.dependencies:
            key = (dep.manifest, dep.line, dep.key, dep.version)
            if not dep.installs_on(python):
                continue  # its environment marker excludes this function's Python
            if key not in seen:
                seen.add(key)
                result.dependencies.append(replace(dep, layer=shipped_by) if shipped_by else dep)
        result.problems.extend(p for p in parsed.problems if p not in result.problems)
    return result


def relative_posix(path: Path, root: Path) -> str:
    try:
        return PurePosixPath(path.resolve().relative_to(root.resolve())).as_posix()
    except ValueError:
        return path.as_posix()
