"""Static evaluation of CloudFormation intrinsic functions.

``Resolver.evaluate(node)`` turns a decoded template node into plain Python (str, int, list,
dict ...) wherever the answer is decidable from the template alone, and into a typed
:class:`Value` reference where it is not (a resource attribute, an SSM parameter, an imported
output ...). ``Resolver.value(node)`` does the same for one setting and always returns a
``Value``.

Choices (documented because rules depend on them):

- ``AWS::Partition`` -> ``"aws"`` and ``AWS::URLSuffix`` -> ``"amazonaws.com"`` (the commercial
  partition); ``AWS::Region`` -> the ``--region`` option when given. ``AWS::Region`` (otherwise),
  ``AWS::AccountId``, ``AWS::StackName``, ``AWS::StackId`` and ``AWS::NotificationARNs`` stay
  typed ``PARAMETER`` references (``ref="AWS::AccountId"``), so an ARN built with them is a
  reference whose ``raw`` text keeps ``${AWS::AccountId}``.
- A string mixing literals and references (``!Sub arn:aws:s3:::${Bucket}/*``) becomes one
  ``Value`` of the strongest reference kind it contains (secrets first), ``ref``/``attribute`` of
  that reference, and ``raw`` = the text with references written ``${Name}``/``${Name.Attr}``.
- ``Fn::If`` on a condition that the parameter defaults don't decide takes the first branch
  (the one the author wrote as the "true" case) for structures, and marks scalars ``UNRESOLVED``
  (keeping the first branch's scalar in ``literal``), so no rule treats a guess as a fact.
- Everything is bounded: nesting depth, condition cycles and string sizes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from faasguard.model import Location, Value, ValueKind

MAX_DEPTH = 64
MAX_STRING = 1_000_000


class _NoValue:
    """``AWS::NoValue``: the property is removed."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()

PSEUDO_LITERALS: Mapping[str, str] = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
PSEUDO_REFERENCES = frozenset({"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId",
                               "AWS::NotificationARNs"})

INTRINSICS = frozenset({
    "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap", "Fn::If",
    "Fn::ImportValue", "Fn::Base64", "Fn::GetAZs", "Fn::Cidr", "Fn::Transform", "Fn::Length",
    "Fn::ToJsonString", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition", "Fn::ForEach",
    "Fn::GetParam",
})

# When a string mixes several references, the one that matters most to rules decides the kind.
_KIND_STRENGTH = {
    ValueKind.SECRETS_MANAGER: 6, ValueKind.SSM: 5, ValueKind.RESOURCE_ATTRIBUTE: 4,
    ValueKind.STACK_OUTPUT: 3, ValueKind.ENV: 2, ValueKind.REMOTE: 2, ValueKind.PARAMETER: 1,
    ValueKind.UNRESOLVED: 0,
}

_DYNAMIC_REF = re.compile(r"\{\{resolve:(ssm-secure|ssm|secretsmanager):([^}]*)\}\}")
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def intrinsic_name(node: Any) -> str | None:
    """``"Fn::Sub"`` when ``node`` is ``{"Fn::Sub": ...}`` (a one-key mapping of an intrinsic)."""
    if isinstance(node, Mapping) and len(node) == 1:
        key = next(iter(node))
        if isinstance(key, str) and key in INTRINSICS:
            return key
    return None


def render(value: Value) -> str:
    """How a reference is written inside a composed string."""
    if value.raw:
        return value.raw
    if value.attribute:
        return f"${{{value.ref}.{value.attribute}}}"
    return f"${{{value.ref}}}"


def dynamic_reference(text: str, location: Location | None = None) -> Value | None:
    """``{{resolve:ssm:/a/b:1}}`` -> SSM ref ``/a/b``; secretsmanager -> SECRETS_MANAGER."""
    m = _DYNAMIC_REF.fullmatch(text.strip())
    if not m:
        return None
    service, target = m.group(1), m.group(2)
    if service == "secretsmanager":
        return Value(ValueKind.SECRETS_MANAGER, ref=target, raw=text, location=location)
    name = re.sub(r":\d+$", "", target)  # parameter-name[:version]
    return Value(ValueKind.SSM, ref=name, raw=text, location=location)


