"""What a detector reports."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Detection:
    """One finding in one value: ``field`` is the path in the event (``$.body<json>.name``)."""

    category: str
    rule_id: str
    field: str
    excerpt: str
    severity: str = "high"
    message: str = ""

    def with_field(self, field: str) -> Detection:
        return Detection(self.category, self.rule_id, field, self.excerpt, self.severity, self.message)

    def as_dict(self) -> dict[str, str]:
        return {
            "category": self.category,
            "rule_id": self.rule_id,
            "field": self.field,
            "excerpt": self.excerpt,
            "severity": self.severity,
            "message": self.message,
        }


def excerpt_of(text: str, start: int, end: int, width: int = EXCERPT_CHARS) -> str:
    """A short window of ``text`` around ``[start, end)``, printable only."""
    pad = max(0, (width - (end - start)) // 2)
    lo = max(0, start - pad)
    hi = min(len(text), max(end, lo + width))
    snippet = text[lo:hi]
    if len(snippet) > width:
        snippet = snippet[:width]
    return "".join(ch if ch.isprintable() else " " for ch in snippet)
