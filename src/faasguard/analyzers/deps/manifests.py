"""Dependency manifests: what a function ships, read from the files on disk (never executed).

Python: requirements*.txt (``-r``/``-c`` includes, hashes, continuations), Pipfile.lock,
poetry.lock, uv.lock, pyproject.toml dependencies (only when no lock file sits beside it) and
vendored ``*.dist-info`` directories. Node: package-lock.json (v1-v3), yarn.lock (classic and
berry) and package.json (only when no lock file sits beside it).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPI = "PyPI"
NPM = "npm"
MAX_MANIFEST_BYTES = 20 * 1024 * 1024
PYTHON_LOCKS = ("poetry.lock", "uv.lock", "Pipfile.lock")
NODE_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock")


_UNDECIDABLE_MARKERS = ("platform_release", "platform_version", "platform_machine")


@dataclass(frozen=True)
class Dependency:
    """One package a function ships. ``version`` is set only when the exact version is known."""

    ecosystem: str  # "PyPI" | "npm"
    name: str  # as written
    version: str | None
    spec: str  # the requirement as written, for messages ("requests>=2", "^4.17.0")
    manifest: str  # file, relative to the scan root
    line: int
    source: str  # "requirements", "poetry.lock", "dist-info", "package-lock.json", ...
    direct: bool = True  # declared by the project (False: only present in a lock file's tree)
    requires: tuple[str, ...] = ()  # normalised names of its own dependencies, when the manifest says
    top_level: tuple[str, ...] = ()  # import names it provides, when known (dist-info top_level.txt/RECORD)
    layer: str | None = None  # id of the Lambda layer that ships it (None: the function's own code)
    marker: str = ""  # PEP 508 environment marker, evaluated per function (its runtime's Python version)

    def installs_on(self, python_version: str | None) -> bool:
        """False when the marker rules the package out for this Python (``; python_version < "3.8"``
        on python3.12); True when it can't tell (no marker, unknown runtime, unreadable marker)."""
        if not self.marker or not python_version:
            return True
        if any(name in self.marker for name in _UNDECIDABLE_MARKERS):
            return True  # depends on the Lambda host (kernel, CPU): keep it, we can't tell
        from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

        # every variable is set: packaging would fill the gaps from the machine running the scan
        env = {"python_version": python_version, "python_full_version": f"{python_version}.0",
               "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
               "implementation_name": "cpython", "platform_python_implementation": "CPython",
               "implementation_version": f"{python_version}.0", "platform_machine": "x86_64",
               "platform_release": "", "platform_version": "", "extra": ""}
        try:
            return bool(Marker(self.marker).evaluate(env))
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, ValueError, TypeError):
            return True
        from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

        env = {"python_version": python_version, "python_full_version": f"{python_version}.0",
               "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
               "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}
        try:
            return bool(Marker(self.marker).evaluate(env))
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, ValueError, TypeError):
            return True

    @property
    def key(self) -> str:
        if self.ecosystem == PYPI:
            return canonicalize_name(self.name)
        return self.name

    @property
    def pinned(self) -> bool:
        return self.version is not None

    @property
    def purl(self) -> str:
        from packageurl import PackageURL

        if self.ecosystem == NPM and self.name.startswith("@") and "/" in self.name:
            namespace, name = self.name.split("/", 1)
            return PackageURL("npm", namespace, name, self.version).to_string()
        ptype = "pypi" if self.ecosystem == PYPI else self.ecosystem.lower()
        return PackageURL(ptype, None, self.key, self.version).to_string()


@dataclass
class ManifestProblem:
    file: str
    message: str
    line: int = 0


