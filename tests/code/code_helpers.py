"""Hand-built model objects for driving the code analyzer without the loaders, and the
`# expect: RULE` markers the fixtures carry as ground truth."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from faasguard.analyzers.base import ScanContext
from faasguard.analyzers.code import CodeAnalyzer
from faasguard.loaders.trust import default_trust
from faasguard.model import (
    Application,
    Finding,
    Function,
    Location,
    Role,
    ScanError,
    Statement,
    Trigger,
    TriggerKind,
    Trust,
    Value,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "code"
MARK = re.compile(r"#\s*expect:\s*(?P<ids>FG-[A-Z]+-\d+(?:\s*,\s*FG-[A-Z]+-\d+)*)")
IAC = "template.yaml"


def trigger(kind: TriggerKind | str, trust: Trust | None = None, line: int = 10, **kw: object) -> Trigger:
    kind = TriggerKind(kind)
    return Trigger(kind, trust or default_trust(kind), Location(IAC, line), **kw)  # type: ignore[arg-type]


def function(fid: str, handler: str, code_path: str, triggers: Iterable[Trigger] = (), role_id: str | None = None,
             runtime: str = "python3.12", line: int = 5) -> Function:
    return Function(fid, fid, Location(IAC, line), runtime=runtime, handler=handler, code_path=code_path,
                    triggers=tuple(triggers), role_id=role_id, locations={"handler": Location(IAC, line + 1)})


def statement(line: int, *actions: str, resource: str = "*", effect: str = "Allow") -> Statement:
    return Statement(effect, Location(IAC, line), actions=actions, resources=(Value.of(resource),),
                     policy_name="AppPolicy")


def role(rid: str, *actions: str, resource: str = "*", line: int = 40, managed: tuple[str, ...] = (),
         statements: tuple[Statement, ...] = ()) -> Role:
    """A role with one Allow statement of ``actions`` at ``line`` (plus ``statements``), and
    ``managed`` policies attached at ``line + 5``."""
    from faasguard.model import ManagedPolicyRef

    own = (statement(line, *actions, resource=resource),) if actions else ()
    return Role(rid, Location(IAC, line - 2), statements=own + statements,
                managed_policies=tuple(ManagedPolicyRef(m, Location(IAC, line + 5)) for m in managed))


def application(functions: Iterable[Function], roles: Iterable[Role] = (), name: str = "app") -> Application:
    return Application(name, "sam", ".", (IAC,), Location(IAC, 1), functions=tuple(functions), roles=tuple(roles))


def run(app: Application, root: Path = FIXTURES, shared: dict | None = None) -> tuple[list[Finding], list[ScanError]]:
    ctx = ScanContext(root=root, shared=shared if shared is not None else {})
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for item in CodeAnalyzer().analyze(app, ctx):
        (errors if isinstance(item, ScanError) else findings).append(item)
    return findings, errors


def triples(findings: Iterable[Finding], prefix: str = "FG-CODE") -> set[tuple[str, str, int]]:
    return {(f.rule_id, f.location.file, f.location.line) for f in findings
            if f.location and f.rule_id.startswith(prefix)}


def expected(files: Iterable[Path], root: Path = FIXTURES, prefix: str = "FG-CODE") -> set[tuple[str, str, int]]:
    out = set()
    for path in files:
        rel = path.relative_to(root).as_posix()
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            m = MARK.search(line)
            if m:
                for rule in m.group("ids").split(","):
                    if rule.strip().startswith(prefix):
                        out.add((rule.strip(), rel, lineno))
    return out


def matrix_app() -> Application:
    cases = json.loads((FIXTURES / "matrix" / "cases.json").read_text())
    fns = []
    for module, case in sorted(cases.items()):
        for handler in case["handlers"]:
            fns.append(function(f"{module}__{handler}", f"{module}.{handler}", "matrix", [trigger(case["trigger"])]))
    return application(fns, name="matrix")
