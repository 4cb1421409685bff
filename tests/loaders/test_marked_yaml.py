"""The direct node -> value converter of marked_yaml: same values, marks and errors as PyYAML's
constructor path it replaced."""

from __future__ import annotations

import datetime

import pytest

from faasguard.loaders.marked_yaml import Mark, MarkedDict, MarkedList, MarkedStr, MarkedYAMLError, loads, yaml


def test_marks_and_types() -> None:
    data = loads("a:\n  - x\n  - 3\nb: yes\nc: ~\nd: 1.5\ne: 2001-12-14\n")
    assert isinstance(data, MarkedDict)
    assert data.start_mark == Mark(0, 0)
    seq = data["a"]
    assert isinstance(seq, MarkedList) and seq.start_mark == Mark(1, 2) and seq.end_mark == Mark(3, 0)
    assert isinstance(seq[0], MarkedStr) and seq[0].start_mark == Mark(1, 4) and seq[0].end_mark == Mark(1, 5)
    assert seq[1] == 3 and type(seq[1]) is int
    assert data["b"] is True and data["c"] is None and data["d"] == 1.5
    assert data["e"] == datetime.date(2001, 12, 14)
    assert type(data["a"].start_mark) is Mark


def test_merge_keys_and_alias_sharing() -> None:
    data = loads("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  z: 3\nsame: *b\n")
    assert dict(data["use"]) == {"x": 1, "y": 2, "z": 3}
    assert data["same"] is data["base"]
    with pytest.raises(MarkedYAMLError) as err:  # as before: a merged key may not be repeated
        loads("base: &b {x: 1}\nuse:\n  <<: *b\n  x: 3\n")
    assert (err.value.message, err.value.line) == ("duplicate key 'x'", 4)


def test_short_forms() -> None:
    data = loads("a: !Ref X\nb: !GetAtt Res.Arn\nc: !Sub [\"${A}\", {A: 1}]\nd: !Condition C\n")
    assert data["a"] == {"Ref": "X"} and data["a"]["Ref"].start_mark == Mark(0, 3)
    assert data["b"] == {"Fn::GetAtt": ["Res", "Arn"]} and isinstance(data["b"]["Fn::GetAtt"], MarkedList)
    assert data["c"] == {"Fn::Sub": ["${A}", {"A": 1}]}
    assert data["d"] == {"Condition": "C"}


def test_sets_and_empty_document() -> None:
    assert loads("s: !!set {a, b}\n")["s"] == {"a", "b"}
    empty = loads("")
    assert isinstance(empty, MarkedDict) and empty == {} and empty.start_mark == Mark(0, 0)


@pytest.mark.parametrize(("text", "message", "line"), [
    ("a: 1\na: 2\n", "duplicate key 'a'", 2),
    ("~: 1\n", "null key '~' is not supported", 1),
    ("? [1]\n: 2\n", "a mapping key is not a plain value", 1),
])
def test_key_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(MarkedYAMLError) as err:
        loads(text)
    assert (err.value.message, err.value.line) == (message, line)


def test_recursive_alias_and_unknown_tag_are_pyyaml_errors() -> None:
    with pytest.raises(yaml.constructor.ConstructorError) as err:
        loads("a: &x\n  b: *x\n")
    assert err.value.problem == "found unconstructable recursive node"
    with pytest.raises(yaml.constructor.ConstructorError) as err:
        loads("a: !!python/name:os.system x\n")
    assert err.value.problem is not None and "could not determine a constructor" in err.value.problem
