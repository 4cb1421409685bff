"""Literal prefilters for large regular expressions.

CPython's ``re`` tries every branch of an alternation at every position, so a pattern with
dozens of keyword branches costs 100+ microseconds on a paragraph of prose that contains none
of them. ``Prefiltered`` splits such a pattern into its top-level branches and derives, from
the parsed pattern, the literal strings each branch cannot match without ("needles"). A
branch runs only when one of its needles occurs in the case-folded text, which costs a few
substring tests. ``search`` returns exactly what the combined pattern's ``search`` returns (the
leftmost match; at equal starts, the earliest branch), so detectors keep their semantics.

Needles are derived, not written by hand, so they cannot drift from the patterns; a test
checks the derivation on the corpus.
"""

from __future__ import annotations

import importlib
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# the parser of ``re`` (an implementation module: ``re._parser`` since 3.11, ``sre_parse`` before)
try:
    _p: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python 3.10
    _p = importlib.import_module("sre_parse")
    _c = importlib.import_module("sre_constants")

# Characters that ``re.IGNORECASE`` matches against an ASCII letter but ``str.lower`` does not map
# to it (KELVIN SIGN does lower to "k").
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_MAX_SET = 32  # a branch whose needles would be more alternatives than this gets none
_MAX_CLASS = 6  # a character class of at most this many characters is expanded


def fold(text: str) -> str:
    """Lower-case ``text`` so that a needle test agrees with ``re.IGNORECASE`` matching."""
    if text.isascii() or ("\u0130" not in text and "\u0131" not in text and "\u017f" not in text):
        return text.lower()  # (translate with a table is slow; these three characters are rare)
    return text.translate(_FOLD).lower()