def compose(parts: list[Any], location: Location | None = None) -> Any:
    """Join literal strings and references into one string, or one typed ``Value``."""
    refs = [p for p in parts if isinstance(p, Value)]
    if not refs:
        return "".join(_text(p) for p in parts)
    if len(parts) == 1:
        return parts[0]
    strongest = max(refs, key=lambda v: _KIND_STRENGTH.get(v.kind, 0))
    raw = "".join(render(p) if isinstance(p, Value) else _text(p) for p in parts)
    return Value(strongest.kind, ref=strongest.ref, attribute=strongest.attribute, raw=raw[:MAX_STRING],
                 location=location)


def _text(part: Any) -> str:
    if isinstance(part, bool):
        return "true" if part else "false"
    if part is None or part is NO_VALUE:
        return ""
    if isinstance(part, (list, dict)):
        return json.dumps(plain(part), default=str)
    return str(part)


def plain(data: Any) -> Any:
    """An evaluated tree as JSON-like data: references become their ``${...}`` text."""
    if isinstance(data, Value):
        return render(data) if data.is_reference else data.literal
    if isinstance(data, Mapping):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def is_decided(data: Any) -> bool:
    """True when ``data`` (an evaluate() result) holds no reference anywhere."""
    if isinstance(data, Value):
        return False
    if isinstance(data, Mapping):
        return all(is_decided(v) for v in data.values())
    if isinstance(data, list):
        return all(is_decided(v) for v in data)
    return True


