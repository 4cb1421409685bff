"""The local vulnerability index: one SQLite file built once from OSV records.

A scan opens the file read-only and asks for the advisories of one package at a time (an
indexed lookup), so it never parses advisory files. Advisories that describe the same flaw
under different ids (PYSEC / GHSA / CVE) are merged when they are returned.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from faasguard.vulndb.osv import Advisory
from faasguard.vulndb.versions import in_range, normalize_name, normalize_version

INDEX_FILE = "index.sqlite3"
SCHEMA_VERSION = "1"
ENV_VAR = "FAASGUARD_VULNDB"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT NOT NULL, kind TEXT NOT NULL, ecosystems TEXT NOT NULL, imported_at TEXT NOT NULL,
    sha256 TEXT NOT NULL, records INTEGER NOT NULL, withdrawn INTEGER NOT NULL, errors INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS advisories (
    id TEXT PRIMARY KEY, aliases TEXT NOT NULL, summary TEXT NOT NULL, severity TEXT, cvss TEXT,
    published TEXT NOT NULL, modified TEXT NOT NULL, refs TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS affected (
    ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory TEXT NOT NULL, ranges TEXT NOT NULL,
    versions TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected (ecosystem, name);
"""


def default_dir() -> Path:
    """``$FAASGUARD_VULNDB`` when set, else ``~/.cache/faasguard/vulndb`` (XDG cache home honoured)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME")
    base = Path(cache).expanduser() if cache else Path.home() / ".cache"
    return base / "faasguard" / "vulndb"


def resolve_dir(override: str | Path | None = None) -> Path:
    """The database directory: an explicit ``--vulndb`` wins over the environment and the default."""
    return Path(override).expanduser() if override else default_dir()


def index_path(directory: Path) -> Path:
    return directory / INDEX_FILE


@dataclass(frozen=True)
class Vulnerability:
    """One flaw affecting one package version, with every id it is known under."""

    id: str  # the preferred id (PYSEC, then GHSA, then others)
    aliases: tuple[str, ...]  # every other id (CVE, GHSA, PYSEC ...), sorted
    summary: str
    severity: str | None
    cvss: str | None
    fixed: tuple[str, ...]  # fixed versions, lowest first
    references: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def cve(self) -> str | None:
        return next((i for i in self.ids if i.startswith("CVE-")), None)


@dataclass(frozen=True)
class SourceInfo:
    source: str
    kind: str
    ecosystems: tuple[str, ...]
    imported_at: str
    sha256: str
    records: int
    withdrawn: int
    errors: int


@dataclass
class _Match:
    advisory: str
    aliases: set[str]
    summary: str
    severity: str | None
    cvss: str | None
    fixed: set[str] = field(default_factory=set)
    refs: tuple[str, ...] = ()


_ID_PREFERENCE = ("PYSEC-", "GHSA-", "OSV-", "RUSTSEC-", "GO-")
_SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}


def _id_rank(identifier: str) -> tuple[int, str]:
    for rank, prefix in enumerate(_ID_PREFERENCE):
        if identifier.startswith(prefix):
            return rank, identifier
    return (len(_ID_PREFERENCE) + (1 if identifier.startswith("CVE-") else 0), identifier)


class VulnDB:
    """A read-only view of the index. Open with ``VulnDB.open(directory)``."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._cache: dict[tuple[str, str], list[tuple[dict[str, Any], list[dict[str, Any]], set[str]]]] = {}
        self._meta: dict[str, str] = dict(connection.execute("SELECT key, value FROM meta"))

    @staticmethod
    def open(directory: Path) -> VulnDB | None:
        """The database in ``directory``, or ``None`` when there is none (or it is unreadable)."""
        path = index_path(directory)
        if not path.is_file():
            return None
        try:
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            db = VulnDB(path, conn)
        except sqlite3.Error:
            return None
        if db._meta.get("schema") != SCHEMA_VERSION:
            return None
        return db

    def close(self) -> None:
        self._db.close()

    @property
    def ecosystems(self) -> frozenset[str]:
        return frozenset(e for e in self._meta.get("ecosystems", "").split(",") if e)

    @property
    def built_at(self) -> str:
        return self._meta.get("built_at", "")

    def covers(self, ecosystem: str) -> bool:
        return ecosystem.lower() in {e.lower() for e in self.ecosystems}

    def advisory_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM advisories").fetchone()[0])

    def sources(self) -> list[SourceInfo]:
        rows = self._db.execute("SELECT * FROM sources ORDER BY imported_at").fetchall()
        return [SourceInfo(r["source"], r["kind"], tuple(json.loads(r["ecosystems"])), r["imported_at"],
                           r["sha256"], r["records"], r["withdrawn"], r["errors"]) for r in rows]

    def _rows(self, ecosystem: str, name: str) -> list[tuple[dict[str, Any], list[dict[str, Any]], set[str]]]:
        key = (ecosystem.lower(), normalize_name(ecosystem, name))
        if key not in self._cache:
            rows = self._db.execute(
                "SELECT a.id, a.aliases, a.summary, a.severity, a.cvss, a.refs, f.ranges, f.versions "
                "FROM affected f JOIN advisories a ON a.id = f.advisory "
                "WHERE f.ecosystem = ? AND f.name = ?", key).fetchall()
            self._cache[key] = [
                ({"id": r["id"], "aliases": json.loads(r["aliases"]), "summary": r["summary"],
                  "severity": r["severity"], "cvss": r["cvss"], "refs": tuple(json.loads(r["refs"]))},
                 json.loads(r["ranges"]), set(json.loads(r["versions"])))
                for r in rows
            ]
        return self._cache[key]

    def vulnerabilities(self, ecosystem: str, name: str, version: str) -> list[Vulnerability]:
        """Every known flaw of ``name==version``, aliases merged, most severe first."""
        wanted = normalize_version(ecosystem, version)
        matches: list[_Match] = []
        for adv, ranges, versions in self._rows(ecosystem, name):
            hit = wanted in versions
            fixed: set[str] = set()
            all_fixed: set[str] = set()
            for r in ranges:
                result = in_range(ecosystem, r.get("type", ""), r.get("events", ()), version)
                all_fixed.update(e["fixed"] for e in r.get("events", ()) if "fixed" in e)
                if result.affected:
                    hit = True
                    fixed.update(result.fixed)
            if not hit:
                continue
            matches.append(_Match(adv["id"], {adv["id"], *adv["aliases"]}, adv["summary"], adv["severity"],
                                  adv["cvss"], fixed or _above(ecosystem, all_fixed, version), adv["refs"]))
        return sorted((_merge(group) for group in _group(matches)),
                      key=lambda v: (-_SEVERITY_RANK.get(v.severity or "", 0), _id_rank(v.id)))


