"""Command-line entry point.

``faasguard --version`` answers before anything heavy is imported (target: under 0.3 s), so this
module imports nothing but the standard library until a real command runs.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"], ["version"]):
        from faasguard import __version__

        print(f"faasguard {__version__}")
        return 0
    from faasguard.cli.app import run

    return run(args)
