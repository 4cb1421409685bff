"""JSON Schema validation, compiled once per cold start.

``compile_schema(schema)`` returns a function ``value -> error message | None``. It uses
``fastjsonschema`` when it is installed (code generation, fast) and otherwise a small pure
validator for the keywords request schemas use: type, enum, const, properties, required,
additionalProperties, patternProperties, items, prefixItems, min/maxItems, uniqueItems,
min/maxLength, pattern, minimum, maximum, exclusiveMinimum/Maximum, multipleOf,
min/maxProperties, allOf, anyOf, oneOf, not, $ref to ``#/definitions`` or ``#/$defs``.
Unknown keywords are ignored, as the specification says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any


if TYPE_CHECKING:
    Validator = Callable[[Any], "str | None"]
ENGINE = "pure"


def compile_schema(schema: Mapping[str, Any], prefer_fast: bool = True) -> Validator:
    global ENGINE
    if prefer_fast:
        try:
            import fastjsonschema
        except ImportError:
            fastjsonschema = None  # type: ignore[assignment]
        if fastjsonschema is not None:
            try:
                check = fastjsonschema.compile(dict(schema))
            except Exception:  # noqa: BLE001 - a schema fastjsonschema cannot compile: use the fallback
                check = None
            if check is not None:
                ENGINE = "fastjsonschema"

                def fast(value: Any) -> str | None:
                    try:
                        check(value)
                    except fastjsonschema.JsonSchemaException as exc:
                        return str(getattr(exc, "message", exc))
                    return None

                return fast
    ENGINE = "pure"
    root = dict(schema)
    patterns: dict[str, re.Pattern[str]] = {}

    def pure(value: Any) -> str | None:
        return _validate(value, root, root, "data", patterns)

    return pure


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _pattern(patterns: dict[str, re.Pattern[str]], source: str) -> re.Pattern[str]:
    compiled = patterns.get(source)
    if compiled is None:
        compiled = patterns[source] = re.compile(source)
    return compiled


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        return {}
    node: Any = root
    for part in ref[2:].split("/"):
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, Mapping) else {}
    return node if isinstance(node, Mapping) else {}


def _validate(v: Any, s: Any, root: Mapping[str, Any], path: str, pats: dict[str, re.Pattern[str]],
              depth: int = 0) -> str | None:
    if s is True or s == {}:
        return None
    if s is False:
        return f"{path} is not allowed"
    if not isinstance(s, Mapping) or depth > 64:
        return None
    if "$ref" in s:
        return _validate(v, _resolve(root, s["$ref"]), root, path, pats, depth + 1)
    t = s.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(_TYPES.get(x, lambda _v: True)(v) for x in types):
            return f"{path} must be {' or '.join(types)}"
    if "enum" in s and v not in s["enum"]:
        return f"{path} must be one of {s['enum']}"
    if "const" in s and v != s["const"]:
        return f"{path} must be {s['const']!r}"
    if isinstance(v, str):
        if "minLength" in s and len(v) < s["minLength"]:
            return f"{path} must be at least {s['minLength']} characters"
        if "maxLength" in s and len(v) > s["maxLength"]:
            return f"{path} must be at most {s['maxLength']} characters"
        if "pattern" in s and not _pattern(pats, s["pattern"]).search(v):
            return f"{path} must match pattern {s['pattern']}"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in s and v < s["minimum"]:
            return f"{path} must be >= {s['minimum']}"
        if "maximum" in s and v > s["maximum"]:
            return f"{path} must be <= {s['maximum']}"
        if "exclusiveMinimum" in s and not isinstance(s["exclusiveMinimum"], bool) and v <= s["exclusiveMinimum"]:
            return f"{path} must be > {s['exclusiveMinimum']}"
        if "exclusiveMaximum" in s and not isinstance(s["exclusiveMaximum"], bool) and v >= s["exclusiveMaximum"]:
            return f"{path} must be < {s['exclusiveMaximum']}"
        if "multipleOf" in s and s["multipleOf"] and (v / s["multipleOf"]) % 1:
            return f"{path} must be a multiple of {s['multipleOf']}"
    if isinstance(v, dict):
        for key in s.get("required", ()):
            if key not in v:
                return f"{path} must contain {key!r}"
        if "minProperties" in s and len(v) < s["minProperties"]:
            return f"{path} must have at least {s['minProperties']} properties"
        if "maxProperties" in s and len(v) > s["maxProperties"]:
            return f"{path} must have at most {s['maxProperties']} properties"
        props = s.get("properties", {})
        pattern_props = s.get("patternProperties", {})
        additional = s.get("additionalProperties", True)
        for key, child in v.items():
            matched = False
            if key in props:
                matched = True
                err = _validate(child, props[key], root, f"{path}.{key}", pats, depth + 1)
                if err:
                    return err
            for pat, sub in pattern_props.items():
                if _pattern(pats, pat).search(str(key)):
                    matched = True
                    err = _validate(child, sub, root, f"{path}.{key}", pats, depth + 1)
                    if err:
                        return err
            if not matched:
                if additional is False:
                    return f"{path} must not contain {key!r}"
                if isinstance(additional, Mapping):
                    err = _validate(child, additional, root, f"{path}.{key}", pats, depth + 1)
                    if err:
                        return err
    if isinstance(v, list):
        if "minItems" in s and len(v) < s["minItems"]:
            return f"{path} must contain at least {s['minItems']} items"
        if "maxItems" in s and len(v) > s["maxItems"]:
            return f"{path} must contain at most {s['maxItems']} items"
        if s.get("uniqueItems"):
            seen: list[Any] = []
            for item in v:
                if item in seen:
                    return f"{path} must contain unique items"
                seen.append(item)
        prefix = s.get("prefixItems", [])
        items = s.get("items")
        if isinstance(items, list):  # draft-04..07 tuple form
            prefix, items = items, s.get("additionalItems", True)
        for i, item in enumerate(v):
            sub = prefix[i] if i < len(prefix) else items
            if sub is None:
                continue
            err = _validate(item, sub, root, f"{path}[{i}]", pats, depth + 1)
            if err:
                return err
    for sub in s.get("allOf", ()):
        err = _validate(v, sub, root, path, pats, depth + 1)
        if err:
            return err
    if "anyOf" in s and all(_validate(v, sub, root, path, pats, depth + 1) for sub in s["anyOf"]):
        return f"{path} must match any of the anyOf schemas"
    if "oneOf" in s and sum(1 for sub in s["oneOf"] if not _validate(v, sub, root, path, pats, depth + 1)) != 1:
        return f"{path} must match exactly one of the oneOf schemas"
    if "not" in s and not _validate(v, s["not"], root, path, pats, depth + 1):
        return f"{path} must not match the 'not' schema"
    return None
