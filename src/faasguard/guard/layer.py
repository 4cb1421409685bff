"""Build a Lambda layer zip holding only the runtime guard (``python/faasguard/guard``)."""

from __future__ import annotations

import zipfile
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # .../faasguard


def layer_files() -> list[tuple[Path, str]]:
    """(source file, path inside the zip) of everything the layer ships."""
    files = [(_PACKAGE_ROOT / "__init__.py", "python/faasguard/__init__.py")]
    guard_dir = _PACKAGE_ROOT / "guard"
    for path in sorted(guard_dir.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".typed") and "__pycache__" not in path.parts:
            files.append((path, f"python/faasguard/guard/{path.relative_to(guard_dir).as_posix()}"))
    return files


def build_layer(output: Path) -> list[str]:
    """Write the zip (deterministic: fixed timestamps, sorted entries); return its entry names."""
    output.parent.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for source, arcname in layer_files():
            info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, source.read_bytes())
            names.append(arcname)
    return names
