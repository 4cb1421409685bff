"""Per function: needed (code + platform), granted, the diff and the least-privilege policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard.analyzers.iam import actiondb, arns, needed
from faasguard.analyzers.iam.diff import Diff, compare
from faasguard.analyzers.iam.granted import Granted, granted
from faasguard.analyzers.iam.platform import platform_needs
from faasguard.analyzers.iam.requirement import Requirement
from faasguard.model import Application, Function, TriggerKind

_ARCHIVES = (".zip", ".jar", ".tar", ".gz", ".whl")


@dataclass
class FunctionIam:
    function: Function
    role_id: str | None
    confidence: str
    notes: list[str]
    needed: list[Requirement]
    granted: Granted
    diff: Diff
    policy: dict[str, Any]
    code_analysed: bool
    files: list[str] = field(default_factory=list)

    @property
    def code_needs(self) -> list[Requirement]:
        return [r for r in self.needed if r.origin == "code"]


def code_roots(app: Application, fn: Function, scan_root: Path) -> tuple[Path, ...]:
    if fn.code_path in (None, "") and fn.source_kind in ("sam", "cloudformation", "terraform"):
        return ()  # inline, S3 or image code, or a CodeUri that is not in the tree
    rel = fn.code_path if fn.code_path not in (None, "") else app.root
    base = (scan_root / (rel or ".")).resolve()
    if not base.exists() or (base.is_file() and base.suffix.lower() in _ARCHIVES):
        return ()
    if base.is_file():
        base = base.parent
    roots = [base]
    if (base / "src").is_dir():
        roots.append(base / "src")
    return tuple(roots)


def _part(action: str, target: arns.Target, index: bool) -> str | None:
    """Which ARN of the target an action applies to; None when it takes only "*"."""
    info = actiondb.lookup(action)
    if info is None or not info.resource_types:
        return None
    types = set(info.resource_types)
    if action.startswith("s3:"):
        return "" if "bucket" in types else "object" if "object" in types else None
    if action.startswith("dynamodb:"):
        if index and "index" in types:
            return "index"
        if "table" in types:
            return ""
        if "stream" in types:
            return "stream"
        return None
    return ""


def _event_target(app: Application, fn: Function, prefix: str, path: str) -> arns.Target | None:
    """A name read from the event is the trigger's resource when the function has exactly one
    trigger of that service and the path names it (``Records[].s3.bucket.name``)."""
    kinds = {"s3": TriggerKind.S3, "sqs": TriggerKind.SQS, "sns": TriggerKind.SNS,
             "dynamodb": TriggerKind.DYNAMODB_STREAM, "kinesis": TriggerKind.KINESIS}
    kind = kinds.get(prefix)
    if kind is None or (prefix == "s3" and ".bucket." not in f"{path}."):
        return None
    triggers = list(fn.triggers_of(kind))
    if len(triggers) != 1:
        return None
    trig = triggers[0]
    target = arns.target_of_value(app, trig.source) if trig.source is not None else None
    if target is None and trig.source_id and app.resource(trig.source_id) is not None:
        res = app.resource(trig.source_id)
        assert res is not None
        target = arns.Target(res.kind, res.id, arns.literal_name(res))
    return target


def resolve(app: Application, fn: Function, need: needed.Need) -> Requirement:
    prefix = need.action.partition(":")[0]
    hint = need.hint
    note = ""
    target: arns.Target | None = None
    if hint.kind == "env":
        value = fn.environment.get(hint.value)
        if value is None:
            note = f"environment variable {hint.value} is not set in the template"
        else:
            target = arns.target_of_value(app, value, prefix)
            if target is None:
                note = f"{hint.value} = {value} does not name a resource of the application"
    elif hint.kind == "literal":
        target = arns.target_of_text(app, hint.value, prefix)
    elif hint.kind == "event":
        target = _event_target(app, fn, prefix, hint.value)
        if target is None:
            note = f"resource name read from the event ({hint.value.strip('.')})"
    else:
        note = "resource name not known statically"
    resource = "*"
    if target is not None and prefix == "lambda" and not target.is_function and target.kind is None:
        # a function of another stack, by ARN (kept as written, qualifier included) or by name
        if ":function:" in target.arn:
            target = arns.Target(None, arn=target.arn, is_function=True)
        elif target.name and not target.arn:
            target = arns.Target(None, name=target.name, is_function=True)
    if target is not None:
        part = _part(need.action, target, need.index)
        want = arns.kind_for_service(prefix)
        fits = target.is_function == (prefix == "lambda") and (target.is_function or target.kind is None or
                                                                 want is None or target.kind is want)
        if part is not None and fits:
            resource = arns.sub_text(app, target, part)
        elif part is not None:
            what = target.kind.value if target.kind else "function"
            note = f"{need.hint.value} names a {what}, not a {prefix} resource"
    return Requirement(need.action, resource, need.reason, "code", need.file, need.line, note)


def policy_document(reqs: list[Requirement]) -> dict[str, Any]:
    """Least-privilege policy: actions grouped by identical resource sets, sorted for stable output."""
    by_action: dict[str, set[str]] = {}
    for r in reqs:
        by_action.setdefault(r.action, set()).add(r.resource)
    for action, resources in by_action.items():
        if "*" in resources:
            by_action[action] = {"*"}
    groups: dict[tuple[str, ...], list[str]] = {}
    for action, resources in by_action.items():
        groups.setdefault(tuple(sorted(resources)), []).append(action)
    statements = [{"Effect": "Allow", "Action": sorted(actions, key=str.lower), "Resource": list(resources)}
                  for resources, actions in groups.items()]
    statements.sort(key=lambda s: (s["Action"][0].lower(), s["Resource"]))
    return {"Version": "2012-10-17", "Statement": statements}


def _dedupe(reqs: list[Requirement]) -> list[Requirement]:
    seen: dict[tuple[str, str], Requirement] = {}
    for r in reqs:
        seen.setdefault((r.action.lower(), r.resource), r)
    return list(seen.values())


def analyse_function(app: Application, fn: Function, scan_root: Path) -> FunctionIam:
    notes: list[str] = []
    confidence = "high"
    reqs: list[Requirement] = []
    files: list[str] = []
    code_analysed = False
    language = fn.language
    if language == "python":
        roots = code_roots(app, fn, scan_root)
        if roots:
            result = needed.analyse(roots, scan_root, fn.handler)
            code_analysed = bool(result.files)
            confidence = result.confidence
            notes.extend(result.notes)
            files = result.files
            reqs.extend(resolve(app, fn, n) for n in result.needs)
        else:
            confidence = "low"
            notes.append("the function's code is not in the scanned tree")
    else:
        confidence = "low"
        notes.append(f"code needs are analysed for Python only (runtime {fn.runtime or 'not set'})")
    reqs.extend(platform_needs(app, fn))
    reqs = _dedupe(reqs)
    grants = granted(app, fn)
    if grants.unknown:
        notes.append("contents unknown for managed policies: " + ", ".join(grants.unknown))
    diff = compare(app, reqs, grants)
    return FunctionIam(fn, fn.role_id, confidence, notes, reqs, grants, diff, policy_document(reqs),
                       code_analysed, files)


def analyse_app(app: Application, scan_root: Path) -> list[FunctionIam]:
    return [analyse_function(app, fn, scan_root) for fn in app.functions]
