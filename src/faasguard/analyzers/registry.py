"""Finding the rules and analyzers: built-in ones by walking our packages, others through the
``faasguard.rules`` entry-point group (a module that registers rules when imported)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from importlib.metadata import entry_points
from typing import TypeVar, cast

from faasguard.analyzers.base import Analyzer, Rule, RuleMeta

log = logging.getLogger(__name__)

_RULES: dict[str, type[Rule]] = {}
_ANALYZERS: dict[str, type[Analyzer]] = {}
_loaded = False

R = TypeVar("R", bound=type[Rule])
A = TypeVar("A")


def register_rule(cls: R) -> R:
    existing = _RULES.get(cls.id)
    if existing is not None and existing is not cls:
        raise ValueError(f"rule id {cls.id} registered twice ({existing.__module__}, {cls.__module__})")
    _RULES[cls.id] = cls
    return cls


def register_analyzer(cls: A) -> A:
    analyzer = cast("type[Analyzer]", cls)
    _ANALYZERS[analyzer.name] = analyzer
    return cls


def _import_tree(package: str) -> None:
    pkg = importlib.import_module(package)
    for info in pkgutil.walk_packages(pkg.__path__, prefix=package + "."):
        importlib.import_module(info.name)


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    _import_tree("faasguard.analyzers.rules")
    import faasguard.analyzers as analyzers_pkg

    for info in pkgutil.iter_modules(analyzers_pkg.__path__):
        if info.ispkg and info.name != "rules":
            # each analyzer package registers itself in its __init__
            importlib.import_module(f"faasguard.analyzers.{info.name}")
    for ep in entry_points(group="faasguard.rules"):
        if ep.value.startswith("faasguard.analyzers.rules"):
            continue
        try:
            ep.load()
        except Exception:  # a broken third-party pack must not break scanning
            log.warning("could not load rule pack %s", ep.value, exc_info=True)


def rules() -> list[Rule]:
    load_all()
    return [cls() for _, cls in sorted(_RULES.items())]


def analyzers() -> list[Analyzer]:
    load_all()
    return [cls() for _, cls in sorted(_ANALYZERS.items())]


def all_rule_meta() -> list[RuleMeta]:
    metas = [r.meta() for r in rules()]
    for analyzer in analyzers():
        metas.extend(analyzer.rules())
    return sorted(metas, key=lambda m: m.id)