@dataclass
class Parsed:
    dependencies: list[Dependency] = field(default_factory=list)
    problems: list[ManifestProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file read (includes included requirements)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else empty: manifests are untrusted input of any shape."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _json_object(text: str | None, rel: str, parsed: Parsed) -> dict[str, Any] | None:
    try:
        data = json.loads(text or "")
    except ValueError as exc:
        parsed.problems.append(ManifestProblem(rel, f"invalid JSON: {str(exc)[:160]}"))
        return None
    if not isinstance(data, dict):
        parsed.problems.append(ManifestProblem(rel, "not a JSON object"))
        return None
    return data


def _read_text(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _line_of(text: str, needle: str, default: int = 1) -> int:
    index = text.find(needle)
    return default if index < 0 else text.count("\n", 0, index) + 1


def _pinned_version(req: Requirement) -> str | None:
    specs = list(req.specifier)
    if req.url or len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator == "===" or (spec.operator == "==" and "*" not in spec.version):
        return spec.version
    return None


# --- requirements*.txt --------------------------------------------------------------------------

_INCLUDE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")
_OPTION_ONLY = re.compile(r"^(?:-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-binary|"
                          r"--only-binary|--prefer-binary|--require-hashes|--pre|--no-index|--use-feature)\b")
_HASH = re.compile(r"\s--hash[=\s]\S+")
_COMMENT = re.compile(r"(^|\s)#.*$")


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Join ``\\`` continuations, drop comments; yields (first physical line, text)."""
    buffer = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not buffer:
            start = number
        line = _COMMENT.sub("", raw)
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            yield start, buffer.strip()
        buffer = ""
    if buffer.strip():
        yield start, buffer.strip()


def parse_requirements(path: Path, root: Path, _seen: set[Path] | None = None) -> Parsed:
    seen = _seen if _seen is not None else set()
    parsed = Parsed()
    resolved = path.resolve()
    if resolved in seen:
        return parsed
    seen.add(resolved)
    rel = _rel(path, root)
    text = _read_text(path)
    if text is None:
        parsed.problems.append(ManifestProblem(rel, "could not read (missing or too large)"))
        return parsed
    parsed.files.append(rel)
    for line_no, line in _logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            if line.startswith(("-c", "--constraint")):
                continue  # constraints pin versions but add no package
            target = (path.parent / include.group(1)).resolve()
            if not target.is_relative_to(root):
                parsed.problems.append(ManifestProblem(rel, f"include outside the scanned tree: {include.group(1)}",
                                                       line_no))
                continue
            sub = parse_requirements(target, root, seen)
            parsed.dependencies += sub.dependencies
            parsed.problems += sub.problems
            parsed.files += sub.files
            continue
        if _OPTION_ONLY.match(line):
            continue
        editable = line.startswith(("-e ", "--editable"))
        if editable:
            line = re.sub(r"^(?:-e|--editable)(?:\s+|=)", "", line)
        line = _HASH.sub("", " " + line).strip()
        if line.startswith((".", "/")) or line.startswith("file:"):
            continue  # the project's own code or a local path: nothing to audit in an index
        vcs = re.match(r"^(?:git|hg|svn|bzr)\+\S+?#egg=([A-Za-z0-9._-]+)", line)
        if vcs or line.startswith(("http://", "https://")):
            name = vcs.group(1) if vcs else line.rsplit("/", 1)[-1]
            parsed.dependencies.append(Dependency(PYPI, name, None, line, rel, line_no, "requirements"))
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            parsed.problems.append(ManifestProblem(rel, f"unreadable requirement: {str(exc)[:120]}", line_no))
            continue
        spec = str(req.specifier) or ("@ " + req.url if req.url else "")
        parsed.dependencies.append(Dependency(PYPI, req.name, _pinned_version(req), f"{req.name}{spec}", rel,
                                              line_no, "requirements", marker=str(req.marker or "")))
    return parsed


# --- Python lock files ----------------------------------------------------------------------------

def parse_pipfile_lock(path: Path, root: Path) -> Parsed:
    parsed, rel, text = Parsed(), _rel(path, root), _read_text(path)
    data = _json_object(text, rel, parsed)
    if data is None:
        return parsed
    parsed.files.append(rel)
    # "default" is what gets deployed; "develop" stays on the developer's machine
    for name, info in sorted(_dict(data.get("default")).items()):
        version = str(info.get("version", "")) if isinstance(info, dict) else ""
        exact = version[2:] if version.startswith("==") else None
        parsed.dependencies.append(Dependency(PYPI, name, exact, f"{name}{version}", rel,
                                              _line_of(text or "", f'"{name}"'), "Pipfile.lock"))
    return parsed


def _toml(path: Path, root: Path, parsed: Parsed) -> tuple[dict[str, Any], str]:
    rel, text = _rel(path, root), _read_text(path)
    try:
        return tomllib.loads(text or ""), text or ""
    except tomllib.TOMLDecodeError as exc:
        parsed.problems.append(ManifestProblem(rel, f"invalid TOML: {exc}"))
        return {}, text or ""


def _lock_packages(path: Path, root: Path, source: str) -> Parsed:
    """poetry.lock and uv.lock share the ``[[package]]`` name/version layout."""
    parsed = Parsed()
    data, text = _toml(path, root, parsed)
    if not data:
        return parsed
    rel = _rel(path, root)
    parsed.files.append(rel)
    for pkg in _list(data.get("package")):
        if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str) or not pkg["name"]:
            continue
        src = _dict(pkg.get("source"))
        if "editable" in src or "virtual" in src:
            continue  # the project itself
        deps = pkg.get("dependencies")
        if isinstance(deps, dict):
            requires = tuple(canonicalize_name(str(n)) for n in deps)
        else:
            requires = tuple(canonicalize_name(str(d["name"])) for d in _list(deps)
                             if isinstance(d, dict) and "name" in d)
        name = str(pkg["name"])
        version = str(pkg["version"]) if isinstance(pkg.get("version"), (str, int, float)) else None
        parsed.dependencies.append(Dependency(PYPI, name, version, f"{name}=={version}", rel,
                                              _line_of(text, f'\nname = "{name}"') + 1, source, direct=True,
                                              requires=requires))
    return parsed


def parse_pyproject(path: Path, root: Path) -> Parsed:
    parsed = Parsed()
    data, text = _toml(path, root, parsed)
    rel = _rel(path, root)
    if not data:
        return parsed
    parsed.files.append(rel)
    specs: list[str] = [str(d) for d in _list(_dict(data.get("project")).get("dependencies"))]
    poetry = _dict(_dict(_dict(data.get("tool")).get("poetry")).get("dependencies"))
    for name, constraint in poetry.items():
        if name.lower() == "python":
            continue
        version = str(constraint.get("version", "*")) if isinstance(constraint, dict) else str(constraint)
        # poetry's "1.2.3" means ==1.2.3; "^1.2" and "~1.2" are ranges
        specs.append(f"{name}=={version}" if re.fullmatch(r"\d+(\.\d+)*", version) else f"{name} ({version})")
    for spec in specs:
        line = _line_of(text, spec.split("(")[0].split("=")[0].split(">")[0].split("<")[0].strip())
        try:
            req = Requirement(spec)
            parsed.dependencies.append(Dependency(PYPI, req.name, _pinned_version(req), spec, rel, line,
                                                  "pyproject.toml", marker=str(req.marker or "")))
        except InvalidRequirement:
            name = spec.split(" ", 1)[0]
            parsed.dependencies.append(Dependency(PYPI, name, None, spec, rel, line, "pyproject.toml"))
    return parsed


def parse_dist_info(directory: Path, root: Path) -> Parsed:
    """A vendored package (``pip install -t``): METADATA names it, top_level.txt/RECORD say what it
    provides to ``import``."""
    parsed = Parsed()
    metadata = directory / "METADATA"
    text = _read_text(metadata)
    rel = _rel(metadata, root)
    if text is None:
        return parsed
    name = version = None
    requires: list[str] = []
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if key == "Name":
            name = value
        elif key == "Version":
            version = value
        elif key == "Requires-Dist" and "extra ==" not in value:
            try:
                requires.append(canonicalize_name(Requirement(value).name))
            except InvalidRequirement:
                continue
    if not name or not version:
        parsed.problems.append(ManifestProblem(rel, "METADATA without Name/Version"))
        return parsed
    parsed.files.append(rel)
    parsed.dependencies.append(Dependency(PYPI, name, version, f"{name}=={version}", rel, 1, "dist-info",
                                          requires=tuple(requires), top_level=_top_level(directory)))
    return parsed


def _top_level(directory: Path) -> tuple[str, ...]:
    text = _read_text(directory / "top_level.txt")
    if text:
        return tuple(sorted({n.strip().split("/")[0] for n in text.splitlines() if n.strip()}))
    record = _read_text(directory / "RECORD") or ""
    names = set()
    for line in record.splitlines():
        first = line.split(",", 1)[0].split("/", 1)[0]
        if first and not first.endswith((".dist-info", ".data")) and first != "..":
            names.add(first[:-3] if first.endswith(".py") else first)
    return tuple(sorted(n for n in names if n and not n.startswith("__")))


# --- Node -------------------------------------------------------------------------------------------

def parse_package_lock(path: Path, root: Path) -> Parsed:
    parsed, rel, text = Parsed(), _rel(path, root), _read_text(path)
    data = _json_object(text, rel, parsed)
    if data is None:
        return parsed
    parsed.files.append(rel)
    packages = data.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        for key, info in sorted(packages.items()):
            if not key or not isinstance(info, dict) or info.get("dev") or info.get("link"):
                continue
            name = str(info.get("name") or key.rsplit("node_modules/", 1)[-1])
            version = info.get("version")
            parsed.dependencies.append(Dependency(
                NPM, name, str(version) if isinstance(version, str) and version else None, f"{name}@{version}", rel,
                _line_of(text or "", f'"{key}"'), "package-lock.json", direct=key.count("node_modules/") == 1,
                requires=tuple(sorted(_dict(info.get("dependencies")).keys()))))
        return parsed

    def walk(deps: dict[str, Any], depth: int) -> None:  # lockfileVersion 1: nested "dependencies"
        if depth > 64:
            return  # hostile nesting
        for name, info in sorted(deps.items()):
            if not isinstance(info, dict) or info.get("dev"):
                continue
            version = info.get("version")
            parsed.dependencies.append(Dependency(
                NPM, name, str(version) if isinstance(version, str) and version else None, f"{name}@{version}", rel,
                _line_of(text or "", f'"{name}": {{'), "package-lock.json", direct=depth == 0,
                requires=tuple(sorted(_dict(info.get("requires")).keys()))))
            walk(_dict(info.get("dependencies")), depth + 1)

    walk(_dict(data.get("dependencies")), 0)
    return parsed


_YARN_HEADER = re.compile(r'^(?P<specs>"?[^\s].*?):\s*$')
_YARN_VERSION = re.compile(r'^\s+version:?\s+"?(?P<version>[^"\s]+)"?\s*$')


def _yarn_name(spec: str) -> str:
    spec = spec.strip().strip('"')
    at = spec.find("@", 1)  # scoped names start with @
    return spec[:at] if at > 0 else spec


def parse_yarn_lock(path: Path, root: Path) -> Parsed:
    parsed, rel, text = Parsed(), _rel(path, root), _read_text(path)
    if text is None:
        parsed.problems.append(ManifestProblem(rel, "could not read (missing or too large)"))
        return parsed
    parsed.files.append(rel)
    current: tuple[str, int] | None = None
    seen: set[tuple[str, str]] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            m = _YARN_HEADER.match(line)
            first = m.group("specs").split(",")[0] if m else ""
            skip = not m or first.startswith("__metadata") or "@workspace:" in first or "@link:" in first
            current = None if skip else (_yarn_name(first), number)
            continue
        if current is not None:
            v = _YARN_VERSION.match(line)
            if v:
                name, header_line = current
                if (name, v.group("version")) in seen:
                    continue
                seen.add((name, v.group("version")))
                parsed.dependencies.append(Dependency(NPM, name, v.group("version"), f"{name}@{v.group('version')}",
                                                      rel, header_line, "yarn.lock"))
                current = None
    return parsed


_EXACT_SEMVER = re.compile(r"^=?v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def parse_package_json(path: Path, root: Path) -> Parsed:
    parsed, rel, text = Parsed(), _rel(path, root), _read_text(path)
    data = _json_object(text, rel, parsed)
    if data is None:
        return parsed
    parsed.files.append(rel)
    for section in ("dependencies", "optionalDependencies"):  # devDependencies are not deployed
        for name, spec in sorted(_dict(data.get(section)).items()):
            spec = str(spec)
            exact = spec.lstrip("=v") if _EXACT_SEMVER.match(spec) else None
            parsed.dependencies.append(Dependency(NPM, name, exact, f"{name}@{spec}", rel,
                                                  _line_of(text or "", f'"{name}"'), "package.json"))
    return parsed


def is_requirements_file(name: str) -> bool:
    return name.endswith(".txt") and (name.startswith("requirements") or name.endswith("requirements.txt"))


def parse_directory_files(directory: Path, names: set[str], root: Path) -> Parsed:
    """Parse the manifests among ``names`` (files in one directory), lock files winning over the
    loose declarations beside them."""
    out = Parsed()

    def add(p: Parsed) -> None:
        out.dependencies.extend(p.dependencies)
        out.problems.extend(p.problems)
        out.files.extend(p.files)

    def parse(parser: Any, name: str, *args: Any) -> None:
        # the shape checks above cover what we know; an unforeseen shape still stays one file's problem
        try:
            add(parser(directory / name, root, *args))
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError) as exc:
            out.problems.append(ManifestProblem(_rel(directory / name, root),
                                                f"could not read: {type(exc).__name__}: {str(exc)[:120]}"))

    for name in sorted(names):
        if is_requirements_file(name):
            parse(parse_requirements, name)
    if "poetry.lock" in names:
        parse(_lock_packages, "poetry.lock", "poetry.lock")
    if "uv.lock" in names:
        parse(_lock_packages, "uv.lock", "uv.lock")
    if "Pipfile.lock" in names:
        parse(parse_pipfile_lock, "Pipfile.lock")
    if "pyproject.toml" in names and not names & set(PYTHON_LOCKS):
        parse(parse_pyproject, "pyproject.toml")
    node_lock = next((n for n in NODE_LOCKS if n in names), None)
    if node_lock == "yarn.lock":
        parse(parse_yarn_lock, node_lock)
    elif node_lock:
        parse(parse_package_lock, node_lock)
    elif "package.json" in names:
        parse(parse_package_json, "package.json")
    return out


MANIFEST_NAMES = frozenset({*PYTHON_LOCKS, *NODE_LOCKS, "pyproject.toml", "package.json"})