class Resolver:
    """Evaluates intrinsics against one template's Parameters, Mappings, Conditions and Resources.

    ``parameters`` overrides parameter values (e.g. from the Serverless Framework or the CLI);
    ``resource_ids`` are logical ids that ``Ref``/``GetAtt`` may point at (the template's own
    Resources plus, for serverless.yml, the resources the framework generates).
    """

    def __init__(self, template: Mapping[str, Any], *, parameters: Mapping[str, Value] | None = None,
                 region: str | None = None, resource_ids: frozenset[str] | None = None) -> None:
        self.template = template if isinstance(template, Mapping) else {}
        params = self.template.get("Parameters")
        self.parameter_specs: Mapping[str, Any] = params if isinstance(params, Mapping) else {}
        mappings = self.template.get("Mappings")
        self.mappings: Mapping[str, Any] = mappings if isinstance(mappings, Mapping) else {}
        conditions = self.template.get("Conditions")
        self.conditions: Mapping[str, Any] = conditions if isinstance(conditions, Mapping) else {}
        resources = self.template.get("Resources")
        if resource_ids is None:
            resource_ids = frozenset(str(k) for k in resources) if isinstance(resources, Mapping) else frozenset()
        self.resource_ids = resource_ids
        self.overrides = dict(parameters or {})
        self.region = region
        self._condition_cache: dict[str, bool | None] = {}
        self._condition_stack: set[str] = set()
        self._param_cache: dict[str, Any] = {}

    # ---- public API -------------------------------------------------------------------------

    def value(self, node: Any, location: Location | None = None) -> Value:
        """One setting as a ``Value`` (literal, or typed reference)."""
        data = self.evaluate(node)
        return self.to_value(data, location, node)

    def to_value(self, data: Any, location: Location | None = None, node: Any = None) -> Value:
        if isinstance(data, Value):
            if location is not None and data.location is None:
                return Value(data.kind, data.literal, data.ref, data.attribute, data.raw, location)
            return data
        if data is NO_VALUE:
            return Value.of(None, location)
        if isinstance(data, str):
            ref = self._string_reference(data, location)
            if ref is not None:
                return ref
            return Value.of(data, location)
        if data is None or isinstance(data, (bool, int, float)):
            return Value.of(data, location)
        # A structure where a scalar was expected.
        return Value.unresolved(_text(data)[:200], location)

    def evaluate(self, node: Any, depth: int = 0) -> Any:
        """The node with every decidable intrinsic evaluated (see module docstring)."""
        if depth > MAX_DEPTH:
            return Value.unresolved("<nesting too deep>")
        name = intrinsic_name(node)
        if name is not None:
            try:
                return self._intrinsic(name, node[name], depth + 1)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                return Value.unresolved(f"{{{name}: ...}}")
        if isinstance(node, Mapping):
            out: dict[Any, Any] = {}
            for k, v in node.items():
                ev = self.evaluate(v, depth + 1)
                if ev is not NO_VALUE:
                    out[k] = ev
            return out
        if isinstance(node, list):
            return [ev for ev in (self.evaluate(v, depth + 1) for v in node) if ev is not NO_VALUE]
        if isinstance(node, str):
            ref = self._string_reference(node, None)
            return ref if ref is not None else node
        return node

    def condition(self, name: Any) -> bool | None:
        """Truth of a named condition, or None when the defaults don't decide it."""
        if not isinstance(name, str):
            return None
        if name in self._condition_cache:
            return self._condition_cache[name]
        if name in self._condition_stack or name not in self.conditions:
            return None
        self._condition_stack.add(name)
        try:
            result = self._condition_expr(self.conditions[name], 0)
        finally:
            self._condition_stack.discard(name)
        self._condition_cache[name] = result
        return result

    def parameter(self, name: str) -> Any:
        """A parameter's value: override, default, or a typed reference."""
        if name in self._param_cache:
            return self._param_cache[name]
        result = self._parameter(name)
        self._param_cache[name] = result
        return result

    # ---- parameters --------------------------------------------------------------------------

    def _parameter(self, name: str) -> Any:
        spec = self.parameter_specs.get(name)
        spec = spec if isinstance(spec, Mapping) else {}
        ptype = str(spec.get("Type", "String"))
        if name in self.overrides:
            given = self.overrides[name]
            if not given.is_literal:
                return given
            chosen: Any = given.literal
        elif "Default" in spec and not isinstance(spec.get("Default"), (Mapping, list)):
            chosen = spec["Default"]
        else:
            chosen = None
        if ptype.startswith("AWS::SSM::Parameter::Value"):
            path = "" if chosen is None else str(chosen)
            return Value(ValueKind.SSM, ref=path or name, raw=f"${{{name}}}")
        if chosen is None:
            return Value(ValueKind.PARAMETER, ref=name, raw=f"${{{name}}}")
        if ptype == "CommaDelimitedList" or ptype.startswith("List<"):
            return [p.strip() for p in str(chosen).split(",")]
        if ptype == "Number" and isinstance(chosen, str):
            try:
                return int(chosen)
            except ValueError:
                try:
                    return float(chosen)
                except ValueError:
                    return chosen
        if isinstance(chosen, str):
            dyn = dynamic_reference(chosen)
            if dyn is not None:
                return dyn
        return chosen

    def _ref(self, target: Any) -> Any:
        if not isinstance(target, str):
            return Value.unresolved("Ref")
        if target in self.overrides or target in self.parameter_specs:
            return self.parameter(target)
        if target == "AWS::NoValue":
            return NO_VALUE
        if target in PSEUDO_LITERALS:
            return PSEUDO_LITERALS[target]
        if target == "AWS::Region" and self.region:
            return self.region
        if target in PSEUDO_REFERENCES:
            return Value(ValueKind.PARAMETER, ref=target, raw=f"${{{target}}}")
        if target in self.resource_ids:
            return Value(ValueKind.RESOURCE_ATTRIBUTE, ref=target, raw=f"${{{target}}}")
        return Value(ValueKind.UNRESOLVED, ref=target, raw=f"${{{target}}}")

    def _get_att(self, resource: str, attribute: str) -> Any:
        if resource in self.resource_ids:
            return Value(ValueKind.RESOURCE_ATTRIBUTE, ref=resource, attribute=attribute,
                         raw=f"${{{resource}.{attribute}}}")
        return Value(ValueKind.UNRESOLVED, ref=resource, attribute=attribute, raw=f"${{{resource}.{attribute}}}")

    def _string_reference(self, text: str, location: Location | None) -> Value | None:
        """Dynamic references (``{{resolve:...}}``) inside a plain string."""
        if "{{resolve:" not in text:
            return None
        whole = dynamic_reference(text, location)
        if whole is not None:
            return whole
        parts: list[Any] = []
        pos = 0
        for m in _DYNAMIC_REF.finditer(text):
            parts.append(text[pos:m.start()])
            parts.append(dynamic_reference(m.group(0)))
            pos = m.end()
        parts.append(text[pos:])
        result = compose([p for p in parts if p != ""], location)
        return result if isinstance(result, Value) else None

    # ---- intrinsic functions -----------------------------------------------------------------

    def _intrinsic(self, name: str, arg: Any, depth: int) -> Any:
        if name == "Ref":
            return self._ref(self.evaluate(arg, depth) if intrinsic_name(arg) else arg)
        if name == "Fn::GetAtt":
            if isinstance(arg, str):
                resource, _, attribute = arg.partition(".")
                return self._get_att(resource, attribute)
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
                attribute = self.evaluate(arg[1], depth)
                if isinstance(attribute, str):
                    return self._get_att(arg[0], attribute)
            return Value.unresolved("Fn::GetAtt")
        if name == "Fn::Sub":
            return self._sub(arg, depth)
        if name == "Fn::Join":
            return self._join(arg, depth)
        if name == "Fn::Select":
            return self._select(arg, depth)
        if name == "Fn::Split":
            if isinstance(arg, list) and len(arg) == 2:
                delim, src = self.evaluate(arg[0], depth), self.evaluate(arg[1], depth)
                if isinstance(delim, str) and delim and isinstance(src, str):
                    return src.split(delim)
            return Value.unresolved("Fn::Split")
        if name == "Fn::FindInMap":
            return self._find_in_map(arg, depth)
        if name == "Fn::If":
            return self._if(arg, depth)
        if name == "Fn::ImportValue":
            export = self.evaluate(arg, depth)
            text = render(export) if isinstance(export, Value) else _text(export)
            return Value(ValueKind.STACK_OUTPUT, ref=text, raw=f"${{ImportValue:{text}}}")
        if name == "Fn::Base64":
            return self.evaluate(arg, depth)
        if name == "Fn::Length":
            items = self.evaluate(arg, depth)
            return len(items) if isinstance(items, list) else Value.unresolved("Fn::Length")
        if name == "Fn::ToJsonString":
            data = self.evaluate(arg, depth)
            if is_decided(data):
                return json.dumps(data, separators=(",", ":"), default=str)
            return Value.unresolved("Fn::ToJsonString")
        if name in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"):
            truth = self._condition_expr({name: arg}, depth)
            return truth if truth is not None else Value.unresolved(name)
        return Value.unresolved(name)  # Fn::GetAZs, Fn::Cidr, Fn::Transform, ...

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: Mapping[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], Mapping):
            template, variables = arg[0], arg[1]
        elif isinstance(arg, list) and len(arg) == 1:
            template = arg[0]
        else:
            template = arg
        if not isinstance(template, str):
            return Value.unresolved("Fn::Sub")
        parts: list[Any] = []
        pos = 0
        for m in _SUB_VAR.finditer(template):
            parts.append(template[pos:m.start()])
            pos = m.end()
            inner = m.group(1)
            if inner.startswith("!"):
                parts.append("${" + inner[1:] + "}")  # ${!Literal} is written out as ${Literal}
                continue
            key = inner.strip()
            if key in variables:
                parts.append(self.evaluate(variables[key], depth))
            elif "." in key and key.split(".", 1)[0] not in self.parameter_specs:
                resource, _, attribute = key.partition(".")
                parts.append(self._get_att(resource, attribute))
            else:
                parts.append(self._ref(key))
        parts.append(template[pos:])
        cleaned: list[Any] = []
        for p in parts:
            if isinstance(p, list):
                p = ",".join(_text(x) for x in p)
            if isinstance(p, Value) or p not in ("", None):
                cleaned.append(p)
        if not cleaned:
            return ""
        result = compose(cleaned)
        if isinstance(result, str):
            ref = self._string_reference(result, None)
            return ref if ref is not None else result
        return result

    def _join(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Value.unresolved("Fn::Join")
        delim = self.evaluate(arg[0], depth)
        items = self.evaluate(arg[1], depth)
        if not isinstance(delim, str) or not isinstance(items, list):
            return Value.unresolved("Fn::Join")
        parts: list[Any] = []
        for i, item in enumerate(items):
            if i:
                parts.append(delim)
            parts.append(item)
        parts = [p for p in parts if isinstance(p, Value) or _text(p) != ""]
        return compose(parts) if parts else ""

    def _select(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Value.unresolved("Fn::Select")
        index = self.evaluate(arg[0], depth)
        items = self.evaluate(arg[1], depth)
        try:
            i = int(index)
        except (TypeError, ValueError):
            return Value.unresolved("Fn::Select")
        if isinstance(items, list) and 0 <= i < len(items):
            return items[i]
        return Value.unresolved("Fn::Select")

    def _find_in_map(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) >= 3):
            return Value.unresolved("Fn::FindInMap")
        keys = [self.evaluate(a, depth) for a in arg[:3]]
        default = None
        if len(arg) > 3 and isinstance(arg[3], Mapping) and "DefaultValue" in arg[3]:
            default = self.evaluate(arg[3]["DefaultValue"], depth)
        table = self.mappings.get(keys[0]) if isinstance(keys[0], str) else None
        if not isinstance(table, Mapping):
            return default if default is not None else Value.unresolved("Fn::FindInMap")
        top, second = keys[1], keys[2]
        if isinstance(top, (str, int)) and isinstance(second, (str, int)):
            row = table.get(str(top))
            if isinstance(row, Mapping) and str(second) in row:
                return self.evaluate(row[str(second)], depth)
            return default if default is not None else Value.unresolved("Fn::FindInMap")
        if isinstance(second, (str, int)):
            # Keyed by an unknown (e.g. AWS::Region): decidable when every row agrees.
            values = [row.get(str(second)) for row in table.values() if isinstance(row, Mapping)]
            if values and all(v == values[0] for v in values) and values[0] is not None:
                return self.evaluate(values[0], depth)
        return Value.unresolved("Fn::FindInMap")

    def _if(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3):
            return Value.unresolved("Fn::If")
        truth = self.condition(arg[0])
        if truth is True:
            return self.evaluate(arg[1], depth)
        if truth is False:
            return self.evaluate(arg[2], depth)
        chosen = self.evaluate(arg[1], depth)
        if chosen is NO_VALUE:
            chosen = self.evaluate(arg[2], depth)
        if chosen is None or isinstance(chosen, (str, int, float, bool)):
            return Value(ValueKind.UNRESOLVED, literal=chosen, raw=f"Fn::If[{arg[0]}]")
        return chosen

    def _condition_expr(self, node: Any, depth: int) -> bool | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, bool):
            return node
        if isinstance(node, str) and node.lower() in ("true", "false"):
            return node.lower() == "true"
        name = intrinsic_name(node)
        if name is None:
            return None
        arg = node[name]
        if name == "Condition":
            return self.condition(arg)
        if name == "Fn::Not":
            inner = arg[0] if isinstance(arg, list) and len(arg) == 1 else arg
            truth = self._condition_expr(inner, depth + 1)
            return None if truth is None else not truth
        if name in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            values = [self._condition_expr(a, depth + 1) for a in arg]
            if name == "Fn::And":
                if any(v is False for v in values):
                    return False
                return True if all(v is True for v in values) else None
            if any(v is True for v in values):
                return True
            return False if all(v is False for v in values) else None
        if name == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            left, right = self.evaluate(arg[0], depth + 1), self.evaluate(arg[1], depth + 1)
            if is_decided(left) and is_decided(right):
                return _text(left) == _text(right) if not isinstance(left, (list, dict)) else left == right
            return None
        if name == "Fn::If":
            return self._condition_expr(self._if(arg, depth + 1), depth + 1)
        return None


