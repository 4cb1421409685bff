"""The pure JSON Schema fallback (fastjsonschema is covered through the decorator tests)."""

import pytest

from faasguard.guard.schema import compile_schema

SCHEMA = {
    "type": "object",
    "required": ["id", "items"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "email": {"type": "string", "pattern": "^[^@]+@[^@]+$", "maxLength": 50},
        "kind": {"enum": ["a", "b"]},
        "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "$defs": {"item": {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}},
}


@pytest.mark.parametrize(("value", "error"), [
    ({"id": 1, "items": [{"sku": "x"}]}, None),
    ({"id": 1, "items": [{"sku": "x"}], "note": None, "kind": "a", "email": "a@b"}, None),
    ({"id": 0, "items": [{"sku": "x"}]}, "data.id must be >= 1"),
    ({"id": 1}, "data must contain 'items'"),
    ({"id": 1, "items": []}, "data.items must contain at least 1 items"),
    ({"id": 1, "items": [{}]}, "data.items[0] must contain 'sku'"),
    ({"id": 1, "items": [{"sku": "x"}], "extra": 1}, "data must not contain 'extra'"),
    ({"id": 1, "items": [{"sku": "x"}], "email": "nope"}, "data.email must match pattern ^[^@]+@[^@]+$"),
    ({"id": 1, "items": [{"sku": "x"}], "kind": "c"}, "data.kind must be one of ['a', 'b']"),
    ({"id": 1, "items": [{"sku": "x"}], "note": 3}, "data.note must match any of the anyOf schemas"),
    ({"id": True, "items": [{"sku": "x"}]}, "data.id must be integer"),
    ("text", "data must be object"),
])
def test_pure_validator(value: object, error: str | None) -> None:
    assert compile_schema(SCHEMA, prefer_fast=False)(value) == error
