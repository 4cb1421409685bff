#!/usr/bin/env python
"""faasguard's code analysis vs Bandit and Semgrep on our labelled fixtures, in one run.

Ground truth: the `# expect: FG-CODE-0xx / 1xx` markers in tests/fixtures/code/{matrix,cases,resolve,
apps}; every other line of those files is a negative (many are tempting-but-safe on purpose).
Each tool's findings are mapped to the same sink classes (command, sql, ssrf, ...). A report is a
true positive when its (file, line, class) is labelled, "misclassified" when the line is labelled
with another class, a false positive when the line carries no label at all.

Bandit and Semgrep are installed by this script into bench/.venv-code (never project
dependencies). Semgrep runs our rule file bench/semgrep/taint-rules.yaml. All three tools run as
fresh processes on a copy of the fixtures (Semgrep skips paths under tests/ by default), and wall
time includes each tool's start-up.

    .venv/bin/python bench/code_vs_peers.py [--no-install] [--repeat N]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "code"
DIRS = ("matrix", "cases", "resolve", "apps")
VENV = REPO / "bench" / ".venv-code"
SEMGREP_RULES = REPO / "bench" / "semgrep" / "taint-rules.yaml"
MARK = re.compile(r"#\s*expect:\s*(?P<ids>FG-[A-Z]+-\d+(?:\s*,\s*FG-[A-Z]+-\d+)*)")

CLASS_OF_RULE = {
    "FG-CODE-001": "command", "FG-CODE-002": "code", "FG-CODE-003": "sql", "FG-CODE-004": "nosql",
    "FG-CODE-005": "deserialization", "FG-CODE-006": "ssrf", "FG-CODE-007": "path", "FG-CODE-008": "xxe",
    "FG-CODE-009": "template", "FG-CODE-010": "redirect", "FG-CODE-011": "header", "FG-CODE-012": "regex",
    "FG-CODE-013": "error", "FG-CODE-014": "sensitive_log", "FG-CODE-015": "log",
    "FG-CODE-101": "tls", "FG-CODE-102": "timeout", "FG-CODE-103": "hardcoded_key", "FG-CODE-104": "weak_hash",
    "FG-CODE-105": "tmp_file", "FG-CODE-106": "weak_random",
}
# Bandit test id -> class (import-time blacklist checks B4xx report import lines, not sinks: left out)
BANDIT_CLASS = {
    **dict.fromkeys(("B601", "B602", "B603", "B604", "B605", "B606", "B607", "B609"), "command"),
    **dict.fromkeys(("B102", "B307"), "code"),
    "B608": "sql", "B610": "sql", "B611": "sql",
    **dict.fromkeys(("B301", "B302", "B506", "B614"), "deserialization"),
    "B310": "ssrf",
    **dict.fromkeys(("B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320"), "xxe"),
    **dict.fromkeys(("B701", "B702", "B704"), "template"),
    **dict.fromkeys(("B501", "B323", "B502", "B503", "B504"), "tls"),
    "B113": "timeout",
    **dict.fromkeys(("B105", "B106", "B107"), "hardcoded_key"),
    **dict.fromkeys(("B303", "B324"), "weak_hash"),
    **dict.fromkeys(("B108", "B306"), "tmp_file"),
    "B311": "weak_random",
}
# Classes each peer has at least one rule for (the rest are counted, and shown, as misses).
BANDIT_COVERS = frozenset(BANDIT_CLASS.values())
SEMGREP_COVERS = frozenset({"command", "code", "sql", "nosql", "deserialization", "ssrf", "path", "xxe", "template",
                            "redirect", "header", "regex", "log", "tls", "timeout", "hardcoded_key", "weak_hash",
                            "tmp_file", "weak_random"})

Triple = tuple[str, int, str]  # file (relative), line, class


# -- ground truth ---------------------------------------------------------------------------------
def truth(root: Path) -> set[Triple]:
    out: set[Triple] = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = MARK.search(line)
            if m:
                for rule in (r.strip() for r in m.group("ids").split(",")):
                    if rule in CLASS_OF_RULE:
                        out.add((rel, lineno, CLASS_OF_RULE[rule]))
    return out


# -- faasguard (runs in a child process: python code_vs_peers.py --faasguard-only DIR) -----------
def _handlers(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.args.args
            and n.args.args[0].arg == "event"]


def faasguard_only(root: Path) -> list[Triple]:
    from faasguard.analyzers.base import ScanContext
    from faasguard.analyzers.code import CodeAnalyzer
    from faasguard.loaders import LoadOptions, load_tree
    from faasguard.loaders.trust import default_trust
    from faasguard.model import Application, Finding, Function, Location, Trigger, TriggerKind
    from faasguard.suppress import Suppressor

    def fn(fid: str, handler: str, code: str, kind: str) -> Function:
        tk = TriggerKind(kind)
        return Function(fid, fid, Location("bench.yaml", 1), runtime="python3.12", handler=handler, code_path=code,
                        triggers=(Trigger(tk, default_trust(tk), Location("bench.yaml", 2)),))

    functions: list[Function] = []
    cases = json.loads((root / "matrix" / "cases.json").read_text())
    for module, case in sorted(cases.items()):
        functions += [fn(f"m.{module}.{h}", f"{module}.{h}", "matrix", case["trigger"]) for h in case["handlers"]]
    special = {"s3_bucket_name": "s3", "scheduled": "schedule"}
    for path in sorted((root / "cases").glob("*.py")):
        kind = "sqs" if path.stem == "second_order" else "http_api"
        functions += [fn(f"c.{path.stem}.{h}", f"{path.stem}.{h}", "cases", special.get(h, kind))
                      for h in _handlers(path)]
    functions += [fn("r.main", "pkg.handler.main", "resolve/srclayout", "http_api"),
                  fn("r.other", "pkg/handler.other", "resolve/srclayout", "http_api"),
                  fn("r.reexport", "handler.handler", "resolve/reexport", "function_url")]
    app = Application("bench", "sam", ".", ("bench.yaml",), Location("bench.yaml", 1), functions=tuple(functions))
    findings: list[Finding] = [x for x in CodeAnalyzer().analyze(app, ScanContext(root=root))
                               if isinstance(x, Finding)]
    kept, _ = Suppressor(root, [app]).apply(findings)
    out = {(f.location.file, f.location.line, CLASS_OF_RULE[f.rule_id]) for f in kept
           if f.location and f.rule_id in CLASS_OF_RULE}
    for name in ("sls_app", "sam_app"):  # the tiny apps: the real loaders, then the code analyzer
        app_root = (root / "apps" / name).resolve()
        loaded = load_tree(app_root, LoadOptions())
        ctx = ScanContext(root=app_root)
        for loaded_app in loaded.applications:
            found = [x for x in CodeAnalyzer().analyze(loaded_app, ctx) if isinstance(x, Finding)]
            kept, _ = Suppressor(app_root, [loaded_app]).apply(found)
            out |= {(f"apps/{name}/{f.location.file}", f.location.line, CLASS_OF_RULE[f.rule_id])
                    for f in kept if f.location and f.rule_id in CLASS_OF_RULE}
    return sorted(out)


def run_faasguard(root: Path) -> tuple[set[Triple], float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--faasguard-only", str(root)],
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        return set(), elapsed, f"failed: {proc.stderr.strip()[-300:]}"
    return {(f, int(line), c) for f, line, c in json.loads(proc.stdout)}, elapsed, ""


# -- peers ----------------------------------------------------------------------------------------
def ensure_peers(install: bool) -> dict[str, str]:
    """Paths of the bandit and semgrep executables, or why one is missing."""
    bindir = VENV / "bin"
    status: dict[str, str] = {}
    if install and not ((bindir / "bandit").exists() and (bindir / "semgrep").exists()):
        if not (bindir / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False, capture_output=True)
            (VENV / ".gitignore").write_text("*\n")  # never committed
        for package in ("bandit", "semgrep"):
            if not (bindir / package).exists():
                proc = subprocess.run([str(bindir / "pip"), "install", "-q", package], capture_output=True, text=True,
                                      check=False)
                if proc.returncode != 0:
                    status[package] = ("could not be installed from PyPI (offline?): "
                                       + proc.stderr.strip().splitlines()[-1][:200] if proc.stderr.strip() else "")
    for tool in ("bandit", "semgrep"):
        if tool not in status and not (bindir / tool).exists():
            status[tool] = "not installed (run without --no-install)"
    return status


def run_bandit(root: Path) -> tuple[set[Triple], float, str]:
    started = time.perf_counter()
    proc = subprocess.run([str(VENV / "bin" / "bandit"), "-r", str(root), "-f", "json", "-q"], capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - started
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return set(), elapsed, f"failed: {proc.stderr.strip()[-300:]}"
    out = set()
    for r in data.get("results", []):
        cls = BANDIT_CLASS.get(r["test_id"])
        if cls:
            out.add((Path(r["filename"]).resolve().relative_to(root).as_posix(), int(r["line_number"]), cls))
    return out, elapsed, ""


def run_semgrep(root: Path) -> tuple[set[Triple], float, str]:
    env = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
    started = time.perf_counter()
    proc = subprocess.run([str(VENV / "bin" / "semgrep"), "--config", str(SEMGREP_RULES), "--json", "--metrics=off",
                           "--quiet", "--disable-version-check", str(root)], capture_output=True, text=True,
                          check=False, env=env, cwd=root)
    elapsed = time.perf_counter() - started
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return set(), elapsed, f"failed: {proc.stderr.strip()[-300:]}"
    out = set()
    for r in data.get("results", []):
        cls = r.get("extra", {}).get("metadata", {}).get("faasguard_class")
        if cls:
            out.add((Path(root, r["path"]).resolve().relative_to(root).as_posix(), int(r["start"]["line"]), cls))
    return out, elapsed, ""


# -- scoring --------------------------------------------------------------------------------------
def score(found: set[Triple], expected: set[Triple]) -> dict[str, object]:
    labelled_lines = {(f, line) for f, line, _ in expected}
    tp = found & expected
    wrong_class = {t for t in found - expected if (t[0], t[1]) in labelled_lines}
    fp = {t for t in found - expected if (t[0], t[1]) not in labelled_lines}
    return {"tp": tp, "missed": expected - found, "fp": fp, "misclassified": wrong_class}


def _fmt_row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-install", action="store_true", help="do not pip-install bandit/semgrep")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool; the best wall time is kept")
    parser.add_argument("--show", type=int, default=8, help="list up to N misses/false positives per tool")
    parser.add_argument("--faasguard-only", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.faasguard_only:
        print(json.dumps(faasguard_only(Path(args.faasguard_only))))
        return 0

    status = ensure_peers(install=not args.no_install)
    work = Path(tempfile.mkdtemp(prefix="faasguard-bench-")) / "fixtures"
    work.mkdir(parents=True)
    for d in DIRS:
        shutil.copytree(FIXTURES / d, work / d)
    for junk in work.rglob("*.zip"):
        junk.unlink()
    root = work.resolve()
    expected = truth(root)
    runners = {"faasguard": run_faasguard, "bandit": run_bandit, "semgrep": run_semgrep}
    covers = {"faasguard": frozenset(CLASS_OF_RULE.values()), "bandit": BANDIT_COVERS, "semgrep": SEMGREP_COVERS}
    results: dict[str, tuple[set[Triple], float]] = {}
    cpu_times: dict[str, float] = {}
    notes: list[str] = []
    for name, runner in runners.items():
        if name in status:
            notes.append(f"{name}: {status[name]}")
            continue
        best: tuple[set[Triple], float, str] | None = None
        for _ in range(max(1, args.repeat)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            found, elapsed, problem = runner(root)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if best is None or elapsed < best[1]:
                best = (found, elapsed, problem)
                cpu_times[name] = cpu
        assert best is not None
        if best[2]:
            notes.append(f"{name}: {best[2]}")
        results[name] = (best[0], best[1])

    files = len(list(root.rglob("*.py")))
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in root.rglob("*.py"))
    print(f"Labelled fixtures: {files} Python files, {lines} lines, {len(expected)} labelled findings in "
          f"{len({c for _, _, c in expected})} classes (tests/fixtures/code/{{{','.join(DIRS)}}})\n")
    header = ["tool", "labelled", "TP", "missed", "FP", "misclass.", "recall", "precision", "wall s", "cpu s"]
    widths = [10, 8, 5, 6, 4, 9, 7, 9, 7, 6]
    print(_fmt_row(header, widths))
    print("  ".join("-" * w for w in widths))
    for name, (found, elapsed) in results.items():
        s = score(found, expected)
        tp, fp, mis = len(s["tp"]), len(s["fp"]), len(s["misclassified"])  # type: ignore[arg-type]
        recall = tp / len(expected) if expected else 0.0
        precision = tp / (tp + fp + mis) if tp + fp + mis else 1.0
        print(_fmt_row([name, str(len(expected)), str(tp), str(len(s["missed"])), str(fp), str(mis),  # type: ignore
                        f"{recall:.1%}", f"{precision:.1%}", f"{elapsed:.2f}", f"{cpu_times.get(name, 0):.2f}"],
                       widths))
    print("\nRecall on the classes each tool has a rule for:")
    for name, (found, _) in results.items():
        scoped = {t for t in expected if t[2] in covers[name]}
        tp = len(found & scoped)
        print(f"  {name:10} {tp}/{len(scoped)} = {tp / len(scoped) if scoped else 0:.1%}  "
              f"(no rule for: {', '.join(sorted({c for _, _, c in expected} - covers[name])) or '-'})")

    classes = sorted({c for _, _, c in expected} | {c for f, _ in results.values() for _, _, c in f})
    print("\nPer class: TP/labelled (FP)")
    cw = [16] + [16] * len(results)
    print(_fmt_row(["class", *results.keys()], cw))
    for cls in classes:
        labelled = {t for t in expected if t[2] == cls}
        cells = [cls]
        for found, _ in results.values():
            s = score({t for t in found if t[2] == cls}, labelled)
            fp = {t for t in found if t[2] == cls and t not in expected}
            cells.append(f"{len(s['tp'])}/{len(labelled)} ({len(fp)})")  # type: ignore[arg-type]
        print(_fmt_row(cells, cw))

    if args.show:
        for name, (found, _) in results.items():
            s = score(found, expected)
            for label in ("missed", "fp", "misclassified"):
                items = sorted(s[label])  # type: ignore[call-overload]
                if items:
                    shown = ", ".join(f"{f}:{line} {c}" for f, line, c in items[: args.show])
                    more = f" (+{len(items) - args.show} more)" if len(items) > args.show else ""
                    print(f"  {name} {label}: {shown}{more}")
    for note in notes:
        print(f"\nNOTE {note}")
    by_tool = {name: elapsed for name, (_, elapsed) in results.items()}
    if "faasguard" in by_tool and "semgrep" in by_tool:
        print(f"\nfaasguard vs semgrep wall time: {by_tool['faasguard']:.2f} s vs {by_tool['semgrep']:.2f} s "
              f"({by_tool['semgrep'] / max(by_tool['faasguard'], 1e-6):.1f}x); CPU time "
              f"{cpu_times.get('faasguard', 0):.2f} s vs {cpu_times.get('semgrep', 0):.2f} s")
    shutil.rmtree(work.parent, ignore_errors=True)
    counts = Counter(c for _, _, c in expected)
    print("Labelled per class: " + ", ".join(f"{c} {n}" for c, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
