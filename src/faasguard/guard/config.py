"""Guard configuration: decorator arguments or ``FAASGUARD_*`` environment variables.

Environment variables (all optional):

=============================  =====================================================  ==========
``FAASGUARD_MODE``             ``monitor`` (report only) or ``block``                  monitor
``FAASGUARD_HANDLER``          ``module.function`` wrapped by ``faasguard.guard.wrapper.handler``
``FAASGUARD_ALLOW_HOSTS``      comma-separated hosts, ``*.suffix`` or IPs/CIDRs       (none)
``FAASGUARD_ALLOW_AWS``        allow the AWS endpoints of the function's region       1
``FAASGUARD_SANDBOX``          install the audit-hook sandbox                         1
``FAASGUARD_ALLOW_SUBPROCESS`` let the function start processes                       0
``FAASGUARD_ALLOW_WRITE``      comma-separated extra writable path prefixes           (none)
``FAASGUARD_STRICT``           strict sandbox (refuse ctypes/cffi imports, freeze)    0
``FAASGUARD_REDACT``           install the log filter and stdout redaction             1
``FAASGUARD_MAX_BODY``         body size limit in bytes                                1048576
``FAASGUARD_CATEGORIES``       comma-separated detector families to run               (all)
``FAASGUARD_SCHEMA``           path to a JSON Schema file for the request body         (none)
``FAASGUARD_INSPECT``          inspect events at all (0 leaves only the sandbox)       1
=============================  =====================================================  ==========
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any


MODES = ("monitor", "block")
if TYPE_CHECKING:
    Response = Mapping[str, Any] | Callable[[list[Any], str], Any]


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


class GuardConfig:
    """Immutable settings for one guarded handler (see the module docstring for env names)."""

    __slots__ = ("mode", "allow_hosts", "allow_aws", "sandbox", "allow_subprocess", "allow_write",
                 "strict", "redact", "max_body_bytes", "categories", "schema", "response", "inspect",
                 "max_depth", "max_values")
    mode: str
    allow_hosts: tuple[str, ...]
    allow_aws: bool
    sandbox: bool
    allow_subprocess: bool
    allow_write: tuple[str, ...]
    strict: bool
    redact: bool
    max_body_bytes: int
    categories: frozenset[str] | None
    schema: Mapping[str, Any] | None
    response: Response | None
    inspect: bool
    max_depth: int
    max_values: int

    def __init__(
        self,
        mode: str = "monitor",
        allow_hosts: tuple[str, ...] | list[str] = (),
        allow_aws: bool = True,
        sandbox: bool = True,
        allow_subprocess: bool = False,
        allow_write: tuple[str, ...] | list[str] = (),
        strict: bool = False,
        redact: bool = True,
        max_body_bytes: int = 1_048_576,
        categories: frozenset[str] | None = None,
        schema: Mapping[str, Any] | None = None,
        response: Response | None = None,
        inspect: bool = True,
        max_depth: int = 32,
        max_values: int = 5000,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        values = (mode, tuple(allow_hosts), allow_aws, sandbox, allow_subprocess, tuple(allow_write), strict,
                  redact, int(max_body_bytes), categories, schema, response, inspect, max_depth, max_values)
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("GuardConfig is immutable")

    def replace(self, **changes: Any) -> GuardConfig:
        current = {name: getattr(self, name) for name in self.__slots__}
        current.update(changes)
        return GuardConfig(**current)

    @property
    def blocking(self) -> bool:
        return self.mode == "block"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GuardConfig:
        env = os.environ if env is None else env
        mode = env.get("FAASGUARD_MODE", "monitor").strip().lower() or "monitor"
        if mode not in MODES:
            mode = "monitor"  # a typo must not take the function down; the event says so
        categories = frozenset(_list(env, "FAASGUARD_CATEGORIES")) or None
        schema = None
        schema_path = env.get("FAASGUARD_SCHEMA")
        if schema_path:
            try:
                with open(schema_path, encoding="utf-8") as fh:
                    schema = json.load(fh)
            except (OSError, ValueError):
                schema = None
        try:
            max_body = int(env.get("FAASGUARD_MAX_BODY", "1048576"))
        except ValueError:
            max_body = 1_048_576
        return cls(
            mode=mode,
            allow_hosts=_list(env, "FAASGUARD_ALLOW_HOSTS"),
            allow_aws=_flag(env, "FAASGUARD_ALLOW_AWS", True),
            sandbox=_flag(env, "FAASGUARD_SANDBOX", True),
            allow_subprocess=_flag(env, "FAASGUARD_ALLOW_SUBPROCESS", False),
            allow_write=_list(env, "FAASGUARD_ALLOW_WRITE"),
            strict=_flag(env, "FAASGUARD_STRICT", False),
            redact=_flag(env, "FAASGUARD_REDACT", True),
            max_body_bytes=max_body,
            categories=categories,
            schema=schema,
            inspect=_flag(env, "FAASGUARD_INSPECT", True),
        )
