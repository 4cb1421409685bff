"""The loader for stand-alone SAM / CloudFormation templates."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from faasguard.loaders.base import LoadOptions, LoadResult
from faasguard.loaders.cloudformation.context import SAM_TRANSFORM
from faasguard.loaders.document import Document
from faasguard.model import Application, Location

_TEMPLATE_STEMS = frozenset({"template", "templates", "cloudformation", "cfn", "stack", "sam"})


def has_sam_transform(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    items = transform if isinstance(transform, list) else [transform]
    return any(isinstance(t, str) and t.strip() == SAM_TRANSFORM for t in items)


def is_sam(template: Mapping[str, Any]) -> bool:
    """The SAM transform is declared, or the template uses AWS::Serverless::* resources (written for
    SAM even when the Transform line is missing, as in many SAM test inputs)."""
    if has_sam_transform(template):
        return True
    resources = template.get("Resources")
    return isinstance(resources, Mapping) and any(
        isinstance(body, Mapping) and isinstance(body.get("Type"), str) and body["Type"].startswith("AWS::Serverless::")
        for body in resources.values())


def claims_template(data: Any) -> bool:
    """A mapping with AWSTemplateFormatVersion, the SAM transform, or Resources typed ``AWS::...``
    (and not a serverless.yml, which also has ``Resources`` under ``resources``)."""
    if not isinstance(data, Mapping):
        return False
    if "service" in data and "provider" in data:
        return False
    if "AWSTemplateFormatVersion" in data or has_sam_transform(data):
        return True
    resources = data.get("Resources")
    if isinstance(resources, Mapping):
        return any(isinstance(body, Mapping) and isinstance(body.get("Type"), str)
                   and body["Type"].startswith(("AWS::", "Alexa::"))
                   for body in resources.values())
    return False


class CloudFormationLoader:
    name = "cloudformation"

    def claims(self, doc: Document) -> bool:
        return claims_template(doc.data)

    def load(self, doc: Document, root: Path, options: LoadOptions) -> LoadResult:
        from faasguard.loaders.cloudformation import build_template_model
        from faasguard.model import Value

        template = doc.data
        source_kind = "sam" if is_sam(template) else "cloudformation"
        try:
            app_dir = doc.path.parent.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            app_dir = "."
        # --var Name=Value overrides template parameters, as `sam deploy --parameter-overrides`.
        params = {k: Value.of(v) for k, v in options.variables.items()}
        model = build_template_model(doc, template, parameters=params, root=root, app_root=app_dir,
                                     source_kind=source_kind, region=options.region)
        app = Application(
            name=application_name(doc.path),
            source_kind=source_kind,
            root=app_dir or ".",
            files=(doc.file, *_relative(model.extra_files, root)),
            location=Location(doc.file, 1),
            region=options.region,
            stage=options.stage,
            functions=tuple(model.functions),
            roles=tuple(model.roles),
            apis=tuple(model.apis),
            resources=tuple(model.resources),
            permissions=tuple(model.permissions),
            suppressions=tuple(model.suppressions),
        )
        return LoadResult(applications=[app], errors=list(model.errors), consumed=set(model.extra_files))


def _relative(paths: list[Path], root: Path) -> list[str]:
    out: list[str] = []
    for path in paths:
        try:
            out.append(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            continue
    return out


def application_name(path: Path) -> str:
    """The template's stem, or its directory's name for generic names like template.yaml."""
    stem = path.stem
    if stem.lower() in _TEMPLATE_STEMS and path.parent.name:
        return path.parent.resolve().name if path.parent.name in ("", ".") else path.parent.name
    return stem
