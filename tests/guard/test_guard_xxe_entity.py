"""FG-XXE-002: markup that references an entity neither XML nor HTML defines (declared in a
DOCTYPE elsewhere: the second half of an XXE split across fields)."""

import pytest

from faasguard.guard import detect


@pytest.mark.parametrize("text", [
    "<order><note>&xxe;</note></order>",
    "<?xml version=\"1.0\"?><data><item>&file_contents;</item></data>",
    "<change>\n <text>&remote.entity;</text>\n</change>",
])
def test_custom_entity_reference_in_markup_is_xxe(text: str) -> None:
    assert ("xxe", "FG-XXE-002") in [(d.category, d.rule_id) for d in detect(text)]


@pytest.mark.parametrize("text", [
    "<p>Tom &amp; Jerry&nbsp;&copy; 2024</p>",
    "<b>caf&eacute; &lt;3</b>",
    "AT&T; Barnes & Noble",          # no markup around it
    "<a href=\"/x?a=1&b=2\">link</a>",
])
def test_known_entities_and_plain_ampersands_are_not_xxe(text: str) -> None:
    assert [d for d in detect(text) if d.category == "xxe"] == []
