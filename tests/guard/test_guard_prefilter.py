"""The literal prefilters give exactly the results of the patterns they guard, and the quick
check never clears a value a detector would flag."""

import json
import re
import time
from pathlib import Path

import pytest

from faasguard.guard.detectors import cmdi, path, quick_clear, serialized, sqli, ssrf
from faasguard.guard.detectors import detect as detect_text
from faasguard.guard.detectors.prefilter import Markers, Prefiltered, fold, needles_of, profile, split_branches

PAYLOADS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "payloads"


def test_needles_are_derived_from_the_pattern() -> None:
    assert needles_of(r"\bunion\s+select\b", re.IGNORECASE) == frozenset({"select"})
    assert needles_of(r"c(?:os|posix)\n\w+", re.IGNORECASE) == frozenset({"cos\n", "cposix\n"})
    assert needles_of(r"[OC]:\d+", 0) == frozenset({"o:", "c:"})
    assert needles_of(r"(?:a|b)?\d+", 0) is None  # nothing is required
    assert needles_of(r"(?-i:\bgAS[UV])", re.IGNORECASE) == frozenset({"gasu", "gasv"})


def test_split_branches_respects_groups_and_classes() -> None:
    assert split_branches(r"a|(b|c)|[|]|\|d") == ["a", "(b|c)", "[|]", r"\|d"]


def test_fold_agrees_with_ignorecase() -> None:
    # characters re.IGNORECASE matches to ASCII letters but str.lower does not map to them
    assert fold("\u017fystem \u0130F \u212aILL") == "system if kill"


@pytest.mark.parametrize("text", [
    "", "system", "SYSTEM('id')", "\u017fy\u017ftem(", "x; for /f %i in (a) do b", "%windir% & x", "a" * 500,
    "ifconfig", "if exist c:\\x echo", "$(id)", "`ls`", "w'h'o'am'i", "net user /add", "\u0130f exist",
])
def test_search_equals_the_combined_pattern(text: str) -> None:
    for pattern in (cmdi._SHELL_MISC, cmdi._WINDOWS, cmdi._CODE_EXEC, cmdi._BINARY_PATH, cmdi._SUBSTITUTION,
                    sqli._SQL_ONLY_WORDS, sqli._RAW_SQL_GATE, serialized._MARKERS, path._SENSITIVE,
                    ssrf._METADATA_NAMES):
        assert isinstance(pattern, Prefiltered)
        got, want = pattern.search(text), pattern.full_search(text)
        assert (got and (got.span(), got.lastgroup)) == (want and (want.span(), want.lastgroup)), pattern.pattern[:60]


def test_markers_any_in() -> None:
    markers = Markers(("py/", "!!", "metadata"))
    assert markers.any_in(*profile("x !! y"))
    assert markers.any_in(*profile("GET /latest/METADATA"))
    assert not markers.any_in(*profile("plain text"))


def test_needle_scan_is_linear() -> None:
    start = time.perf_counter()
    for text in ("system" * 10000, "a" * 60000, "cos\n" * 15000, "\u017f" * 60000, "aced0005" * 8000):
        profile(text)
    assert time.perf_counter() - start < 2.0


def _corpus_strings(step: int) -> list[str]:
    if not PAYLOADS.exists():
        pytest.skip(f"{PAYLOADS} not found: the shared corpus is not checked out next to the repository")
    out: list[str] = []
    for name in ("attack.jsonl", "benign.jsonl"):
        with open(PAYLOADS / name, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i % step == 0:
                    out.extend(f for f in json.loads(line)["fields"] if isinstance(f, str))
    return out


@pytest.mark.integration
def test_prefiltered_patterns_agree_on_the_corpus() -> None:
    patterns = [v for module in (cmdi, sqli, serialized, path, ssrf) for v in vars(module).values()
                if isinstance(v, Prefiltered)]
    assert len(patterns) >= 15
    for text in _corpus_strings(7):
        for candidate in (text, text.lower()):
            for pattern in patterns:
                got, want = pattern.search(candidate), pattern.full_search(candidate)
                assert (got and (got.span(), got.lastgroup)) == (want and (want.span(), want.lastgroup)), \
                    (pattern.pattern[:60], candidate[:80])


@pytest.mark.integration
def test_quick_clear_never_hides_a_detection() -> None:
    for text in _corpus_strings(3):
        if quick_clear(text):
            assert detect_text(text) == [], text[:80]
