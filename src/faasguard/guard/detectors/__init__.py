"""Detectors: each takes one string and returns at most one Detection of its family."""

from __future__ import annotations

import re
from collections.abc import Callable

from faasguard.guard.decode import base64_payloads, sql_form, variants
from faasguard.guard.detection import Detection
from faasguard.guard.detectors.cmdi import detect_cmdi
from faasguard.guard.detectors.markup import detect_markup
from faasguard.guard.detectors.nosql import detect_nosqli
from faasguard.guard.detectors.path import detect_path
from faasguard.guard.detectors.serialized import detect_deserialization
from faasguard.guard.detectors.sqli import detect_sqli
from faasguard.guard.detectors.ssrf import detect_ssrf
from faasguard.guard.detectors.template import detect_ssti
from faasguard.guard.detectors.xss import detect_xss

Detector = Callable[[str], "Detection | None"]

DETECTORS: dict[str, Detector] = {
    "sqli": detect_sqli,
    "xss": detect_xss,
    "cmdi": detect_cmdi,
    "path_traversal": detect_path,
    "ssrf": detect_ssrf,
    "ssti": detect_ssti,
    "nosqli": detect_nosqli,
    "deserialization": detect_deserialization,
    "markup": detect_markup,  # xxe, jndi, ssi, crlf, prototype pollution, inline php
}

# Strings made only of these characters cannot carry any payload the detectors look for
# (no quotes, brackets, operators, separators or encodings), except SQL keyword runs, which
# _KEYWORDS catches.
_INERT = re.compile(r"[\w \t.,:@+\-/]*\Z")
_KEYWORDS = re.compile(
    r"\b(?:union|select|sleep|benchmark|waitfor|or|and|xor|having|order|exec|drop|insert|delete|update|"
    r"like|rlike|regexp|into|from|whoami|uname|ifconfig|ipconfig|wget|curl|bash|sh|nc|ping|id|ls|"
    r"passwd|etc|proc|win|boot|system32|rO0AB|gAS|aced|runtime|processbuilder|metadata|instance|"
    r"transformer|factory|closure|py|java|jndi|return|this|db|dir|net|cat|type|echo|set|for|if)\b|"
    r"__|\.\.|://|0x|^\w+\Z|(?:^|/)\.\w",
    re.IGNORECASE,
)
MAX_TEXT_CHARS = 65536


def detect(text: str, categories: frozenset[str] | None = None) -> list[Detection]:
    """All detections in one string (one per family at most), trying its decoded forms."""
    if not text or not isinstance(text, str):
        return []
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    if _INERT.match(text) and not _KEYWORDS.search(text):
        return []
    found: dict[str, Detection] = {}
    forms = variants(text)
    for form in forms:
        _run_all(form, found, categories)
    if len(found) == 0 and "/*" in text:
        for form in forms:
            cleaned = sql_form(form)
            if cleaned != form:
                _run_one("sqli", cleaned, found)
    if not found and len(text) >= 16:
        for hidden in base64_payloads(text):
            _run_all(hidden, found, categories)
            for form in variants(hidden)[1:]:
                _run_all(form, found, categories)
    return list(found.values())


def _run_all(form: str, found: dict[str, Detection], categories: frozenset[str] | None) -> None:
    for family, detector in DETECTORS.items():
        if categories is not None and family not in categories and family != "markup":
            continue
        if family in found:
            continue
        _run_one(family, form, found)


def _run_one(family: str, form: str, found: dict[str, Detection]) -> None:
    hit = DETECTORS[family](form)
    if hit is not None and hit.category not in found:
        found[hit.category if family == "markup" else family] = hit