def _above(ecosystem: str, fixed: set[str], version: str) -> set[str]:
    """Fixed versions above ``version`` (used when only the explicit version list matched)."""
    out = set()
    for candidate in fixed:
        if in_range(ecosystem, "ECOSYSTEM", [{"introduced": "0"}, {"fixed": candidate}], version).affected:
            out.add(candidate)
    return out


def _group(matches: list[_Match]) -> Iterator[list[_Match]]:
    """Advisories sharing any id or alias describe one flaw."""
    groups: list[tuple[set[str], list[_Match]]] = []
    for m in matches:
        joined = [g for g in groups if g[0] & m.aliases]
        ids = set(m.aliases)
        members = [m]
        for g in joined:
            ids |= g[0]
            members += g[1]
            groups.remove(g)
        groups.append((ids, members))
    for _, members in groups:
        yield members


def _merge(members: list[_Match]) -> Vulnerability:
    ids: set[str] = set()
    fixed: set[str] = set()
    for m in members:
        ids |= m.aliases
        fixed |= m.fixed
    primary = min(ids, key=_id_rank)
    best = max(members, key=lambda m: (_SEVERITY_RANK.get(m.severity or "", 0), m.summary != ""))
    summary = next((m.summary for m in sorted(members, key=lambda m: _id_rank(m.advisory)) if m.summary), "")
    refs: list[str] = []
    for m in members:
        refs.extend(r for r in m.refs if r not in refs)
    return Vulnerability(primary, tuple(sorted(ids - {primary}, key=_id_rank)), summary, best.severity,
                         best.cvss, tuple(sorted(fixed, key=_fixed_sort_key)), tuple(refs[:5]))


def _fixed_sort_key(text: str) -> tuple[int, Any]:
    from packaging.version import InvalidVersion, Version

    try:
        return (0, Version(text))
    except InvalidVersion:
        return (1, text)


class Writer:
    """Builds or extends the index. Writes to a temporary copy and renames it in place, so a
    scan running at the same time sees either the old or the new index, never half of one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.final = index_path(directory)
        self.tmp = directory / (INDEX_FILE + ".tmp")
        if self.tmp.exists():
            self.tmp.unlink()
        if self.final.is_file():
            self.tmp.write_bytes(self.final.read_bytes())
        self.db = sqlite3.connect(self.tmp)
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def add(self, advisories: Iterable[Advisory]) -> int:
        count = 0
        for adv in advisories:
            self.db.execute("DELETE FROM affected WHERE advisory = ?", (adv.id,))
            self.db.execute(
                "INSERT OR REPLACE INTO advisories VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (adv.id, json.dumps(list(adv.aliases)), adv.summary, adv.severity, adv.cvss, adv.published,
                 adv.modified, json.dumps(list(adv.references))))
            self.db.executemany(
                "INSERT INTO affected VALUES (?, ?, ?, ?, ?)",
                [(a.ecosystem.lower(), a.name, adv.id, json.dumps(list(a.ranges), separators=(",", ":")),
                  json.dumps(list(a.versions))) for a in adv.affected])
            count += 1
        return count

    def remove(self, ids: Iterable[str]) -> None:
        """Drop advisories withdrawn since an earlier import."""
        for identifier in ids:
            self.db.execute("DELETE FROM affected WHERE advisory = ?", (identifier,))
            self.db.execute("DELETE FROM advisories WHERE id = ?", (identifier,))

    def record_source(self, info: SourceInfo) -> None:
        self.db.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (info.source, info.kind, json.dumps(list(info.ecosystems)), info.imported_at,
                         info.sha256, info.records, info.withdrawn, info.errors))

    def commit(self) -> Path:
        ecosystems = sorted({r[0] for r in self.db.execute("SELECT DISTINCT ecosystem FROM affected")})
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('ecosystems', ?)", (",".join(ecosystems),))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('built_at', ?)", (now_iso(),))
        self.db.commit()
        self.db.close()
        os.replace(self.tmp, self.final)
        return self.final

    def abort(self) -> None:
        self.db.close()
        self.tmp.unlink(missing_ok=True)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
