#!/usr/bin/env python3
"""Benchmark: faasguard scan vs Checkov on the shared IaC corpus, in the same run.

    python bench/scan_vs_checkov.py            # corpus + synthetic curve (installs Checkov once)
    python bench/scan_vs_checkov.py --no-checkov --sizes 100,1000

Checkov is installed into bench/.venv-checkov (not a project dependency). Both tools scan the same
directory; we print files, functions, wall time, peak RSS, findings and the ratio, then the
faasguard time for a synthetic serverless.yml of 100 / 1,000 / 10,000 functions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "iac"
CHECKOV_VENV = REPO / "bench" / ".venv-checkov"
FAASGUARD = [sys.executable, "-m", "faasguard"]


def measure(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds and peak RSS (MiB) of a command and its children, measured in a fresh
    wrapper process so earlier runs don't count."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'wall': wall, 'rss': rss, 'rc': p.returncode, 'err': p.stderr[-2000:]}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, cwd=cwd)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return data["wall"], data["rss"], subprocess.CompletedProcess(cmd, data["rc"], "", data["err"])


def ensure_checkov() -> Path | None:
    exe = CHECKOV_VENV / "bin" / "checkov"
    if exe.exists():
        return exe
    print("installing Checkov into bench/.venv-checkov (once)...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run([str(CHECKOV_VENV / "bin" / "pip"), "install", "-q", "checkov"], check=True)
    except subprocess.CalledProcessError as exc:
        print(f"could not install Checkov: {exc}")
        return None
    return exe if exe.exists() else None


def count_files(root: Path, suffixes: tuple[str, ...]) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file() and p.name.endswith(suffixes))


def run_faasguard(target: Path, out: Path, extra: list[str] | None = None) -> dict[str, object]:
    cmd = [*FAASGUARD, "scan", str(target), "-o", "json", "--output-file", str(out), "--soft-fail", "-q",
           *(extra or [])]
    wall, rss, proc = measure(cmd)
    report = json.loads(out.read_text()) if out.exists() else {}
    return {"wall": wall, "rss": rss, "rc": proc.returncode, "findings": len(report.get("findings", [])),
            "functions": len(report.get("functions", [])), "errors": len(report.get("errors", [])),
            "stderr": proc.stderr}


def run_checkov(exe: Path, target: Path, frameworks: list[str], outdir: Path) -> dict[str, object]:
    cmd = [str(exe), "-d", str(target), "--framework", *frameworks, "-o", "json", "--output-file-path",
           str(outdir), "--quiet", "--compact", "--soft-fail", "--skip-download"]
    wall, rss, proc = measure(cmd)
    findings = 0
    for result_file in outdir.glob("*.json"):
        try:
            data = json.loads(result_file.read_text())
        except json.JSONDecodeError:
            continue
        for block in data if isinstance(data, list) else [data]:
            findings += len(block.get("results", {}).get("failed_checks", []))
    return {"wall": wall, "rss": rss, "rc": proc.returncode, "findings": findings, "stderr": proc.stderr}


def stage_terraform(corpus: Path, dest: Path) -> Path:
    """Copy the corpus's Terraform projects (each source's directory holding .tf files, with the
    code beside them) into ``dest``: a Terraform-only tree for both tools."""
    import shutil

    projects: set[Path] = set()
    for tf in corpus.rglob("*.tf"):
        parts = tf.relative_to(corpus).parts
        projects.add(Path(*parts[:1]) if len(parts) <= 2 else Path(*parts[:2]))
    tops = {p for p in projects if not any(q != p and q in p.parents for q in projects)}
    skip = shutil.ignore_patterns("node_modules", ".terraform", ".git", "*.zip")
    for project in sorted(tops):
        shutil.copytree(corpus / project, dest / project, ignore=skip, symlinks=True)
    return dest


def checkov_crashers(corpus: Path) -> list[str]:
    """Templates with a resource whose Type is not a string: Checkov's registry lookup raises on
    them (TypeError: unhashable type) and the whole run stops."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    found = []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.suffix not in (".yml", ".yaml", ".json", ".template"):
            continue
        try:
            data = yaml.load(path.read_text(errors="replace"), Loader=Loader)  # noqa: S506 - SafeLoader subclass
        except Exception:
            continue
        resources = data.get("Resources") if isinstance(data, dict) else None
        if isinstance(resources, dict) and any(isinstance(r, dict) and "Type" in r and not isinstance(r["Type"], str)
                                               for r in resources.values()):
            found.append(path.relative_to(corpus).as_posix())
    return found


def stage_without(corpus: Path, dest: Path, excluded: list[str]) -> None:
    import shutil

    skip = {corpus / e for e in excluded}
    shutil.copytree(corpus, dest, symlinks=True,
                    ignore=lambda d, names: [n for n in names if Path(d) / n in skip])