def referenced_ids(node: Any, depth: int = 0) -> list[str]:
    """Logical ids (and pseudo parameters) that ``node`` refers to through Ref, GetAtt or Sub, in
    order of appearance. Used to find the function an integration URI or an ARN points at."""
    found: list[str] = []

    def add(name: str) -> None:
        if name and name not in found:
            found.append(name)

    def walk(n: Any, d: int) -> None:
        if d > MAX_DEPTH:
            return
        name = intrinsic_name(n)
        if name == "Ref" and isinstance(n[name], str):
            add(n[name])
            return
        if name == "Fn::GetAtt":
            arg = n[name]
            if isinstance(arg, str):
                add(arg.split(".", 1)[0])
            elif isinstance(arg, list) and arg and isinstance(arg[0], str):
                add(arg[0])
            return
        if name == "Fn::Sub":
            arg = n[name]
            template = arg[0] if isinstance(arg, list) and arg else arg
            variables = arg[1] if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], Mapping) else {}
            if isinstance(template, str):
                for m in _SUB_VAR.finditer(template):
                    inner = m.group(1).strip()
                    if inner.startswith("!"):
                        continue
                    if inner in variables:
                        walk(variables[inner], d + 1)
                    else:
                        add(inner.split(".", 1)[0])
            return
        if isinstance(n, Mapping):
            for v in n.values():
                walk(v, d + 1)
        elif isinstance(n, list):
            for v in n:
                walk(v, d + 1)

    walk(node, depth)
    return found
