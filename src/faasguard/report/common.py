"""What every reporter shares: masking, grouping, counting and plain-text helpers.

Reporters format a ``ScanResult``; they never decide severity or drop findings. The helpers
here only arrange what the scan produced (which application a finding belongs to, counts for
the summary line) and keep secrets out of every output.
"""

from __future__ import annotations

import enum
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from faasguard.model import Application, ErrorKind, Finding, FlowStep, Function, Location, ScanError, Severity

TOOL_NAME = "faasguard"
# Where SARIF consumers send people for more about the tool (SARIF needs an absolute URI).
INFORMATION_URI = "https://github.com/faasguard/faasguard"

SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO,
)

# Errors of these kinds mean a file was not read (as opposed to one of our checks failing).
READ_ERROR_KINDS = frozenset({
    ErrorKind.PARSE, ErrorKind.UNSUPPORTED, ErrorKind.TOO_LARGE, ErrorKind.UNSAFE,
    ErrorKind.CODE_NOT_FOUND,
})

# Evidence keys whose values may hold a secret: shown masked in every format.
_SENSITIVE_KEY = re.compile(r"secret|passw|token|value|credential|api_?key|private", re.I)
MASK_PREFIX = 4
ELLIPSIS = "\u2026"


# ---------------------------------------------------------------------------------------------
# Secrets


def mask(text: str) -> str:
    """First four characters and an ellipsis; short values keep at most a third of themselves,
    so that masking never prints most of a short password."""
    keep = min(MASK_PREFIX, len(text) // 3)
    return text[:keep] + ELLIPSIS


def _mask_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_mask_value(v) for v in value]
    return mask(to_text(value))


