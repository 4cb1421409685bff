"""Where something is: the exact file and line a person must change."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a scanned file.

    ``file`` is POSIX-style and relative to the scan root. ``line`` and ``column`` are 1-based
    (0 means unknown). ``pointer`` is the path of keys/indexes inside the document (a JSON
    pointer in tuple form), so a fixer can find the node again.
    """

    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    pointer: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def child(self, *keys: str | int) -> Location:
        """Same place, with a longer pointer (used when a line is not known for the child)."""
        return Location(self.file, self.line, self.column, self.end_line, self.pointer + keys)
