"""``faasguard fix --iam``: give each analysed function its own least-privilege statements.

- serverless.yml: ``functions.<name>.iamRoleStatements`` (serverless-iam-roles-per-function, added
  to ``plugins``); a function-level ``role`` is removed so the plugin creates the role.
- SAM: ``Properties.Policies`` of each ``AWS::Serverless::Function`` (SAM policy templates where
  one grants exactly what is needed, inline statements otherwise); a ``Role`` is removed so SAM
  generates the function's own role.

YAML goes through ruamel.yaml's round trip (comments, key order, quotes and indentation kept;
only the rewritten keys change); JSON templates are rewritten with their indentation. Functions
whose code could not be analysed (confidence low) are left alone and reported.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard.analyzers.iam.analysis import FunctionIam, analyse_app
from faasguard.analyzers.iam.policy import cfn_statements, framework_requirements, sam_policies
from faasguard.analyzers.iam.policy import tagged as _tagged
from faasguard.loaders import load_tree
from faasguard.loaders.base import LoadOptions
from faasguard.model import Application

PLUGIN = "serverless-iam-roles-per-function"


@dataclass
class FileFix:
    path: Path
    before: str
    after: str
    functions: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self, label: str) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                            f"a/{label}", f"b/{label}"))


@dataclass
class FixResult:
    files: list[FileFix] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "<function>: why"
    root: Path = Path(".")


# ---- YAML round trip ---------------------------------------------------------------------------


def _indentation(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file writes them, for ruamel's
    ``indent(mapping, sequence, offset)``: ``key:\n  - item`` is (2, 4, 2), ``key:\n-   item`` (4, 4, 0).
    ruamel applies one style to every sequence: a file mixing styles gets its most common one."""
    from collections import Counter

    steps = []
    styles: Counter[tuple[int, int]] = Counter()
    prev = 0
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip(" "))
        stripped = line.lstrip(" ")
        if indent > prev and not stripped.startswith("-"):
            steps.append(indent - prev)
        if stripped.startswith("- ") and i:
            parent = lines[i - 1]
            if parent.rstrip().endswith(":") and not parent.lstrip().startswith("-"):
                parent_indent = len(parent) - len(parent.lstrip(" "))
                content = indent + 1 + (len(stripped) - 1 - len(stripped[1:].lstrip(" ")))
                if content - parent_indent >= indent - parent_indent + 2:
                    styles[(content - parent_indent, indent - parent_indent)] += 1
        prev = indent
    mapping = min(steps) if steps else 2
    if not styles:
        return mapping, mapping + 2, mapping
    (sequence, offset), _ = styles.most_common(1)[0]
    return mapping, sequence, offset


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, sequence, offset = _indentation(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _put(node: Any, key: str, value: Any, after: tuple[str, ...] = (), before: str = "",
         replacing: tuple[str, ...] = ()) -> None:
    """Set ``key``: in place when present, else where a replaced key was, else right after one of
    ``after`` (or before ``before``). Inserting inside the mapping, not at its end, keeps the blank
    lines and comments that trail the mapping where they were."""
    keys = list(node)
    position = None
    for old in replacing:
        if old in node:
            position = keys.index(old) if position is None else min(position, keys.index(old))
    for old in replacing:
        if old in node:
            del node[old]
    if key in node:
        node[key] = value
        return
    keys = list(node)
    if position is None:
        anchor = next((k for k in after if k in node), None)
        if anchor is not None:
            position = keys.index(anchor) + 1
        elif before and before in node:
            position = keys.index(before)
    if position is None or not hasattr(node, "insert"):
        node[key] = value
    else:
        node.insert(position, key, value)


def _keep_anchors(node: Any, depth: int = 0) -> None:
    """ruamel drops anchors nothing refers to; the file had them, so keep them."""
    if depth > 200:
        return
    anchor = getattr(node, "anchor", None)
    if anchor is not None and getattr(anchor, "value", None):
        anchor.always_dump = True
    if isinstance(node, Mapping):
        for value in node.values():
            _keep_anchors(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _keep_anchors(value, depth + 1)


def _dump(yaml: Any, data: Any) -> str:
    _keep_anchors(data)
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


# ---- serverless --------------------------------------------------------------------------------


def _fix_serverless(path: Path, results: list[FunctionIam], fix: FixResult, rel: str) -> None:
    text = path.read_text(encoding="utf-8")
    yaml = _yaml(text)
    data = yaml.load(text)
    functions = data.get("functions") if isinstance(data, Mapping) else None
    done = []
    for fi in results:
        key = fi.function.id
        if not isinstance(functions, Mapping) or not isinstance(functions.get(key), Mapping):
            fix.skipped.append(f"{key}: not defined in {rel} itself")
            continue
        body = functions[key]
        _put(body, "iamRoleStatements", _tagged(cfn_statements(framework_requirements(fi, "serverless"))),
             after=("handler", "image"), replacing=("role", "iamRoleStatementsInherit", "iamManagedPolicies"))
        done.append(key)
    if done:
        plugins = data.get("plugins")
        if plugins is None:
            _put(data, "plugins", _tagged([PLUGIN]), before="functions")
        elif isinstance(plugins, list) and PLUGIN not in plugins:
            plugins.append(PLUGIN)
        elif isinstance(plugins, Mapping) and isinstance(plugins.get("modules"), list) \
                and PLUGIN not in plugins["modules"]:
            plugins["modules"].append(PLUGIN)
    fix.files.append(FileFix(path, text, _dump(yaml, data) if done else text, done))


# ---- SAM -----------------------------------------------------------------------------------------


def _sam_apply(resources: Any, app: Application, fi: FunctionIam, tag: bool) -> bool:
    node = resources.get(fi.function.id) if isinstance(resources, Mapping) else None
    if not isinstance(node, Mapping) or node.get("Type") != "AWS::Serverless::Function":
        return False
    props = node.get("Properties")
    if props is None:
        props = {} if not tag else _tagged({})
        node["Properties"] = props  # type: ignore[index]  # a mutable mapping loaded from the file
    policies = sam_policies(app, framework_requirements(fi, "sam"))
    _put(props, "Policies", _tagged(policies) if tag else policies, after=("Handler", "CodeUri"), replacing=("Role",))
    return True


def _fix_sam(path: Path, app: Application, results: list[FunctionIam], fix: FixResult, rel: str) -> None:
    text = path.read_text(encoding="utf-8")
    done: list[str] = []
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        for fi in results:
            if _sam_apply(data.get("Resources"), app, fi, tag=False):
                done.append(fi.function.id)
            else:
                fix.skipped.append(f"{fi.function.id}: not an AWS::Serverless::Function of {rel}")
        m = re.search(r"^\{\s*\n([ \t]+)", text)
        indent = len(m.group(1)) if m else 2
        after = json.dumps(data, indent=indent) + ("\n" if text.endswith("\n") else "") if done else text
    else:
        yaml = _yaml(text)
        data = yaml.load(text)
        for fi in results:
            if _sam_apply(data.get("Resources"), app, fi, tag=True):
                done.append(fi.function.id)
            else:
                fix.skipped.append(f"{fi.function.id}: not an AWS::Serverless::Function of {rel}")
        after = _dump(yaml, data) if done else text
    fix.files.append(FileFix(path, text, after, done))


# ---- driver ------------------------------------------------------------------------------------


def plan(target: Path, options: LoadOptions | None = None) -> FixResult:
    """Compute the rewrites for every serverless.yml / SAM template under ``target`` (nothing written)."""
    root = target if target.is_dir() else target.parent
    loaded = load_tree(root, options or LoadOptions())
    fix = FixResult(root=root)
    for app in loaded.applications:
        if app.source_kind not in ("serverless", "sam"):
            continue
        results = []
        for fi in analyse_app(app, root):
            if not fi.code_analysed or fi.confidence == "low":
                fix.skipped.append(f"{fi.function.id}: code not analysed with confidence "
                                   f"({'; '.join(fi.notes) or fi.confidence})")
                continue
            results.append(fi)
        by_file: dict[str, list[FunctionIam]] = {}
        for fi in results:
            by_file.setdefault(fi.function.location.file, []).append(fi)
        for rel, group in sorted(by_file.items()):
            path = root / rel
            if target.is_file() and path.resolve() != target.resolve():
                continue
            try:
                if app.source_kind == "serverless":
                    _fix_serverless(path, group, fix, rel)
                else:
                    _fix_sam(path, app, group, fix, rel)
            except (OSError, ValueError) as exc:
                fix.skipped.extend(f"{fi.function.id}: {rel} could not be rewritten ({exc})" for fi in group)
            except Exception as exc:  # ruamel errors on unusual YAML: report, never traceback
                fix.skipped.extend(f"{fi.function.id}: {rel} could not be rewritten ({type(exc).__name__}: {exc})"
                                   for fi in group)
    return fix


def apply(fix: FixResult) -> list[Path]:
    written = []
    for f in fix.files:
        if f.changed:
            f.path.write_text(f.after, encoding="utf-8")
            written.append(f.path)
    return written