def synthetic_app(path: Path, functions: int) -> None:
    lines = ["service: synthetic", "provider:", "  name: aws", "  runtime: python3.12",
             "  environment:", "    TABLE: ${self:service}-table", "functions:"]
    for i in range(functions):
        lines += [f"  fn{i}:", f"    handler: handler.fn{i}", "    timeout: 60", "    events:",
                  "      - httpApi:", "          method: GET", f"          path: /items/{i}"]
        if i % 3 == 0:
            lines += ["      - sqs:", f"          arn: arn:aws:sqs:us-east-1:123456789012:q{i}"]
    path.mkdir(parents=True, exist_ok=True)
    (path / "serverless.yml").write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--terraform", action="store_true", help="also compare Checkov's terraform framework")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus} (needs ../shared beside the repo)")
        return 1
    print(f"faasguard vs Checkov on {args.corpus}  (machine: {os.cpu_count()} cores)\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        n_files = count_files(args.corpus, (".yml", ".yaml", ".json", ".template"))
        # the same frameworks Checkov is asked for, so both read the same files
        fg = run_faasguard(args.corpus, tmpdir / "fg.json", ["--framework", "serverless,cloudformation"])
        rows.append(("faasguard (serverless,cloudformation)", n_files, fg))
        checkov = None if args.no_checkov else ensure_checkov()
        if checkov:
            ck = run_checkov(checkov, args.corpus, ["serverless", "cloudformation"], tmpdir / "ck")
            rows.append(("checkov (serverless,cloudformation)", n_files, ck))
            if ck["rc"] not in (0, 1):
                # Checkov stops on some hostile inputs (e.g. a resource whose Type is a mapping) and
                # reports nothing; compare again on a copy without those files, for both tools.
                crashers = checkov_crashers(args.corpus)
                print(f"note: Checkov exited {ck['rc']} on the full corpus with no results "
                      f"({str(ck['stderr']).strip().splitlines()[-1] if ck['stderr'] else 'no message'}); "
                      f"faasguard reported those files in its errors and went on.\n"
                      f"      Re-running both without {len(crashers)} file(s): {', '.join(crashers)}\n")
                clean = tmpdir / "corpus-clean"
                stage_without(args.corpus, clean, crashers)
                rows.append(("faasguard (same, without crashers)", n_files - len(crashers),
                             run_faasguard(clean, tmpdir / "fg-clean.json",
                                           ["--framework", "serverless,cloudformation"])))
                rows.append(("checkov (same, without crashers)", n_files - len(crashers),
                             run_checkov(checkov, clean, ["serverless", "cloudformation"], tmpdir / "ck-clean")))
        if args.terraform:
            # the Terraform projects only (copied with their code), so both tools read the same files
            tf_root = stage_terraform(args.corpus, tmpdir / "terraform")
            n_tf = count_files(tf_root, (".tf",))
            rows.append(("faasguard (terraform projects)", n_tf, run_faasguard(tf_root, tmpdir / "fg-tf.json",
                                                                                    ["--framework", "terraform"])))
            if checkov:
                rows.append(("checkov (terraform)", n_tf, run_checkov(checkov, tf_root, ["terraform"],
                                                                     tmpdir / "ck-tf")))
        print(f"{'tool':38} {'files':>6} {'functions':>9} {'wall s':>8} {'peak MiB':>9} {'findings':>9} "
              f"{'errors':>7}")
        for name, files, r in rows:
            print(f"{name:38} {files:>6} {r.get('functions', '-')!s:>9} {r['wall']:>8.2f} {r['rss']:>9.0f} "
                  f"{r['findings']:>9} {r.get('errors', '-')!s:>7}")
        by_name = {name: r for name, _, r in rows}
        pairs = [("faasguard (serverless,cloudformation)", "checkov (serverless,cloudformation)", "this corpus"),
                 ("faasguard (same, without crashers)", "checkov (same, without crashers)",
                  "the corpus without the files Checkov crashes on"),
                 ("faasguard (terraform projects)", "checkov (terraform)", "the Terraform projects")]
        for ours, theirs, what in pairs:
            if ours in by_name and theirs in by_name and by_name[theirs]["rc"] in (0, 1):
                ratio = by_name[theirs]["wall"] / max(by_name[ours]["wall"], 1e-9)  # type: ignore[operator]
                print(f"\nfaasguard is {ratio:.1f}x faster than Checkov on {what} (target: >= 10x)")
        if fg["rc"] not in (0, 1):
            print(f"\nfaasguard exited {fg['rc']}: {fg['stderr']}")

        print("\nsynthetic serverless.yml (httpApi + sqs events), faasguard only:")
        print(f"{'functions':>10} {'wall s':>8} {'peak MiB':>9} {'s / 1k fn':>10} {'findings':>9}")
        for size in [int(s) for s in args.sizes.split(",") if s]:
            app = tmpdir / f"synthetic-{size}"
            synthetic_app(app, size)
            r = run_faasguard(app, tmpdir / f"syn-{size}.json")
            per_k = r["wall"] / size * 1000  # type: ignore[operator]
            print(f"{size:>10} {r['wall']:>8.2f} {r['rss']:>9.0f} {per_k:>10.3f} {r['findings']:>9}")
        print("target: 10,000 functions in under 30 s, cost growing linearly (s / 1k fn roughly constant)")
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    raise SystemExit(main())
