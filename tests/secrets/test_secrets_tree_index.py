"""The secrets analyzer's file index: the files under a directory, in walk order."""

from __future__ import annotations

from faasguard.analyzers.secrets.analyzer import _Tree


def test_under_prefix_keeps_walk_order_and_stops_at_siblings() -> None:
    tree = _Tree(["b/z.txt", "a/x.py", "ab/y.py", "a/sub/w.env", "a.txt", "a/a.yml"])
    assert tree.under("a/") == ["a/x.py", "a/sub/w.env", "a/a.yml"]
    assert tree.under("a/sub/") == ["a/sub/w.env"]
    assert tree.under("c/") == []
    assert tree.under("") == ["b/z.txt", "a/x.py", "ab/y.py", "a/sub/w.env", "a.txt", "a/a.yml"]
