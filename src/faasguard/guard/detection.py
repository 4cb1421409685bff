"""What a detector reports.

``Detection`` is an immutable value object. It is a slotted class rather than a dataclass
because importing ``dataclasses`` (and ``inspect`` behind it) alone costs several milliseconds
of the guard's import budget.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any

CATEGORIES = (
    "sqli",
    "nosqli",
    "cmdi",
    "xss",
    "path_traversal",
    "ssrf",
    "ssti",
    "xxe",
    "deserialization",
    "jndi",
    "code_injection",
    "ssi",
    "crlf",
    "prototype_pollution",
    "limits",
    "schema",
)

SEVERITIES = ("low", "medium", "high", "critical")
EXCERPT_CHARS = 120


class Detection:
    """One finding in one value: ``field`` is the path in the event (``$.body<json>.name``)."""

    __slots__ = ("category", "rule_id", "field", "excerpt", "severity", "message")
    category: str
    rule_id: str
    field: str
    excerpt: str
    severity: str
    message: str

    def __init__(self, category: str, rule_id: str, field: str, excerpt: str, severity: str = "high",
                 message: str = "") -> None:
        for name, value in zip(self.__slots__, (category, rule_id, field, excerpt, severity, message),
                               strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Detection is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Detection is immutable")

    def _key(self) -> tuple[str, ...]:
        return (self.category, self.rule_id, self.field, self.excerpt, self.severity, self.message)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Detection) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Detection(category={self.category!r}, rule_id={self.rule_id!r}, field={self.field!r}, "
                f"excerpt={self.excerpt!r}, severity={self.severity!r})")

    def with_field(self, field: str) -> Detection:
        return Detection(self.category, self.rule_id, field, self.excerpt, self.severity, self.message)

    def as_dict(self) -> dict[str, str]:
        return dict(zip(self.__slots__, self._key(), strict=True))


def excerpt_of(text: str, start: int, end: int, width: int = EXCERPT_CHARS) -> str:
    """A short window of ``text`` around ``[start, end)``, printable only."""
    pad = max(0, (width - (end - start)) // 2)
    lo = max(0, start - pad)
    hi = min(len(text), max(end, lo + width))
    snippet = text[lo:hi]
    if len(snippet) > width:
        snippet = snippet[:width]
    return "".join(ch if ch.isprintable() else " " for ch in snippet)
