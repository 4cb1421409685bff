"""NoSQL injection: MongoDB query operators smuggled into values (``{"$ne": ...}``,
``password[$regex]=``), server-side JavaScript breaks (``'; return true``), and ORM lookup
operators in keys (``user__password__startswith``).

Operator objects in parsed JSON are found structurally by :func:`operator_keys`, used by the
event inspector on every decoded body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from faasguard.guard.detection import Detection, excerpt_of

MONGO_OPERATORS = frozenset({
    "$ne", "$eq", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex", "$where", "$exists", "$or",
    "$and", "$nor", "$not", "$expr", "$elemmatch", "$function", "$accumulator", "$comment", "$type",
    "$size", "$all", "$mod", "$text", "$jsonschema", "$lookup", "$options", "$search",
})
_OPERATOR_IN_TEXT = re.compile(
    r"(?:[\[{,]\s*['\"]?|^\s*['\"]?)(\$[a-z]{2,12})['\"]?\s*(?:\]|:)|\[(\$[a-z]{2,12})\]",
    re.IGNORECASE,
)
_JS_BREAK = re.compile(
    r"['\"]\s*(?:;|\|\||&&)\s*(?:return|sleep|while|do\s*\{|this\.|db\.|it\s*=|var\s|function)|"
    r"^\s*[\w'\"]*\s*;\s*return\s+(?:true|1|this|db)\b|\bdb\.[a-z_]\w*\.(?:insert|find|remove|drop|update)\w*\s*\(|"
    r"\$where\s*:|\bthis\.\w+\.match\s*\(|\bsleep\s*\(\s*\d{3,}\s*\)|\|\|\s*['\"]?1['\"]?\s*==\s*['\"]?1",
    re.IGNORECASE,
)
_ORM_LOOKUP = re.compile(
    r"\b[a-z_][a-z0-9_]*__(?:[a-z0-9_]+__)*(?:startswith|istartswith|endswith|iendswith|contains|"
    r"icontains|regex|iregex|gt|gte|lt|lte|in|exact|iexact|isnull)\b",
    re.IGNORECASE,
)
_HINT = re.compile(r"\$[a-z]|;|__|db\.|this\.|sleep|\|\|", re.IGNORECASE)


def detect_nosqli(text: str) -> Detection | None:
    if not _HINT.search(text):
        return None
    for m in _OPERATOR_IN_TEXT.finditer(text):
        op = (m.group(1) or m.group(2)).lower()
        if op in MONGO_OPERATORS:
            return Detection("nosqli", "FG-NOSQL-001", "", excerpt_of(text, m.start(), m.end()), "high",
                             f"MongoDB operator {op} in a value")
    brk = _JS_BREAK.search(text)
    if brk:
        return Detection("nosqli", "FG-NOSQL-002", "", excerpt_of(text, brk.start(), brk.end()), "high",
                         "server-side JavaScript injection")
    orm = _ORM_LOOKUP.search(text)
    if orm and ("{" in text or "=" in text or text.strip() == orm.group(0)):
        return Detection("nosqli", "FG-NOSQL-003", "", excerpt_of(text, orm.start(), orm.end()), "medium",
                         "ORM lookup operator in a key")
    return None


def operator_keys(keys: Iterable[str]) -> str | None:
    """The first key that is a query operator (``$ne``) or an ORM lookup (``a__gt``), if any."""
    for key in keys:
        lowered = key.lower()
        if lowered in MONGO_OPERATORS or (lowered.startswith("$") and lowered[1:].isalpha()):
            return key
        if "__" in key and _ORM_LOOKUP.fullmatch(key):
            return key
    return None
