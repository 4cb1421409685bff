"""Reachability: imported directly, through the function's own modules, transitively, or not at all."""

from __future__ import annotations

from pathlib import Path

from faasguard.analyzers.deps.manifests import NPM, PYPI, Dependency
from faasguard.analyzers.deps.reachability import (
    IMPORTED,
    NOT_IMPORTED,
    TRANSITIVE,
    UNKNOWN,
    handler_imports,
    import_names,
    reachability,
)


def _dep(name: str, ecosystem: str = PYPI, requires: tuple[str, ...] = (), top: tuple[str, ...] = ()) -> Dependency:
    return Dependency(ecosystem, name, "1.0", f"{name}==1.0", "requirements.txt", 1, "requirements",
                      requires=requires, top_level=top)


def test_python_local_modules_relative_imports_and_dynamic(tmp_path: Path) -> None:
    (tmp_path / "svc" / "core").mkdir(parents=True)
    (tmp_path / "svc" / "__init__.py").write_text("")
    (tmp_path / "svc" / "handler.py").write_text("from .core import db\nimport json\n\ndef main(e, c):\n    pass\n")
    (tmp_path / "svc" / "core" / "__init__.py").write_text("")
    (tmp_path / "svc" / "core" / "db.py").write_text(
        "import importlib\nfrom yaml import safe_load\nmod = importlib.import_module('jwt')\n")
    (tmp_path / "unused.py").write_text("import django\n")
    imports = handler_imports("python", tmp_path, "svc/handler.main")
    assert imports.found
    assert imports.modules == frozenset({"json", "yaml", "importlib", "jwt"})
    assert imports.files == ("svc/core/__init__.py", "svc/core/db.py", "svc/handler.py")
    deps = [_dep("PyYAML"), _dep("PyJWT"), _dep("Django")]
    assert [reachability(d, imports, deps)[0] for d in deps] == [IMPORTED, IMPORTED, NOT_IMPORTED]


def test_transitive_through_the_lock_graph(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import requests\n")
    imports = handler_imports("python", tmp_path, "app.handler")
    deps = [_dep("requests", requires=("urllib3",)), _dep("urllib3"), _dep("six")]
    assert reachability(deps[1], imports, deps) == (TRANSITIVE, "requests")
    assert reachability(deps[2], imports, deps) == (NOT_IMPORTED, "")


def test_vendored_top_level_names_win(tmp_path: Path) -> None:
    (tmp_path / "jose").mkdir()
    (tmp_path / "jose" / "__init__.py").write_text("import ecdsa\n")  # vendored: not followed
    (tmp_path / "app.py").write_text("from jose import jwt\n")
    imports = handler_imports("python", tmp_path, "app.handler", vendored=frozenset({"jose"}))
    assert imports.modules == frozenset({"jose"})
    assert import_names(_dep("python-jose")) == ("jose",)


def test_node_requires_and_imports(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "index.mjs").write_text("import { helper } from './lib/util.js';\nimport fs from 'node:fs';\n")
    (tmp_path / "lib" / "util.js").write_text(
        "const _ = require('lodash');\nconst s3 = require('@aws-sdk/client-s3/x');\n")
    imports = handler_imports("nodejs", tmp_path, "index.handler")
    assert imports.modules == frozenset({"lodash", "@aws-sdk/client-s3"})
    assert reachability(_dep("lodash", NPM), imports, []) == (IMPORTED, "")
    assert reachability(_dep("minimist", NPM), imports, []) == (NOT_IMPORTED, "")


def test_unknown_when_handler_missing_or_unsupported(tmp_path: Path) -> None:
    assert not handler_imports("python", tmp_path, "missing.handler").found
    assert not handler_imports("java", tmp_path, "com.Example::handle").found
    assert reachability(_dep("x"), handler_imports("python", None, "a.b"), []) == (UNKNOWN, "")


def test_syntax_error_in_handler_is_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(:\n  import requests\n")
    imports = handler_imports("python", tmp_path, "app.handler")
    assert imports.found and imports.modules == frozenset()
