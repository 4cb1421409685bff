"""Scan configuration: defaults < config file < environment (FAASGUARD_*) < command line.

Config files, looked up in the scan root (then the current directory):
- ``.faasguard.yaml`` / ``.faasguard.yml``
- ``[tool.faasguard]`` in ``pyproject.toml``

Keys use the long option names with ``_`` or ``-``: ``fail_on``, ``soft_fail``, ``check``,
``skip_check``, ``output``, ``stage``, ``var`` (mapping), ``allow_env``, ``baseline``,
``show_suppressed``, ``inline_suppressions``, ``fail_on_error``, ``fail_on_unaudited``,
``vulndb``, ``offline``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomllib

from faasguard.model import Severity


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class ScanConfig:
    fail_on: Severity = Severity.HIGH
    soft_fail: bool = False
    check: tuple[str, ...] = ()
    skip_check: tuple[str, ...] = ()
    output: tuple[str, ...] = ("table",)  # "fmt" or "fmt=path"
    framework: tuple[str, ...] = ()  # empty: every framework
    stage: str | None = None
    region: str | None = None
    var: Mapping[str, str] = field(default_factory=dict)
    allow_env: bool = False
    baseline: str | None = None
    show_suppressed: bool = False
    inline_suppressions: bool = True
    fail_on_error: bool = False
    fail_on_unaudited: bool = False
    vulndb: str | None = None
    offline: bool = True
    sources: tuple[str, ...] = ()  # where settings came from, for --show-config

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Severity):
                value = value.value
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out


_BOOL_KEYS = {"soft_fail", "allow_env", "show_suppressed", "inline_suppressions", "fail_on_error",
              "fail_on_unaudited", "offline"}
_LIST_KEYS = {"check", "skip_check", "output", "framework"}
_STR_KEYS = {"stage", "region", "baseline", "vulndb"}


def _as_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{key}: expected true or false, got {value!r}")


def _as_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return (str(value),)


def _apply(config: ScanConfig, raw: Mapping[str, Any], source: str) -> ScanConfig:
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key).replace("-", "_")
        if name in ("checks", "skip_checks", "outputs", "vars", "frameworks"):
            name = name[:-1]
        if name == "fail_on":
            try:
                changes[name] = Severity.parse(str(value))
            except ValueError as exc:
                raise ConfigError(f"{source}: {exc}") from None
        elif name in _BOOL_KEYS:
            changes[name] = _as_bool(value, f"{source}: {key}")
        elif name in _LIST_KEYS:
            changes[name] = tuple(v for item in _as_list(value) for v in _as_list(item))
            if name == "framework":
                from faasguard.loaders.base import FRAMEWORKS

                unknown = [v for v in changes[name] if v not in FRAMEWORKS]
                if unknown:
                    raise ConfigError(f"{source}: unknown framework {', '.join(unknown)} "
                                      f"(choose from {', '.join(FRAMEWORKS)})")
        elif name in _STR_KEYS:
            changes[name] = None if value is None else str(value)
        elif name == "var":
            if isinstance(value, Mapping):
                changes[name] = {**config.var, **{str(k): str(v) for k, v in value.items()}}
            else:
                changes[name] = {**config.var, **parse_vars(_as_list(value))}
        else:
            raise ConfigError(f"{source}: unknown setting {key!r}")
    if not changes:
        return config
    return replace(config, **changes, sources=config.sources + (source,))


def parse_vars(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--var expects KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def find_config_file(root: Path) -> Path | None:
    for base in dict.fromkeys((root if root.is_dir() else root.parent, Path.cwd())):
        for name in (".faasguard.yaml", ".faasguard.yml"):
            if (base / name).is_file():
                return base / name
        pyproject = base / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            if isinstance(data.get("tool"), dict) and "faasguard" in data["tool"]:
                return pyproject
    return None


def read_config_file(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if path.name == "pyproject.toml":
        try:
            section = tomllib.loads(text).get("tool", {}).get("faasguard", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    else:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            section = YAML(typ="safe", pure=True).load(text) or {}
        except YAMLError as exc:
            raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(section, Mapping):
        raise ConfigError(f"{path}: expected a mapping of settings")
    return section


def env_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """FAASGUARD_FAIL_ON=medium -> {"fail_on": "medium"} (only known settings)."""
    known = {f.name for f in fields(ScanConfig)} - {"sources"}
    out = {}
    for key, value in environ.items():
        if key.startswith("FAASGUARD_"):
            name = key[len("FAASGUARD_"):].lower()
            if name in known:
                out[name] = value
    return out


def resolve(root: Path, cli: Mapping[str, Any], config_file: Path | None = None,
            environ: Mapping[str, str] | None = None) -> ScanConfig:
    """Merge the layers. ``cli`` holds only the options the user actually gave."""
    config = ScanConfig(sources=("defaults",))
    path = config_file or find_config_file(root)
    if path is not None:
        config = _apply(config, read_config_file(path), str(path))
    config = _apply(config, env_settings(os.environ if environ is None else environ), "environment")
    return _apply(config, cli, "command line")
