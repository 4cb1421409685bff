"""Serverless Framework (v3/v4) serverless.yml -> application model.

The configuration is first resolved (``variables.py``: ``${self:}``, ``${file()}``, ``${opt:}`` ...
without network or code execution), then functions (``functions.py``), their events
(``events.py``), execution roles (``iam.py``) and the implicit APIs (``apis.py``) are built, and
``resources`` goes through the CloudFormation builder into the same application.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from faasguard.loaders.base import LoadOptions, LoadResult
from faasguard.loaders.document import Document
from faasguard.loaders.serverless.build import assemble
from faasguard.loaders.serverless.variables import ResolvedDocument, Resolver
from faasguard.model import ErrorKind, ScanError, Value

log = logging.getLogger(__name__)

_CFN_KEYS = ("AWSTemplateFormatVersion", "Resources", "Transform")


def provider_name(doc_data: Mapping[str, Any]) -> str | None:
    provider = doc_data.get("provider")
    if isinstance(provider, Mapping):
        provider = provider.get("name")
    return provider.strip().lower() if isinstance(provider, str) else None


class ServerlessLoader:
    name = "serverless"

    def claims(self, doc: Document) -> bool:
        data = doc.data
        if not isinstance(data, Mapping) or any(k in data for k in _CFN_KEYS):
            return False
        if "service" in data and "provider" in data:
            return True
        return "frameworkVersion" in data and ("service" in data or "functions" in data or "provider" in data)

    def load(self, doc: Document, root: Path, options: LoadOptions) -> LoadResult:
        result = LoadResult()
        try:
            with _gc_paused():
                self._load(doc, root, options, result)
        except RecursionError:
            result.errors.append(ScanError(doc.file, "serverless.yml is nested too deeply to read",
                                           ErrorKind.UNSAFE))
        return result

    def _load(self, doc: Document, root: Path, options: LoadOptions, result: LoadResult) -> None:
        name = provider_name(doc.data)
        if name is not None and name != "aws" and "${" not in name:
            result.errors.append(ScanError(doc.file, f"Serverless Framework provider '{name}' is not supported "
                                           "yet (only aws); its functions were not scanned", ErrorKind.UNSUPPORTED))
            return
        resolver = Resolver(doc, root, options)
        config = resolver.resolve_all()
        result.consumed |= set(resolver.included)
        if not isinstance(config, Mapping):
            result.errors.extend(resolver.errors)
            result.errors.append(ScanError(doc.file, "serverless.yml should be a mapping", ErrorKind.PARSE))
            return
        rdoc = ResolvedDocument(config, doc.file, doc.path, doc.text)
        app, errors = assemble(rdoc, config, root=root, options=options, stage=resolver.stage,
                               included=[d.file for d in resolver.included.values()])
        result.errors.extend(_dedupe(resolver.errors + errors))
        if app is not None:
            result.applications.append(app)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building a big service allocates many small objects and no reference cycles worth collecting;
    the cyclic collector would otherwise rescan the whole parsed tree again and again (2-4x slower)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def framework_major(node: Any) -> int | None:
    """``'3'``, ``'^3.38.0'``, ``'>=2.0.0 <4'`` -> the first major version number written."""
    if isinstance(node, Value) or node is None:
        return None
    m = re.search(r"\d+", str(node))
    return int(m.group(0)) if m else None


def _dedupe(errors: list[ScanError]) -> list[ScanError]:
    seen: set[tuple[str, int, str]] = set()
    out = []
    for e in errors:
        key = (e.file, e.line, e.message)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


__all__ = ["ServerlessLoader", "framework_major", "provider_name"]
