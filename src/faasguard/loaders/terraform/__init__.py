"""Terraform -> application model (HCL read with python-hcl2; ``terraform`` is never run).

Terraform is directory based: a root module is every ``.tf`` file of a directory that no other
directory calls as a local module. ``TerraformLoader.load_directories`` finds the roots among the
directories that hold Terraform files and builds one Application per root, following local
module calls; registry modules are modelled from their inputs (see :mod:`.registry`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import fields as dc_fields
from pathlib import Path
from typing import Any

from faasguard.loaders.base import LoadOptions, LoadResult
from faasguard.loaders.document import Document
from faasguard.loaders.terraform.context import Context, Draft
from faasguard.loaders.terraform.module import ModuleInstance, Parsed
from faasguard.model import Api, Application, ErrorKind, Function, Location, Resource, Role, ScanError

log = logging.getLogger(__name__)

TF_SUFFIXES = (".tf", ".tf.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")


class TerraformLoader:
    name = "terraform"

    def claims(self, doc: Document) -> bool:  # directory-based: never claims single documents
        return False

    def load(self, doc: Document, root: Path, options: LoadOptions) -> LoadResult:
        return LoadResult()

    def load_directories(self, dirs: Iterable[Path], root: Path, options: LoadOptions) -> LoadResult:
        """Load every root module among ``dirs`` (directories holding .tf files)."""
        root = root.resolve()
        parsed = Parsed(root)
        result = LoadResult()
        modules = {d.resolve(): parsed.directory(d) for d in dirs}
        called: set[Path] = set()
        for mod in modules.values():
            if mod is not None and mod.files:
                called |= set(parsed.local_sources(mod))
        for path, mod in sorted(modules.items()):
            if mod is None:
                continue
            result.errors.extend(mod.errors)
            if path in called or not mod.files:
                continue
            try:
                app, errors = load_root(parsed, path, options)
            except Exception as exc:  # a bug of ours must not end the scan
                log.debug("terraform loader crashed on %s", mod.rel, exc_info=True)
                first = mod.files[0] if mod.files else mod.rel
                result.errors.append(ScanError(first, f"terraform loader failed: {type(exc).__name__}: {exc}",
                                               ErrorKind.INTERNAL))
                continue
            result.applications.append(app)
            result.errors.extend(errors)
        # directories parsed only as modules of others: their parse errors are already listed once
        for path, mod in parsed.dirs.items():
            if path not in modules:
                result.errors.extend(mod.errors)
        return result


def _tfvars(parsed: Parsed, root_dir: Path, options: LoadOptions) -> dict[str, Any]:
    """terraform.tfvars and *.auto.tfvars (in Terraform's order), then ``--var`` values."""
    from faasguard.loaders.terraform.evaluate import Evaluator
    from faasguard.loaders.terraform.module import _EmptyScope

    mod = parsed.directory(root_dir)
    values: dict[str, Any] = {}
    if mod is None:
        return values
    ordered = sorted(mod.tfvars, key=lambda fb: (not fb[0].endswith(("terraform.tfvars", "terraform.tfvars.json")),
                                                 fb[0]))
    for file, body in ordered:
        name = file.rsplit("/", 1)[-1]
        if name not in ("terraform.tfvars", "terraform.tfvars.json") and ".auto.tfvars" not in name:
            continue
        for key, attr in body.attributes.items():
            values[key] = Evaluator(_EmptyScope()).eval(attr.expr)
    values.update(options.variables)
    return values


def load_root(parsed: Parsed, root_dir: Path, options: LoadOptions) -> tuple[Application, list[ScanError]]:
    from faasguard.loaders.terraform import apis, functions, iam, registry, resources

    mod = parsed.directory(root_dir)
    assert mod is not None
    errors: list[ScanError] = []
    instance = ModuleInstance(parsed, mod, "", _tfvars(parsed, root_dir, options), root_dir, errors)
    ctx = Context(instance, list(instance.instances()))
    iam.define_policies(ctx)
    iam.define_roles(ctx)
    resources.define_resources(ctx)
    apis.define_apis(ctx)
    functions.define_functions(ctx)
    registry.model_calls(ctx, list(instance.all_calls()))
    iam.link_policies(ctx)
    resources.link_resource_settings(ctx)
    functions.link_functions(ctx)
    apis.link_apis(ctx)
    for fn in ctx.functions.values():
        role = ctx.roles.get(fn.get("role_id") or "")
        if role is not None and fn.get("id") not in role.get("functions", []):
            role.append("functions", fn.get("id"))
    files = tuple(dict.fromkeys([*instance.all_files(), *(f for f, _ in mod.tfvars)]))
    app = Application(
        name=root_dir.name if mod.rel != "." else parsed.root.name,
        source_kind="terraform", root=mod.rel, files=files,
        location=Location(mod.files[0] if mod.files else mod.rel, 1),
        stage=options.stage, region=options.region,
        functions=tuple(_freeze(Function, d) for d in ctx.functions.values()),
        roles=tuple(_freeze(Role, d) for d in ctx.roles.values()),
        apis=tuple(_freeze(Api, d) for d in ctx.apis.values()),
        resources=tuple(_freeze(Resource, d) for d in ctx.resources.values()),
        permissions=tuple(ctx.permissions))
    return app, errors + ctx.errors


_LIST_FIELDS = {"triggers", "layers", "architectures", "statements", "managed_policies", "functions",
                "policy_templates"}


def _freeze(cls: type, draft: Draft) -> Any:
    names = {f.name for f in dc_fields(cls)}
    kwargs = {k: (tuple(v) if k in _LIST_FIELDS and isinstance(v, list) else v)
              for k, v in draft.fields.items() if k in names}
    if "locations" in names:
        kwargs["locations"] = dict(draft.locations)
    return cls(**kwargs)


__all__ = ["TF_SUFFIXES", "TFVARS_SUFFIXES", "TerraformLoader", "load_root"]
