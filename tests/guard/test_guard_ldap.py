"""LDAP filter injection (FG-LDAP-001, category ldapi), found by the markup detector."""

import pytest

from faasguard.guard import detect

ATTACKS = [
    "*)(uid=*))(|(uid=*",         # closes the clause, opens an OR that matches everyone
    "admin)(&)",                  # always-true AND
    "jdoe*)(|(objectClass=*)",    # wildcard close + presence tautology
    "x)(!(cn=nobody)",            # negation clause
    "*(|(mail=*))",               # OR clause inside a wildcard value
    "bob)(cn=*",                  # a second clause on another attribute
    "(objectClass=*",             # presence test left open for the application's ")"
]

BENIGN = [
    "(&(objectCategory=person)(objectClass=user))",   # one complete filter typed into a search box
    "Call me (maybe) (ok?)",
    "f(x)(y)",
    "price (USD) = 5 * (1 + tax)",
    "Smith (née Jones) & Co",
    "see (a) and (b)",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_ldap_injection_is_flagged(text: str) -> None:
    hits = [(d.category, d.rule_id) for d in detect(text)]
    assert ("ldapi", "FG-LDAP-001") in hits


@pytest.mark.parametrize("text", BENIGN)
def test_parentheses_in_ordinary_values_are_not_ldap(text: str) -> None:
    assert [d for d in detect(text) if d.category == "ldapi"] == []


def test_ldap_patterns_are_linear_on_adversarial_input() -> None:
    import time

    for text in (")" + " " * 50000, "(" * 50000, "(a" + "=" * 50000, ")(" * 20000 + "x"):
        start = time.perf_counter()
        detect(text)
        assert time.perf_counter() - start < 1.0
