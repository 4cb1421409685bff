"""Shannon entropy and value shape: how random a candidate secret looks."""

from __future__ import annotations

import math
import string
from collections import Counter

HEX = frozenset(string.hexdigits)
BASE64 = frozenset(string.ascii_letters + string.digits + "+/=_-")


def shannon(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def char_classes(text: str) -> int:
    """How many of lower, upper, digit, symbol the text uses."""
    return sum((
        any(c.islower() for c in text), any(c.isupper() for c in text), any(c.isdigit() for c in text),
        any(not c.isalnum() for c in text),
    ))


def looks_random(text: str, min_length: int = 16) -> bool:
    """A token-like value: long enough, no spaces, and entropy near that of random text of its alphabet."""
    if len(text) < min_length or any(c.isspace() for c in text):
        return False
    bits = shannon(text)
    if set(text) <= HEX:
        return bits >= 3.0  # random hex tops out at 4 bits/char
    return bits >= 3.5 and char_classes(text) >= 2
