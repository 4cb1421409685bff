"""CycloneDX 1.6 SBOM of an application: one component per function (runtime, handler, triggers
as properties) with the packages it ships nested under it, each with its purl.

Reproducible: bom-refs are derived from names (never random), the serial number is a UUID5 of
the content, and the timestamp can be fixed (``--timestamp`` or ``SOURCE_DATE_EPOCH``), so two
runs over the same tree give byte-identical output.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from faasguard import __version__
from faasguard.analyzers.deps.collect import function_dependencies
from faasguard.analyzers.deps.manifests import Dependency, Parsed
from faasguard.model import Application, Function

NS = "faasguard"
_SERIAL_NAMESPACE = uuid.UUID("5f0c8f0e-54a1-4f5b-9d7e-6c1f3f2b9a10")


class TimestampError(ValueError):
    pass


def parse_timestamp(text: str | None) -> datetime | None:
    """``--timestamp``: ISO 8601 or seconds since the epoch; else ``SOURCE_DATE_EPOCH``; else None (now)."""
    raw = text if text else os.environ.get("SOURCE_DATE_EPOCH")
    if not raw:
        return None
    raw = raw.strip()
    try:
        if raw.lstrip("-").isdigit():
            return datetime.fromtimestamp(int(raw), tz=timezone.utc)
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError) as exc:
        raise TimestampError(f"invalid timestamp {raw!r}: use ISO 8601 or seconds since the epoch") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _props(pairs: Iterable[tuple[str, str | None]]) -> list[Property]:
    return [Property(name=f"{NS}:{k}", value=v) for k, v in pairs if v not in (None, "")]


def _trigger_text(fn: Function) -> list[tuple[str, str]]:
    out = []
    for t in fn.triggers:
        route = f" {t.route}" if t.is_http else (f" {t.source_id}" if t.source_id else "")
        out.append(("trigger", f"{t.kind.value}{route} ({t.trust.value})"))
    if fn.url is not None:
        out.append(("trigger", f"function_url auth={fn.url.auth_type}"))
    return out


def _package_component(fn_ref: str, dep: Dependency) -> Component:
    purl = PackageURL.from_string(dep.purl)
    props = [("ecosystem", dep.ecosystem), ("manifest", f"{dep.manifest}:{dep.line}"), ("source", dep.source),
             ("layer", dep.layer)]
    if not dep.pinned:
        props += [("pinned", "false"), ("requirement", dep.spec)]
    return Component(
        name=purl.name, group=purl.namespace, version=dep.version, purl=purl, type=ComponentType.LIBRARY,
        scope=ComponentScope.REQUIRED, bom_ref=f"{fn_ref}|{dep.purl}", properties=_props(props))


def _function_component(app: Application, fn: Function, deps: Sequence[Dependency], multi_app: bool) -> Component:
    ref = f"function:{app.name}/{fn.id}" if multi_app else f"function:{fn.id}"
    props = [("kind", "function"), ("application", app.name), ("provider", app.provider),
             ("source_kind", fn.source_kind or app.source_kind), ("runtime", fn.runtime), ("handler", fn.handler),
             ("code_path", fn.code_path), ("package_type", fn.package_type.value),
             ("location", str(fn.location)), *_trigger_text(fn)]
    by_purl: dict[str, Dependency] = {}
    for dep in deps:
        by_purl.setdefault(dep.purl, dep)  # the same package listed twice (lock + dist-info): once
    children = [_package_component(ref, d) for _, d in sorted(by_purl.items())]
    return Component(name=fn.name or fn.id, type=ComponentType.APPLICATION, bom_ref=ref,
                     description=f"{app.provider} function {fn.id}", properties=_props(props), components=children)


def build_bom(applications: Sequence[Application], root: Path, *, timestamp: datetime | None = None,
              root_name: str | None = None) -> Bom:
    root = root.resolve()
    multi_app = len(applications) > 1
    cache: dict[Path, Parsed] = {}
    if len(applications) == 1:
        app = applications[0]
        top = Component(name=app.name, type=ComponentType.APPLICATION, bom_ref=f"application:{app.name}",
                        properties=_props([("source_kind", app.source_kind), ("provider", app.provider),
                                           ("files", ", ".join(app.files))]))
    else:
        top = Component(name=root_name or root.name, type=ComponentType.APPLICATION, bom_ref="application:.",
                        properties=_props([("applications", ", ".join(a.name for a in applications))]))
    bom = Bom(metadata=BomMetaData(component=top, timestamp=timestamp or datetime.now(timezone.utc),
                                   tools=ToolRepository()))
    bom.metadata.tools.components.add(Component(name="faasguard", version=__version__,
                                                type=ComponentType.APPLICATION, bom_ref="tool:faasguard"))
    functions: list[Component] = []
    for app in applications:
        for fn in sorted(app.functions, key=lambda f: f.id):
            deps = function_dependencies(app, fn, root, cache).dependencies
            comp = _function_component(app, fn, deps, multi_app)
            bom.components.add(comp)
            bom.register_dependency(comp, list(comp.components))
            functions.append(comp)
    bom.register_dependency(top, functions)
    material = "\n".join([str(top.bom_ref)] + sorted(
        f"{c.bom_ref}>{','.join(sorted(str(x.bom_ref) for x in c.components))}" for c in functions))
    bom.serial_number = uuid.uuid5(_SERIAL_NAMESPACE, material)
    return bom


def to_json(bom: Bom) -> str:
    return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"


def render_sbom(result: object, *, timestamp: datetime | None = None) -> str:
    """The SBOM of a scan's applications (``faasguard scan -o cyclonedx``), timestamp from
    ``SOURCE_DATE_EPOCH`` when set."""
    applications = list(getattr(result, "applications", []))
    root = Path(getattr(result, "root", "."))
    return to_json(build_bom(applications, root, timestamp=timestamp or parse_timestamp(None)))
