"""Shared state while one template is turned into the model: the document, the resolver, the
errors found so far, and small typed readers that report wrong types instead of raising."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from faasguard.loaders.cloudformation.intrinsics import NO_VALUE, Resolver, intrinsic_name
from faasguard.loaders.document import Document, line_of
from faasguard.loaders.scalars import as_bool, as_int, as_text
from faasguard.model import (
    Api,
    ErrorKind,
    Function,
    Location,
    Permission,
    Resource,
    Role,
    ScanError,
    Suppression,
    Trigger,
    Value,
    ValueKind,
)

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


@dataclass
class TemplateModel:
    """What one template (or a serverless.yml ``resources`` section) contributes to the model.

    ``external_triggers`` / ``external_settings`` / ``external_locations`` hold what resources of
    this template say about functions defined elsewhere (the Serverless Framework functions
    named through ``function_aliases``): triggers to add, Function fields to set, and their
    lines. :meth:`attach` applies them to such a function.
    """

    functions: list[Function] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    external_triggers: dict[str, list[Trigger]] = field(default_factory=dict)
    external_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    external_locations: dict[str, dict[str, Location]] = field(default_factory=dict)
    extra_files: list[Path] = field(default_factory=list)  # other files read (local OpenAPI definitions)

    def attach(self, fn: Function) -> Function:
        """``fn`` with the triggers/settings this template's resources give it (by function id)."""
        from dataclasses import replace

        triggers = self.external_triggers.get(fn.id, [])
        settings = dict(self.external_settings.get(fn.id, {}))
        locations = self.external_locations.get(fn.id, {})
        if not (triggers or settings or locations):
            return fn
        if triggers:
            settings["triggers"] = fn.triggers + tuple(triggers)
        if locations:
            settings["locations"] = {**fn.locations, **locations}
        return replace(fn, **settings)


def describe(node: Any) -> str:
    """A user-facing name for the type of a YAML/JSON node."""
    if isinstance(node, bool):
        return "a boolean"
    if isinstance(node, (int, float)):
        return "a number"
    if isinstance(node, str):
        return "a string"
    if isinstance(node, list):
        return "a list"
    if isinstance(node, Mapping):
        return "a mapping"
    return "null" if node is None else type(node).__name__


class BuildContext:
    """One template being built. Resource-level helpers live in the sibling modules."""

    def __init__(self, doc: Document, template: Mapping[str, Any], *, resolver: Resolver, root: Path,
                 app_root: str, source_kind: str, function_aliases: Mapping[str, str] | None = None) -> None:
        self.doc = doc
        self.template = template
        self.resolver = resolver
        self.root = root
        self.app_root = app_root
        self.source_kind = source_kind
        self.aliases: dict[str, str] = dict(function_aliases or {})
        self.errors: list[ScanError] = []
        self._resource_locs: dict[str, Location] = {}
        resources = template.get("Resources") if isinstance(template, Mapping) else None
        self.resources: Mapping[str, Any] = resources if isinstance(resources, Mapping) else {}
        # The directory of the template, relative to the scan root (code paths are relative to it).
        try:
            self.template_dir = PurePosixPath(doc.path.parent.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            self.template_dir = PurePosixPath(app_root or ".")

    # ---- errors and locations -----------------------------------------------------------------

    def error(self, message: str, node: Any = None, kind: ErrorKind = ErrorKind.PARSE,
              function: str | None = None, line: int = 0) -> None:
        """Record a problem at ``node``'s line (or ``line`` when the node has none, e.g. a number)."""
        where = node if isinstance(node, Location) else self.doc.location(node)
        file = where.file or self.doc.file  # nodes pulled in from other files know their own file
        self.errors.append(ScanError(file, message, kind, where.line or line, function))

    def loc(self, node: Any, *pointer: str | int) -> Location:
        return self.doc.location(node, *pointer)

    def key_loc(self, mapping: Any, key: str, *pointer: str | int) -> Location:
        return self.doc.key_location(mapping, key, *pointer)

    def resource_loc(self, logical_id: str) -> Location:
        """The line of a resource's logical id (cached: templates can hold thousands of resources)."""
        loc = self._resource_locs.get(logical_id)
        if loc is None:
            loc = self.key_loc(self.resources, logical_id, "Resources", logical_id)
            if not self._resource_locs:
                for key in self.resources:
                    if isinstance(key, str) and getattr(key, "start_mark", None) is not None:
                        self._resource_locs[key] = self.doc.location(key, "Resources", key)
            self._resource_locs[logical_id] = self._resource_locs.get(logical_id, loc)
            loc = self._resource_locs[logical_id]
        return loc

    # ---- typed readers (an intrinsic is evaluated first) ---------------------------------------

    def evaluate(self, node: Any) -> Any:
        return self.resolver.evaluate(node)

    def value(self, node: Any, location: Location | None = None) -> Value:
        return self.resolver.value(node, location)

    def mapping(self, node: Any, what: str, owner: Any = None, line: int = 0) -> Mapping[str, Any] | None:
        """``node`` as a mapping (after resolving an ``Fn::If``), else an error and None."""
        if node is None or node is NO_VALUE:
            return None
        if intrinsic_name(node) == "Fn::If":
            node = self.evaluate(node)
            if isinstance(node, Value) or node is NO_VALUE:
                return None
        if isinstance(node, Mapping):
            return node
        self.error(f"{what} should be a mapping, not {describe(node)}", node if line_of(node) else owner,
                   line=line)
        return None

    def sequence(self, node: Any, what: str, owner: Any = None) -> list[Any]:
        """``node`` as a list; a single item counts as a list of one (as CloudFormation allows)."""
        if node is None or node is NO_VALUE:
            return []
        if intrinsic_name(node) is not None:
            evaluated = self.evaluate(node)
            if isinstance(evaluated, list):
                return evaluated
            return [node]
        if isinstance(node, list):
            return node
        return [node]

    def present(self, mapping: Any, key: str) -> bool:
        """``key`` is set in ``mapping`` to something other than null or ``AWS::NoValue``."""
        if not isinstance(mapping, Mapping) or mapping.get(key) is None:
            return False
        value = mapping[key]
        return intrinsic_name(value) not in ("Fn::If", "Ref") or self.evaluate(value) is not NO_VALUE

    def text(self, node: Any) -> str | None:
        """A literal string (or number) setting, else None."""
        data = self.evaluate(node)
        return None if data is NO_VALUE else as_text(data)

    def integer(self, node: Any, what: str = "value", line: int = 0) -> int | None:
        data = self.evaluate(node)
        if data is NO_VALUE or isinstance(data, (list, Mapping)):
            return None
        number, problem = as_int(data)
        if problem:
            self.error(f"{what} should be a number, not {problem}", node, line=line)
        return number

    def boolean(self, node: Any) -> bool | None:
        return as_bool(self.evaluate(node))

    def ref_target(self, node: Any) -> str | None:
        """The logical id that ``node`` points at (``!Ref X``, ``!GetAtt X.Arn``, ``!Sub ${X.Arn}``)."""
        data = self.evaluate(node)
        if isinstance(data, Value) and data.kind is ValueKind.RESOURCE_ATTRIBUTE and data.ref:
            return data.ref
        return None

    def function_id(self, logical_id: str | None) -> str | None:
        """The function id of a logical id (serverless aliases map ``HelloLambdaFunction`` -> ``hello``)."""
        if logical_id is None:
            return None
        return self.aliases.get(logical_id, logical_id)
