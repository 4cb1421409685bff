"""Which files the secret scan reads: code, IaC, .env, config, notebooks and Dockerfiles, never
vendored packages, build output or lock files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from faasguard.loaders.discovery import SKIP_DIRS, is_virtualenv

SUFFIXES = frozenset({
    ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".go", ".rb", ".php", ".cs", ".kt", ".scala",
    ".rs", ".swift", ".groovy", ".sh", ".bash", ".zsh", ".ps1", ".yml", ".yaml", ".json", ".toml", ".ini",
    ".cfg", ".conf", ".properties", ".env", ".tf", ".tfvars", ".hcl", ".template", ".ipynb", ".xml", ".config",
    ".txt", ".npmrc", ".pypirc", ".netrc", ".pem", ".key",
})
NAMES = frozenset({".env", ".npmrc", ".pypirc", ".netrc", ".git-credentials", "Dockerfile", "Containerfile",
                   "credentials", "id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"})
# Generated files full of hashes: nothing a person wrote, and costly to scan.
SKIP_NAMES = frozenset({"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
                        "uv.lock", "Pipfile.lock", "composer.lock", "Cargo.lock", "go.sum", "RECORD"})
VENDOR_DIRS = frozenset({"vendor", "third_party", "dist", "build", "coverage", "htmlcov", ".next", ".nuxt"})
MAX_FILE_BYTES = 1024 * 1024


def wanted(name: str) -> bool:
    if name in SKIP_NAMES or name.endswith((".min.js", ".map")):
        return False
    if name in NAMES or name.startswith((".env.", "Dockerfile.", "Dockerfile-")) or name.endswith(
            (".env", ".dockerfile")):
        return True
    return os.path.splitext(name)[1].lower() in SUFFIXES


def walk(root: Path) -> Iterator[tuple[Path, str]]:
    """(absolute path, POSIX path relative to ``root``) of every file worth scanning."""
    root = root.resolve()
    if root.is_file():
        if wanted(root.name):
            yield root, root.name
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        current = Path(dirpath)
        vendored = _vendored_packages(current, dirnames)
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS and d not in VENDOR_DIRS and d not in vendored
            and not d.endswith((".egg-info", ".dist-info"))
            and not is_virtualenv(current / d) and not (current / d).is_symlink()
        )
        for name in sorted(filenames):
            if not wanted(name):
                continue
            path = current / name
            if path.is_symlink():
                continue
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    continue
            except OSError:
                continue
            yield path, path.relative_to(root).as_posix()


def _vendored_packages(current: Path, dirnames: list[str]) -> set[str]:
    """Packages installed next to the code (``pip install -t .``): their dist-info names them."""
    out: set[str] = set()
    for d in dirnames:
        if not d.endswith(".dist-info"):
            continue
        try:
            top = (current / d / "top_level.txt").read_text(encoding="utf-8", errors="replace").split()
        except OSError:
            top = [d.split("-", 1)[0]]
        out.update(top)
    return out


def read_text(path: Path) -> str | None:
    """The file's text, or None for binary (a NUL in the first 8 KiB) and unreadable files."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")
