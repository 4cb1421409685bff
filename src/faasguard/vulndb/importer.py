"""Building the index from OSV records: a folder of YAML/JSON files or an OSV zip export."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from faasguard.vulndb.osv import Advisory, InvalidRecord, parse_record
from faasguard.vulndb.store import SourceInfo, Writer, now_iso

RECORD_SUFFIXES = (".json", ".yaml", ".yml")
MAX_RECORD_BYTES = 5 * 1024 * 1024
# Every scalar stays a string: YAML would read the version 1.10 as the float 1.1.
_YAML_LOADER: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass
class ImportReport:
    source: str
    records: int = 0
    withdrawn: int = 0
    errors: list[str] = field(default_factory=list)
    ecosystems: set[str] = field(default_factory=set)
    sha256: str = ""
    index: Path | None = None


def parse_bytes(name: str, data: bytes) -> dict[str, Any]:
    # BaseLoader builds no Python objects, only str/list/dict
    loaded = json.loads(data) if name.endswith(".json") else yaml.load(io.BytesIO(data), Loader=_YAML_LOADER)
    if not isinstance(loaded, dict):
        raise InvalidRecord("not a mapping")
    return loaded


def _folder_records(folder: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in RECORD_SUFFIXES and path.is_file() and not path.is_symlink():
            if path.stat().st_size > MAX_RECORD_BYTES:
                continue
            yield path.relative_to(folder).as_posix(), path.read_bytes()


def _zip_records(archive: zipfile.ZipFile) -> Iterator[tuple[str, bytes]]:
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.is_dir() or not info.filename.lower().endswith(RECORD_SUFFIXES):
            continue
        if info.file_size > MAX_RECORD_BYTES:
            continue
        yield info.filename, archive.read(info)


def import_path(source: Path, directory: Path, *, kind: str = "import", label: str | None = None) -> ImportReport:
    """Add every OSV record under ``source`` (a folder or a .zip) to the index in ``directory``.

    Records with a ``withdrawn`` date are dropped (and removed if an earlier import added them).
    Unreadable records are counted in ``errors``; they never stop the import.
    """
    report = ImportReport(label or str(source))
    digest = hashlib.sha256()
    writer = Writer(directory)
    try:
        if source.is_dir():
            records: Iterator[tuple[str, bytes]] = _folder_records(source)
            archive = None
        elif zipfile.is_zipfile(source):
            archive = zipfile.ZipFile(source)
            records = _zip_records(archive)
        else:
            raise ValueError(f"{source} is neither a folder of OSV records nor an OSV zip")
        batch: list[Advisory] = []
        withdrawn: list[str] = []
        for name, data in records:
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
            try:
                raw = parse_bytes(name, data)
                advisory = parse_record(raw)
            except (InvalidRecord, ValueError, TypeError, AttributeError, RecursionError, yaml.YAMLError) as exc:
                report.errors.append(f"{name}: {exc}".splitlines()[0][:200])
                continue
            if advisory is None:
                report.withdrawn += 1
                withdrawn.append(str(raw.get("id")))
                continue
            report.ecosystems.update(a.ecosystem for a in advisory.affected)
            batch.append(advisory)
            if len(batch) >= 1000:
                report.records += writer.add(batch)
                batch.clear()
        report.records += writer.add(batch)
        writer.remove(withdrawn)
        if archive is not None:
            archive.close()
        report.sha256 = file_sha256(source) if source.is_file() else digest.hexdigest()
        writer.record_source(SourceInfo(report.source, kind, tuple(sorted(report.ecosystems)), now_iso(),
                                        report.sha256, report.records, report.withdrawn, len(report.errors)))
        report.index = writer.commit()
    except BaseException:
        writer.abort()
        raise
    return report


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
