"""Suppressions declared by the user.

- Inline, in YAML or code, on the finding's line or the line just above it:
  ``# faasguard: ignore[FG-FN-001] reason`` (several ids comma-separated; ``ignore`` alone
  means every rule). Code findings (FG-CODE-*) also honour Bandit's ``# nosec``; secret
  findings honour detect-secrets' ``# pragma: allowlist secret``.
- In CloudFormation/SAM: ``Metadata: {faasguard: {skip: [{id: RULE, reason: ...}]}}`` on a
  resource, which the loaders turn into ``Application.suppressions``.

A suppression without a reason still applies; the reason is shown with ``--show-suppressed``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from faasguard.model import Application, Finding

INLINE = re.compile(r"(?:#|//)\s*faasguard\s*:\s*ignore(?:\[(?P<ids>[^\]]*)\])?(?P<reason>[^\n]*)", re.I)
NOSEC = re.compile(r"#\s*nosec\b", re.I)
ALLOWLIST_SECRET = re.compile(r"pragma:\s*allowlist[ -]secret", re.I)
_MAX_SOURCE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class SuppressedFinding:
    finding: Finding
    reason: str
    source: str  # "inline" | "metadata"


class Suppressor:
    def __init__(self, root: Path, applications: Iterable[Application], inline: bool = True) -> None:
        self.root = root
        self.inline = inline
        self._lines: dict[str, list[str] | None] = {}
        self._metadata = [s for app in applications for s in app.suppressions]

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[SuppressedFinding]]:
        kept: list[Finding] = []
        suppressed: list[SuppressedFinding] = []
        for f in findings:
            hit = self._why(f)
            if hit is None:
                kept.append(f)
            else:
                suppressed.append(SuppressedFinding(f, *hit))
        return kept, suppressed

    def _why(self, f: Finding) -> tuple[str, str] | None:
        if not self.inline:
            return None  # audits: --no-inline-suppressions ignores every user-declared skip
        for s in self._metadata:
            if s.rule_id in ("*", f.rule_id) and s.scope in (f.function, f.evidence.get("resource")):
                return s.reason, "metadata"
        if f.location is None or not f.location.line:
            return None
        lines = self._source(f.location.file)
        if not lines:
            return None
        for lineno in (f.location.line, f.location.line - 1):
            if not 1 <= lineno <= len(lines):
                continue
            text = lines[lineno - 1]
            if lineno == f.location.line - 1 and not text.lstrip().startswith(("#", "//")):
                continue  # the line above counts only when it is a comment of its own
            m = INLINE.search(text)
            if m:
                ids = [i.strip() for i in (m.group("ids") or "").split(",") if i.strip()]
                if not ids or any(f.rule_id == i or f.rule_id.startswith(i.rstrip("*")) and i.endswith("*")
                                  for i in ids):
                    return m.group("reason").strip(" -:"), "inline"
            if lineno == f.location.line:
                if f.rule_id.startswith("FG-CODE") and NOSEC.search(text):
                    return "# nosec", "inline"
                if f.rule_id.startswith("FG-SEC") and ALLOWLIST_SECRET.search(text):
                    return "pragma: allowlist secret", "inline"
        return None

    def _source(self, file: str) -> list[str] | None:
        if file not in self._lines:
            path = (self.root / file)
            try:
                if path.stat().st_size > _MAX_SOURCE_BYTES:
                    self._lines[file] = None
                else:
                    self._lines[file] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._lines[file] = None
        return self._lines[file]
