"""Reading OSV records (https://ossf.github.io/osv-schema/) into the few facts a scan needs."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faasguard.vulndb.versions import normalize_name, normalize_version


@dataclass(frozen=True)
class Affected:
    """One ``affected[]`` entry: a package, its ranges (as in OSV) and explicit versions."""

    ecosystem: str
    name: str  # normalised (PEP 503 for PyPI)
    ranges: tuple[dict[str, Any], ...] = ()
    versions: tuple[str, ...] = ()  # normalised


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str | None  # "critical" / "high" / "medium" / "low", or None when the record has none
    cvss: str | None
    published: str
    modified: str
    references: tuple[str, ...]
    affected: tuple[Affected, ...] = field(default=())


class InvalidRecord(ValueError):
    pass


def _seq(value: Any) -> list[Any]:
    """A list field of an untrusted record: anything else counts as empty."""
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def parse_record(data: Mapping[str, Any]) -> Advisory | None:
    """Turn one OSV record into an ``Advisory``; ``None`` for withdrawn records.

    Raises ``InvalidRecord`` when the record lacks an id or is not a mapping.
    """
    if not isinstance(data, Mapping) or not _text(data.get("id")).strip():
        raise InvalidRecord("not an OSV record (no id)")
    if data.get("withdrawn"):
        return None
    affected: list[Affected] = []
    for entry in _seq(data.get("affected")):
        if not isinstance(entry, Mapping):
            continue
        raw_package = entry.get("package")
        package: Mapping[str, Any] = raw_package if isinstance(raw_package, Mapping) else {}
        ecosystem = _text(package.get("ecosystem")).split(":")[0]  # "Debian:11" -> "Debian"
        name = _text(package.get("name"))
        if not ecosystem or not name:
            continue
        ranges = tuple(
            {"type": _text(r.get("type")).upper(),
             "events": [{str(k): _text(v) for k, v in e.items()} for e in _seq(r.get("events"))
                        if isinstance(e, Mapping)]}
            for r in _seq(entry.get("ranges")) if isinstance(r, Mapping)
        )
        versions = tuple(normalize_version(ecosystem, _text(v)) for v in _seq(entry.get("versions")))
        affected.append(Affected(ecosystem, normalize_name(ecosystem, name), ranges, versions))
    summary = _text(data.get("summary")).strip() or _first_sentence(_text(data.get("details")))
    cvss = None
    for sev in _seq(data.get("severity")):
        if isinstance(sev, Mapping) and _text(sev.get("type")).upper().startswith("CVSS_V3"):
            cvss = _text(sev.get("score"))
    severity = cvss_level(cvss) if cvss else None
    if severity is None:
        db_specific = data.get("database_specific") or {}
        if isinstance(db_specific, Mapping):
            level = _text(db_specific.get("severity")).lower()
            severity = {"moderate": "medium"}.get(level, level) if level in (
                "critical", "high", "moderate", "medium", "low") else None
    return Advisory(
        id=_text(data["id"]).strip(),
        aliases=tuple(_text(a).strip() for a in _seq(data.get("aliases")) if _text(a).strip()),
        summary=summary[:300],
        severity=severity,
        cvss=cvss,
        published=_text(data.get("published")),
        modified=_text(data.get("modified")),
        references=tuple(_text(r.get("url")) for r in _seq(data.get("references"))
                         if isinstance(r, Mapping) and r.get("url"))[:5],
        affected=tuple(affected),
    )


def _first_sentence(details: str, limit: int = 200) -> str:
    """A one-line summary from the details (records without ``summary``), cut at a word."""
    text = " ".join(details.replace("*", "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def dumps_ranges(ranges: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(ranges), separators=(",", ":"), sort_keys=True)


# --- CVSS v3.x base score (FIRST specification, section 7.1) -------------------------------------

_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_PR_UNCHANGED = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}


def _roundup(value: float) -> float:
    scaled = round(value * 100000)
    if scaled % 10000 == 0:
        return scaled / 100000.0
    return (math.floor(scaled / 10000) + 1) / 10.0


def cvss3_base_score(vector: str) -> float | None:
    parts = dict(p.split(":", 1) for p in vector.split("/")[1:] if ":" in p)
    try:
        scope_changed = parts["S"] == "C"
        pr = (_PR_CHANGED if scope_changed else _PR_UNCHANGED)[parts["PR"]]
        iss = 1 - (1 - _CIA[parts["C"]]) * (1 - _CIA[parts["I"]]) * (1 - _CIA[parts["A"]])
        exploitability = 8.22 * _AV[parts["AV"]] * _AC[parts["AC"]] * pr * _UI[parts["UI"]]
    except KeyError:
        return None
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if scope_changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    if scope_changed:
        return _roundup(min(1.08 * (impact + exploitability), 10))
    return _roundup(min(impact + exploitability, 10))


def cvss_level(vector: str) -> str | None:
    if not vector.upper().startswith("CVSS:3"):
        return None
    score = cvss3_base_score(vector)
    if score is None:
        return None
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0:
        return "low"
    return None
