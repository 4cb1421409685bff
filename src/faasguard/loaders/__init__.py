"""Loaders: IaC files -> application model.

``load_tree`` finds candidate files, parses each once, and hands it to the first loader that
claims it. A file that can't be parsed, or that is recognised but not supported, becomes a
``ScanError``; the rest of the tree is still loaded.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path

from faasguard.loaders.base import Loader, LoadOptions, LoadResult
from faasguard.loaders.cdk import in_cdk_out, map_assets
from faasguard.loaders.discovery import CODE_CONFIG_NAMES, Candidate, walk
from faasguard.loaders.document import Document, DocumentError, load_document
from faasguard.model import ErrorKind, ScanError

log = logging.getLogger(__name__)

# (module, class) in the order they are asked; serverless first, since its files pull in others.
_LOADER_CLASSES = (
    ("faasguard.loaders.serverless", "ServerlessLoader"),
    ("faasguard.loaders.cloudformation", "CloudFormationLoader"),
    ("faasguard.loaders.chalice", "ChaliceLoader"),
    ("faasguard.loaders.zappa", "ZappaLoader"),
)


def available_loaders() -> list[Loader]:
    loaders: list[Loader] = []
    for module, cls in _LOADER_CLASSES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        loaders.append(getattr(mod, cls)())
    return loaders


def _unsupported_kind(doc: Document) -> str | None:
    """Recognisable deployment configs that no loader handles yet."""
    name = doc.path.name
    if doc.path.parent.name == ".chalice" and name == "config.json":
        return "Chalice configuration"
    if name.startswith("zappa_settings."):
        return "Zappa settings"
    return None


def _parse(cand: Candidate) -> Document:
    """Zappa settings are read leniently (comments, trailing commas); everything else strictly."""
    if cand.path.name.startswith("zappa_settings."):
        try:
            from faasguard.loaders.zappa import read_settings
        except ModuleNotFoundError:
            pass
        else:
            return read_settings(cand.path, cand.file)
    return load_document(cand.path, cand.file)


def load_tree(root: Path, options: LoadOptions | None = None,
              files: Sequence[Candidate] | None = None) -> LoadResult:
    """Load every application under ``root`` (or only ``files``, candidates found under it)."""
    options = options or LoadOptions()
    root = root.resolve()
    scan_root = root if root.is_dir() else root.parent
    result = LoadResult()
    loaders = [loader for loader in available_loaders() if options.wants(loader.name)]
    docs: list[Document] = []
    terraform_dirs: dict[Path, str] = {}
    for cand in walk(root) if files is None else files:
        if cand.path.name.endswith((".tf", ".tf.json", ".tfvars")):
            if options.wants("terraform"):
                terraform_dirs.setdefault(cand.path.parent, cand.file)
            continue
        if cand.path.name in CODE_CONFIG_NAMES:
            if options.wants("serverless"):
                result.errors.append(ScanError(cand.file, "a Serverless Framework configuration written as code is "
                                               "never run by faasguard, so its functions were not scanned; "
                                               "`serverless print` output saved as serverless.yml can be scanned",
                                               ErrorKind.UNSUPPORTED))
            continue
        if not loaders:
            continue
        try:
            docs.append(_parse(cand))
        except DocumentError as exc:
            # Only report files that look like they were meant to be IaC or config we read.
            result.errors.append(ScanError(cand.file, exc.message, exc.kind, exc.line))
        except Exception as exc:  # a parser bug must not end the scan
            log.debug("parser crashed on %s", cand.file, exc_info=True)
            result.errors.append(ScanError(cand.file, f"could not parse: {type(exc).__name__}: {exc}",
                                           ErrorKind.INTERNAL))
    for pass_no in (0, 1):  # serverless first: its ${file()} includes are not stand-alone documents
        for doc in docs:
            if doc.path in result.consumed:
                continue
            for loader in loaders:
                if (pass_no == 0) != (loader.name == "serverless"):
                    continue
                try:
                    if not loader.claims(doc):
                        continue
                    sub = loader.load(doc, scan_root, options)
                except Exception as exc:
                    log.debug("loader %s crashed on %s", loader.name, doc.file, exc_info=True)
                    result.errors.append(ScanError(doc.file, f"{loader.name} loader failed: "
                                                   f"{type(exc).__name__}: {exc}", ErrorKind.INTERNAL))
                    result.consumed.add(doc.path)
                    break
                apps = sub.applications
                if in_cdk_out(doc):  # CDK synth output: code assets mapped back to their directories
                    apps = map_assets(apps, doc, scan_root)
                result.applications.extend(apps)
                result.errors.extend(sub.errors)
                result.consumed |= sub.consumed | {doc.path}
                break
    names = {loader.name for loader in loaders}
    for doc in docs:
        kind = _unsupported_kind(doc)
        if doc.path not in result.consumed and kind and not ({"chalice", "zappa"} & names) \
                and not options.frameworks:
            result.errors.append(ScanError(doc.file, f"{kind} is not supported yet; its functions were not "
                                           "scanned", ErrorKind.UNSUPPORTED))
    if terraform_dirs:
        _load_terraform(sorted(terraform_dirs), terraform_dirs, scan_root, options, result)
    return result


def _load_terraform(dirs: list[Path], first_files: dict[Path, str], scan_root: Path, options: LoadOptions,
                    result: LoadResult) -> None:
    """Terraform is directory based: the loader finds the root modules among ``dirs``."""
    try:
        from faasguard.loaders.terraform import TerraformLoader
    except ModuleNotFoundError:
        for file in sorted(first_files.values()):
            result.errors.append(ScanError(file, "Terraform is not supported yet; the functions of this "
                                           "directory were not scanned", ErrorKind.UNSUPPORTED))
        return
    try:
        sub = TerraformLoader().load_directories(dirs, scan_root, options)
    except Exception as exc:  # a bug of ours must not end the scan
        log.debug("terraform loader crashed", exc_info=True)
        result.errors.append(ScanError(first_files[dirs[0]], f"terraform loader failed: {type(exc).__name__}: "
                                       f"{exc}", ErrorKind.INTERNAL))
        return
    result.applications.extend(sub.applications)
    result.errors.extend(sub.errors)


__all__ = ["Candidate", "Document", "LoadOptions", "LoadResult", "Loader", "load_tree"]