def masked_evidence(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """Evidence made JSON-friendly, with values under sensitive-looking keys masked (at any depth)."""
    out: dict[str, Any] = {}
    for key, value in evidence.items():
        name = str(key)
        if _SENSITIVE_KEY.search(name):
            out[name] = _mask_value(value)
        elif isinstance(value, Mapping):
            out[name] = masked_evidence(value)
        elif isinstance(value, (list, tuple, set, frozenset)):
            out[name] = [masked_evidence(v) if isinstance(v, Mapping) else jsonable(v) for v in value]
        else:
            out[name] = jsonable(value)
    return out


def evidence_text(value: Any) -> str:
    """One evidence value (already masked and JSON-friendly) as text: strings as they are,
    anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


def to_text(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, PurePath):
        return value.as_posix()
    return str(value)


def jsonable(value: Any) -> Any:
    """A JSON-serialisable copy of ``value`` (enums by value, tuples as lists, objects as text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return to_text(value)


# ---------------------------------------------------------------------------------------------
# Text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(text: str) -> str:
    """Scanned content is untrusted: no control characters, no line breaks in a one-line field."""
    return _CONTROL.sub("?", text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


def encodable(text: str) -> str:
    """Text that can be written as UTF-8 (lone surrogates from badly encoded files become '?')."""
    return text.encode("utf-8", "replace").decode("utf-8")


# Above this many items JSON output is written compact: json.dumps only uses its C encoder
# without indentation, and pretty-printing 30,000 findings would take seconds.
PRETTY_JSON_MAX_ITEMS = 2000


def dump_json(data: Any, items: int) -> str:
    """``data`` as JSON text: indented for reports a person may read, compact for big ones."""
    indent = 2 if items <= PRETTY_JSON_MAX_ITEMS else None
    separators = None if indent else (",", ":")
    text = json.dumps(data, indent=indent, separators=separators, ensure_ascii=False, allow_nan=False)
    return encodable(text + "\n")


def cwe_id(cwe: str) -> str:
    """``"798"``, ``"cwe-798"`` and ``"CWE-798"`` all become ``"CWE-798"``."""
    text = cwe.strip()
    digits = text.upper().removeprefix("CWE-").removeprefix("CWE")
    return f"CWE-{digits}" if digits.isdigit() else text


def location_text(location: Location | None) -> str:
    if location is None or not location.file:
        return "-"
    return f"{location.file}:{location.line}" if location.line > 0 else location.file


def step_location(step: FlowStep) -> str:
    if not step.file:
        return ""
    return f"{step.file}:{step.line}" if step.line > 0 else step.file


def flow_line(step: FlowStep) -> str:
    """``source  handler.py:12 event['body']``: kind, where (when known), what."""
    where = step_location(step)
    parts = [step.kind or "step", where, one_line(step.note)]
    return "  ".join([parts[0], " ".join(p for p in parts[1:] if p)])


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


# ---------------------------------------------------------------------------------------------
# Grouping


class AppIndex:
    """Look-ups from findings to applications and functions, built once per report (reports of
    10,000 functions must not search every application for every finding)."""

    def __init__(self, applications: Iterable[Application]) -> None:
        self.applications = list(applications)
        self._by_name: dict[str, list[Application]] = {}
        self._by_function: dict[str, list[Application]] = {}
        self._by_file: dict[str, list[Application]] = {}
        self._by_root: dict[str, list[Application]] = {}
        self._functions: dict[tuple[int, str], Function] = {}
        for app in self.applications:
            self._by_name.setdefault(app.name, []).append(app)
            for fn in app.functions:
                self._functions.setdefault((id(app), fn.id), fn)
                apps = self._by_function.setdefault(fn.id, [])
                if not apps or apps[-1] is not app:
                    apps.append(app)
            for file in app.files:
                self._by_file.setdefault(file, []).append(app)
            root = app.root.strip("/")
            if root not in ("", "."):
                self._by_root.setdefault(root, []).append(app)

    def function(self, app: Application, function_id: str) -> Function | None:
        return self._functions.get((id(app), function_id))

    def _owning(self, file: str) -> list[Application]:
        """Applications that list ``file``, else those whose directory contains it."""
        if not file:
            return []
        if file in self._by_file:
            return self._by_file[file]
        parts = file.split("/")[:-1]
        for depth in range(len(parts), 0, -1):
            apps = self._by_root.get("/".join(parts[:depth]))
            if apps:
                return apps
        return []

    def application_of(self, finding: Finding) -> Application | None:
        """The application a finding belongs to.

        ``Finding.application`` is used when set; otherwise the function id and the file decide
        (function ids are unique only inside one application).
        """
        allowed: set[int] | None = None
        if finding.application:
            named = self._by_name.get(finding.application, [])
            if len(named) == 1:
                return named[0]
            allowed = {id(a) for a in named} or None
        owning = [a for a in self._owning(finding.location.file if finding.location else "")
                  if allowed is None or id(a) in allowed]
        with_fn = [a for a in self._by_function.get(finding.function or "", [])
                   if allowed is None or id(a) in allowed]
        owning_ids = {id(a) for a in owning}
        for candidates in ([a for a in with_fn if id(a) in owning_ids], with_fn, owning):
            if candidates:
                return candidates[0]
        return None


def _index(applications: AppIndex | Iterable[Application]) -> AppIndex:
    return applications if isinstance(applications, AppIndex) else AppIndex(applications)


def find_application(finding: Finding, applications: AppIndex | Iterable[Application]) -> Application | None:
    """The application a finding belongs to (see ``AppIndex.application_of``)."""
    return _index(applications).application_of(finding)


@dataclass
class FunctionGroup:
    """Findings of one function (``function`` is None for findings not tied to a function)."""

    function_id: str | None
    function: Function | None
    findings: list[Finding]

    @property
    def title(self) -> str:
        if self.function_id is None:
            return "(not tied to a function)"
        fn = self.function
        if fn is not None and fn.name and fn.name != fn.id:
            return f"{fn.name} ({fn.id})"
        return self.function_id


@dataclass
class AppGroup:
    """Findings of one application, by function; ``application`` is None for orphans."""

    application: Application | None
    functions: list[FunctionGroup]

    @property
    def title(self) -> str:
        app = self.application
        if app is None:
            return "(no application)"
        kind = f"{app.source_kind}, " if app.source_kind else ""
        return f"{app.name} ({kind}{app.location.file or app.root})"

    @property
    def count(self) -> int:
        return sum(len(g.findings) for g in self.functions)


def group_findings(findings: Iterable[Finding],
                   applications: AppIndex | Iterable[Application]) -> list[AppGroup]:
    """Application -> function -> findings, in the order applications and findings came.

    Findings without a function come last in their application, in a group of their own.
    """
    index = _index(applications)
    by_app: dict[int | None, dict[str | None, list[Finding]]] = {}
    for f in findings:
        app = index.application_of(f)
        key = id(app) if app is not None else None
        by_app.setdefault(key, {}).setdefault(f.function or None, []).append(f)
    groups: list[AppGroup] = []
    for app in [*index.applications, None]:
        fns = by_app.get(id(app) if app is not None else None)
        if not fns:
            continue
        fn_groups = [FunctionGroup(fid, index.function(app, fid) if app is not None else None, items)
                     for fid, items in fns.items() if fid is not None]
        if None in fns:
            fn_groups.append(FunctionGroup(None, None, fns[None]))
        groups.append(AppGroup(app, fn_groups))
    return groups


# ---------------------------------------------------------------------------------------------
# Summary


@dataclass(frozen=True)
class Summary:
    findings: int
    by_severity: dict[str, int]
    functions: int
    applications: int
    errors: int
    unreadable_files: int  # distinct files that could not be read
    analysis_errors: int  # errors of our own checks (the rest of the scan went on)
    suppressed: int
    baselined: int

    @property
    def clean(self) -> bool:
        """True only when nothing was found AND everything could be read and analysed."""
        return self.findings == 0 and self.errors == 0

    @property
    def incomplete(self) -> bool:
        return self.errors > 0

    def severity_text(self) -> str:
        parts = [f"{n} {sev}" for sev, n in self.by_severity.items() if n]
        return ", ".join(parts)

    def line(self) -> str:
        """``3 findings: 1 critical, 2 high; 4 functions in 1 application; ...``"""
        head = plural(self.findings, "finding")
        if self.findings:
            head += ": " + self.severity_text()
        parts = [head, f"{plural(self.functions, 'function')} in {plural(self.applications, 'application')}"]
        if self.unreadable_files:
            parts.append(f"{self.unreadable_files} {'file' if self.unreadable_files == 1 else 'files'} "
                         "could not be read")
        if self.analysis_errors:
            parts.append(f"{plural(self.analysis_errors, 'check')} could not run")
        parts.append(f"{self.suppressed} suppressed")
        parts.append(f"{self.baselined} in baseline")
        return "; ".join(parts)

    def verdict(self) -> str:
        """One sentence that can never make an incomplete scan look clean."""
        if self.errors:
            what = []
            if self.unreadable_files:
                what.append(f"{plural(self.unreadable_files, 'file')} could not be read")
            if self.analysis_errors:
                what.append(f"{plural(self.analysis_errors, 'check')} could not run")
            tail = " and ".join(what)
            if self.findings:
                return f"INCOMPLETE scan: {plural(self.findings, 'finding')}, and {tail}."
            return f"INCOMPLETE scan, not a clean result: {tail}; no findings in what could be read."
        if self.findings:
            return f"{plural(self.findings, 'finding')}."
        if self.applications == 0:
            return "No findings: no serverless application was found to scan."
        return "No findings."


def summarize(result: Any) -> Summary:
    """Counts for the summary line (``result`` is a ``ScanResult``)."""
    by_sev = {s.value: 0 for s in SEVERITY_ORDER}
    for f in result.findings:
        by_sev[f.severity.value] += 1
    errors: list[ScanError] = list(result.errors)
    unreadable = {e.file for e in errors if e.kind in READ_ERROR_KINDS}
    analysis = sum(1 for e in errors if e.kind not in READ_ERROR_KINDS)
    return Summary(
        findings=len(result.findings),
        by_severity=by_sev,
        functions=sum(len(a.functions) for a in result.applications),
        applications=len(result.applications),
        errors=len(errors),
        unreadable_files=len(unreadable),
        analysis_errors=analysis,
        suppressed=len(result.suppressed),
        baselined=len(result.baselined),
    )


# ---------------------------------------------------------------------------------------------
# Colour


def color_wanted(stream: IO[str] | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never under CI=true or NO_COLOR (https://no-color.org)."""
    env = os.environ if environ is None else environ
    if "NO_COLOR" in env and env.get("NO_COLOR", "") != "":
        return False
    if env.get("CI", "").strip().lower() in ("true", "1", "yes"):
        return False
    out = sys.stdout if stream is None else stream
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False
