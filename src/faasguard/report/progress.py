"""Progress on long scans: a spinner on a terminal, nothing at all in CI or in a pipe."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.text import Text

from faasguard.report.common import one_line


@contextmanager
def scan_progress(console: Console, *, enabled: bool | None = None) -> Iterator[Callable[[str], None] | None]:
    """Yield a callback for ``faasguard.scan.scan(progress=...)``, or None when quiet.

    Quiet unless ``console`` is a terminal and CI is not set (``enabled`` overrides). The
    spinner is written to ``console`` (give it stderr so it never mixes with a report on stdout).
    """
    if enabled is None:
        enabled = console.is_terminal and not _in_ci()
    if not enabled:
        yield None
        return
    count = 0
    with console.status(Text("scanning…"), spinner="dots") as status:
        def update(app_name: str) -> None:
            nonlocal count
            count += 1
            status.update(Text(f"scanning application {count}: {one_line(app_name)}"))

        yield update


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