def _chars_of(op: Any, av: Any, ignore_case: bool) -> set[str] | None:
    """The characters one item can match, when it is a literal or a small class."""
    if op is _c.LITERAL:
        return {chr(av).lower()}
    if op is _c.IN:
        chars: set[str] = set()
        for sub_op, sub_av in av:
            if sub_op is _c.LITERAL:
                chars.add(chr(sub_av).lower())
            elif sub_op is _c.RANGE and sub_av[1] - sub_av[0] < _MAX_CLASS:
                chars.update(chr(x).lower() for x in range(sub_av[0], sub_av[1] + 1))
            else:
                return None
        return chars if 0 < len(chars) <= _MAX_CLASS else None
    return None


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective needle set: longest shortest needle, then fewest needles."""
    usable = [c for c in candidates if c and len(c) <= _MAX_SET]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(len(s) for s in c), -len(c)))


def _needles_seq(items: Any, ignore_case: bool) -> frozenset[str] | None:
    """Needles of a sequence: any set of strings one of which every match contains."""
    return _best(_candidate_sets(items, ignore_case))


def _candidate_sets(items: Any, ignore_case: bool) -> list[frozenset[str]]:
    """Every needle set found in a sequence; each one is necessary on its own."""
    candidates: list[frozenset[str]] = []
    run: set[str] = {""}

    def close_run() -> None:
        nonlocal run
        if run != {""}:
            candidates.append(frozenset(run))
        run = {""}

    def extend(alternatives: set[str]) -> None:
        nonlocal run
        longer = {s + a for s in run for a in alternatives}
        if len(longer) > _MAX_SET:  # too many spellings: keep what we have, start again
            close_run()
            longer = set(alternatives) if len(alternatives) <= _MAX_SET else {""}
        run = longer

    for op, av in items:
        if op is _c.AT:
            continue  # zero-width anchor: does not break a literal run
        chars = _chars_of(op, av, ignore_case)
        if chars is not None:
            extend(chars)
            continue
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            inner = _needles_seq(av[2], ignore_case)
            close_run()
            if inner is not None:
                candidates.append(inner)
            continue
        if op is _c.SUBPATTERN:
            inner_items = av[-1]
            fixed = _fixed_strings(inner_items)
            if fixed is not None and "" not in fixed:
                extend(fixed)
                continue
            close_run()
            inner = _needles_seq(inner_items, ignore_case)
            if inner is not None:
                candidates.append(inner)
            continue
        if op is _c.BRANCH:
            fixed = _fixed_strings([(op, av)])
            if fixed is not None and "" not in fixed:
                extend(fixed)
                continue
            close_run()
            inner = _needles_branch(av[1], ignore_case)
            if inner is not None:
                candidates.append(inner)
            continue
        close_run()  # anything else (classes, repeats that may be empty, lookarounds) ends a run
    close_run()
    return candidates


def _needles_branch(branches: Any, ignore_case: bool) -> frozenset[str] | None:
    union: set[str] = set()
    for branch in branches:
        needles = _needles_seq(branch, ignore_case)
        if needles is None:
            return None
        union |= needles
        if len(union) > _MAX_SET:
            return None
    return frozenset(union)


def _fixed_strings(items: Any) -> set[str] | None:
    """The strings a group can match when it is a small set of fixed literals (``(?:ba|z|k)``)."""
    out: set[str] = {""}
    for op, av in items:
        if op is _c.AT:
            continue
        chars = _chars_of(op, av, True)
        if chars is not None:
            out = {s + ch for s in out for ch in chars}
        elif op is _c.BRANCH:
            alts: set[str] = set()
            for branch in av[1]:
                fixed = _fixed_strings(branch)
                if fixed is None:
                    return None
                alts |= fixed
            out = {s + a for s in out for a in alts}
        elif op is _c.SUBPATTERN:
            fixed = _fixed_strings(av[-1])
            if fixed is None:
                return None
            out = {s + f for s in out for f in fixed}
        else:
            return None
        if len(out) > _MAX_SET:
            return None
    return out


def split_branches(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern`` (outside groups and character classes)."""
    parts: list[str] = []
    depth = 0
    in_class = False
    start = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "^":
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                i += 1  # a leading "]" is a literal
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def needles_of(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-case strings one of which occurs in every match of ``pattern`` (None: no such set)."""
    parsed = _p.parse(pattern, flags)
    return _needles_seq(list(parsed), bool(flags & re.IGNORECASE))


def required_sets(pattern: str, flags: int = 0) -> list[frozenset[str]]:
    """All the needle sets of ``pattern`` (each necessary for a match), most selective first."""
    parsed = _p.parse(pattern, flags)
    usable = [c for c in _candidate_sets(list(parsed), bool(flags & re.IGNORECASE)) if c and len(c) <= _MAX_SET]
    return sorted(set(usable), key=lambda c: (-min(len(n) for n in c), len(c)))


def _analyse(pattern: str, flags: int) -> tuple[frozenset[str] | None, tuple[frozenset[str], ...]]:
    """(``needles_of``, the other required sets) from one parse."""
    parsed = _p.parse(pattern, flags)
    candidates = _candidate_sets(list(parsed), bool(flags & re.IGNORECASE))
    best = _best(candidates)
    if best is None:
        return None, ()
    others = {c for c in candidates if c and len(c) <= _MAX_SET and c != best}
    return best, tuple(sorted(others, key=lambda c: (-min(len(n) for n in c), len(c))))


_TRIE_MIN = 3  # shorter needles are tested with ``in`` (one C call each); longer ones by the scan
_registry: set[str] = set()
_scanner: list[Any] = [None, {}]  # compiled needle scan, needle -> needles that are its prefixes
_recent: dict[str, tuple[str, frozenset[str]]] = {}  # text -> (fold(text), needles present)


def _trie_pattern(words: set[str]) -> str:
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alternatives = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def compile_scanner() -> None:
    """Build the needle scan now (the detectors call this once they are defined, so the first
    request does not pay for it)."""
    _scanner[0] = re.compile(_trie_pattern(_registry), re.DOTALL)
    _scanner[1] = {n: frozenset(n[:i] for i in range(1, len(n) + 1) if n[:i] in _registry) for n in _registry}


def _scan(low: str) -> frozenset[str]:
    """The registered needles that occur in ``low``: one search per occurrence, restarting one
    character after each match start so overlapping needles are all seen."""
    if _scanner[0] is None:
        compile_scanner()
    search = _scanner[0].search
    closure = _scanner[1]
    found: set[str] = set()
    m = search(low)
    while m is not None:
        found.update(closure[m.group()])  # the longest needle here, and its prefixes that are needles
        m = search(low, m.start() + 1)
    return frozenset(found)


def profile(text: str) -> tuple[str, frozenset[str]]:
    """(``fold(text)``, the long needles present in it), cached for the last few texts (the
    detectors of one value look at the same few forms)."""
    hit = _recent.get(text)
    if hit is not None:
        return hit
    low = fold(text)
    result = _recent.get(low)  # fold is idempotent: a detector's lower-cased copy has the same profile
    if result is None:
        result = (low, _scan(low))
    if len(_recent) >= 16:
        _recent.clear()
    _recent[text] = result
    _recent[low] = result
    return result


def clear_profiles() -> None:
    _recent.clear()


def _closes_at_end(part: str) -> bool:
    """Whether the parenthesis opening ``part`` is closed by its last character."""
    depth = 0
    in_class = False
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if part[i + 1 : i + 2] == "^":
                i += 1
            if part[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i == len(part) - 1
        i += 1
    return False


def _named_parts(part: str) -> list[str] | None:
    """``(?P<name>a|b)`` as ``(?P<name>a)``, ``(?P<name>b)`` (None when ``part`` is not one group)."""
    if not part.startswith("(?P<") or not _closes_at_end(part):
        return None
    head_end = part.index(">") + 1
    subs = split_branches(part[head_end:-1])
    return [part[:head_end] + sub + ")" for sub in subs] if len(subs) > 1 else None


class _Deferred:
    """A branch compiled on its first search (most guarded branches never run on ordinary
    traffic, so compiling them all would only lengthen the Lambda cold start)."""

    __slots__ = ("source", "flags", "slots", "index")

    def __init__(self, source: str, flags: int, slots: list[Any], index: int) -> None:
        self.source = source
        self.flags = flags
        self.slots = slots
        self.index = index

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        compiled = re.compile(self.source, self.flags)
        self.slots[self.index] = compiled  # later searches go to the compiled pattern directly
        return compiled.search(text, *args)


class Prefiltered:
    """A pattern split into top-level branches, each guarded by its needles.

    Adjacent branches without needles are kept together as one compiled pattern; guarded
    branches are compiled when their needles first turn up.
    """

    __slots__ = ("pattern", "flags", "branches", "always", "by_long", "long_needles", "by_short", "_whole",
                 "_always_any", "requires")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._whole: re.Pattern[str] | None = None  # compiled on demand (tests compare against it)
        groups: list[tuple[frozenset[str] | None, list[str]]] = []
        further: dict[str, tuple[frozenset[str], ...]] = {}
        parts = split_branches(pattern)
        queue = list(parts)
        while queue:
            part = queue.pop(0)
            needles, further[part] = _analyse(part, flags)
            if needles is None:
                named = _named_parts(part)
                if named is not None:
                    queue[:0] = named
                    continue
            if needles is None and groups and groups[-1][0] is None and "(?P<" not in part and \
                    "(?P<" not in groups[-1][1][-1]:
                groups[-1][1].append(part)
            else:
                groups.append((needles, [part]))
        compiled: list[Any] = []  # re.Pattern, or _Deferred until first used
        always: list[int] = []
        # the other needle sets of a guarded branch: each is necessary too, so a branch whose
        # index needle is common ("on" of "[^a-z]on[a-z]+\s*=") also waits for its rarer ones ("=")
        requires: dict[int, tuple[frozenset[str], ...]] = {}
        by_long: dict[str, list[int]] = {}
        by_short: dict[str, list[int]] = {}
        for index, (needles, members) in enumerate(groups):
            source = "|".join(members)
            compiled.append(re.compile(source, flags) if needles is None else _Deferred(source, flags, compiled, index))
            if needles is None:
                always.append(index)
                continue
            for needle in needles:
                (by_long if len(needle) >= _TRIE_MIN else by_short).setdefault(needle, []).append(index)
            others = further[members[0]]
            if others:
                requires[index] = others
        _registry.update(by_long)
        _scanner[0] = None
        self.branches = compiled
        self.always = tuple(always)
        self.by_long = {n: tuple(ix) for n, ix in by_long.items()}
        self.long_needles = frozenset(by_long)
        self.by_short = tuple((n, tuple(ix)) for n, ix in by_short.items())
        self.requires = requires
        # for ``matches`` only the existence of a match counts, so the unguarded branches can run as
        # one pattern whatever their order
        unguarded = [part for index in always for part in groups[index][1]]
        self._always_any = re.compile("|".join(unguarded), flags) if len(always) > 1 and not any(
            "(?P<" in part for part in unguarded) else None

    def search(self, text: str, prof: tuple[str, frozenset[str]] | None = None) -> re.Match[str] | None:
        """Same result as ``re.compile(pattern, flags).search(text)``; ``prof`` is ``profile(text)``."""
        low, present = prof if prof is not None else profile(text)
        candidates = list(self.always)
        if present:
            for needle in self.long_needles & present:
                candidates.extend(self.by_long[needle])
        for needle, indexes in self.by_short:
            if needle in low:
                candidates.extend(indexes)
        if self.requires:
            candidates = [i for i in candidates if self._ready(i, low)]
        if not candidates:
            return None
        branches = self.branches
        if len(candidates) == 1:
            only: re.Match[str] | None = branches[candidates[0]].search(text)
            return only
        best: re.Match[str] | None = None
        for index in sorted(set(candidates)):
            m: re.Match[str] | None = branches[index].search(text)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
                if best.start() == 0:
                    break
        return best

    def matches(self, text: str, prof: tuple[str, frozenset[str]] | None = None) -> bool:
        """``search(text) is not None``, without looking for the leftmost match."""
        low, present = prof if prof is not None else profile(text)
        branches = self.branches
        if self._always_any is not None:
            if self._always_any.search(text):
                return True
        else:
            for index in self.always:
                if branches[index].search(text):
                    return True
        requires = self.requires
        if present:
            for needle in self.long_needles & present:
                for index in self.by_long[needle]:
                    if (index not in requires or self._ready(index, low)) and branches[index].search(text):
                        return True
        for needle, indexes in self.by_short:
            if needle in low:
                for index in indexes:
                    if (index not in requires or self._ready(index, low)) and branches[index].search(text):
                        return True
        return False

    def _ready(self, index: int, low: str) -> bool:
        """Whether every further needle set of branch ``index`` has a member in ``low``."""
        for needles in self.requires.get(index, ()):
            for needle in needles:
                if needle in low:
                    break
            else:
                return False
        return True

    def full_search(self, text: str) -> re.Match[str] | None:
        """The combined pattern, unfiltered (for tests and equivalence checks)."""
        if self._whole is None:
            self._whole = re.compile(self.pattern, self.flags)
        return self._whole.search(text)


class Markers:
    """A set of substrings: the long ones are found by the needle scan, the short ones by one
    alternation of literals (each starts with a literal, so ``re`` skips other characters in C)."""

    __slots__ = ("long", "short", "_short_any")

    def __init__(self, markers: tuple[str, ...]) -> None:
        self.long = frozenset(m.lower() for m in markers if len(m) >= _TRIE_MIN)
        self.short = tuple(m.lower() for m in markers if len(m) < _TRIE_MIN)
        self._short_any = re.compile("|".join(re.escape(m) for m in self.short)) if self.short else None
        _registry.update(self.long)
        _scanner[0] = None

    def any_in(self, low: str, present: frozenset[str]) -> bool:
        """Whether one of the markers occurs in ``low`` (``fold(text)``, ``present`` its needles)."""
        if not self.long.isdisjoint(present):
            return True
        return self._short_any is not None and self._short_any.search(low) is not None
