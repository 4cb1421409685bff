"""``faasguard db update``: the only code in faasguard that uses the network.

Downloads the OSV per-ecosystem exports (``<base>/<Ecosystem>/all.zip``), keeps the zip in the
database directory and imports it; the source URL, time and sha256 are recorded in the index.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from faasguard.vulndb.importer import ImportReport, import_path

OSV_EXPORT_BASE = "https://osv-vulnerabilities.storage.googleapis.com"
BASE_ENV_VAR = "FAASGUARD_OSV_BASE_URL"  # a mirror (or a local server in tests)
DEFAULT_ECOSYSTEMS = ("PyPI", "npm")
_TIMEOUT_S = 120


def export_url(ecosystem: str, base: str | None = None) -> str:
    base = (base or os.environ.get(BASE_ENV_VAR) or OSV_EXPORT_BASE).rstrip("/")
    return f"{base}/{urllib.parse.quote(ecosystem)}/all.zip"


def update(directory: Path, ecosystems: Sequence[str] = DEFAULT_ECOSYSTEMS, *, base: str | None = None,
           progress: Callable[[str], None] | None = None) -> list[ImportReport]:
    downloads = directory / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    reports = []
    for ecosystem in ecosystems:
        url = export_url(ecosystem, base)
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"refusing to download from {url}")
        target = downloads / f"{ecosystem}-all.zip"
        partial = target.with_suffix(".zip.part")
        if progress:
            progress(f"downloading {url}")
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response, partial.open("wb") as out:  # noqa: S310
            shutil.copyfileobj(response, out)
        os.replace(partial, target)
        if progress:
            progress(f"indexing {target.name}")
        reports.append(import_path(target, directory, kind="update", label=url))
    return reports
