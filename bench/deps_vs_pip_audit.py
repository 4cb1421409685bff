#!/usr/bin/env python3
"""Benchmark: faasguard's offline dependency audit vs pip-audit, and secret scanning vs detect-secrets.

    python bench/deps_vs_pip_audit.py                 # installs pip-audit + detect-secrets once
    python bench/deps_vs_pip_audit.py --no-install    # faasguard only (tools absent)

1. Dependencies: a requirements set with known vulnerable pins. faasguard builds its index from
   ../shared/data/pypa-advisory-db (offline) and scans a one-function project; pip-audit audits
   the same file (it asks the PyPI JSON API: it needs the network). Both are timed in the same run
   and their findings compared by package and advisory id (aliases merged).
2. Secrets: both tools scan the shared IaC corpus (timing, number of reports) and a tree with one
   planted, real-shaped fake secret per pattern (recall by file and line).

pip-audit and detect-secrets are installed into bench/.venv-deps, never as project dependencies.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PYPA = SHARED / "data" / "pypa-advisory-db"
CORPUS = SHARED / "corpus" / "iac"
VENV = REPO / "bench" / ".venv-deps"
FAASGUARD = [sys.executable, "-m", "faasguard"]

# Pins with published advisories in the PyPA database (2024-10 snapshot), plus clean controls.
REQUIREMENTS = """\
requests==2.19.1
PyYAML==5.3
Jinja2==2.10
urllib3==1.24.1
Django==2.2.0
Flask==0.12.2
Pillow==6.2.0
cryptography==2.3
PyJWT==1.5.0
lxml==4.6.2
paramiko==2.4.1
SQLAlchemy==1.2.0
Werkzeug==0.15.0
aiohttp==3.7.3
certifi==2019.11.28
six==1.16.0
attrs==23.2.0
"""


def run(cmd: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started, proc


def ensure_tools(install: bool) -> tuple[Path | None, Path | None]:
    pip_audit, detect = VENV / "bin" / "pip-audit", VENV / "bin" / "detect-secrets"
    if install and not (pip_audit.exists() and detect.exists()):
        print("installing pip-audit and detect-secrets into bench/.venv-deps (once)...", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "pip-audit", "detect-secrets"], check=True)
        except subprocess.CalledProcessError as exc:
            print(f"  could not install: {exc}")
    return (pip_audit if pip_audit.exists() else None, detect if detect.exists() else None)


def tool_version(exe: Path) -> str:
    _, proc = run([str(exe), "--version"])
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if (proc.stdout or proc.stderr) else "?"


# --- dependencies -------------------------------------------------------------------------------------

def bench_deps(work: Path, pip_audit: Path | None) -> None:
    print("\n== Dependencies: faasguard (offline, PyPA advisory folder) vs pip-audit ==")
    project = work / "app"
    project.mkdir()
    (project / "requirements.txt").write_text(REQUIREMENTS)
    (project / "handler.py").write_text("import requests\nimport yaml\n\ndef handler(event, context):\n    pass\n")
    (project / "serverless.yml").write_text("service: bench\nprovider:\n  name: aws\n  runtime: python3.12\n"
                                            "functions:\n  api:\n    handler: handler.handler\n")
    db = work / "vulndb"
    t_import, proc = run([*FAASGUARD, "db", "import", str(PYPA), "--vulndb", str(db)])
    if proc.returncode != 0:
        print(f"faasguard db import failed: {proc.stderr.strip()[:500]}")
        return
    print(f"faasguard db import ({PYPA.name}, once per CI run): {t_import:.2f} s  [{proc.stdout.splitlines()[0]}]")
    t_scan, proc = run([*FAASGUARD, "scan", str(project), "--vulndb", str(db), "--check", "FG-DEP", "-o", "json",
                        "--soft-fail"])
    report = json.loads(proc.stdout)
    ours: dict[tuple[str, str], set[str]] = {}
    reach: dict[tuple[str, str], str] = {}
    for f in report["findings"]:
        if f["rule_id"] != "FG-DEP-001":
            continue
        ev = f["evidence"]
        key = (ev["package"].lower(), ev["vulnerability"])
        ours[key] = {ev["vulnerability"], *ev["aliases"]}
        reach[key] = ev["reachability"]
    packages = {k[0] for k in ours}
    from faasguard.vulndb import VulnDB

    started = time.perf_counter()
    index = VulnDB.open(db)
    assert index is not None
    pins = [line.split("==") for line in REQUIREMENTS.splitlines()]
    found = sum(len(index.vulnerabilities("PyPI", name, version)) for name, version in pins)
    lookup_ms = (time.perf_counter() - started) * 1000
    print(f"faasguard index, in process: open + {len(pins)} lookups = {lookup_ms:.1f} ms ({found} vulnerabilities)")
    print(f"faasguard scan (1 function, {len(REQUIREMENTS.splitlines())} pins): {t_scan:.2f} s wall (process start "
          f"included) -> {len(ours)} vulnerabilities in {len(packages)} packages; "
          f"{sum(1 for r in reach.values() if r == 'imported')} imported by the handler")

    if pip_audit is None:
        print("pip-audit: not installed (run without --no-install)")
        return
    t_audit, proc = run([str(pip_audit), "-r", str(project / "requirements.txt"), "--no-deps", "--disable-pip",
                         "-f", "json", "--progress-spinner", "off"])
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        print(f"pip-audit could not run here (needs the network): {proc.stderr.strip()[-300:]}")
        return
    theirs: dict[tuple[str, str], set[str]] = {}
    skipped = [d for d in data.get("dependencies", []) if d.get("skip_reason")]
    for dep in data.get("dependencies", []):
        for v in dep.get("vulns", []):
            theirs[(dep["name"].lower(), v["id"])] = {v["id"], *v.get("aliases", [])}
    print(f"{tool_version(pip_audit)}: {t_audit:.2f} s wall, exit code {proc.returncode} -> {len(theirs)} "
          f"vulnerabilities in {len({k[0] for k in theirs})} packages; {len(skipped)} of "
          f"{len(data.get('dependencies', []))} dependencies NOT audited")
    if skipped:
        print(f"  pip-audit skip reason (first): {skipped[0]['skip_reason']}")
        print(f"  pip-audit's summary line: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}")
    if skipped and len(skipped) == len(data.get("dependencies", [])):
        print("  -> pip-audit could not reach its vulnerability service (no network here): nothing to compare")
        return

    def matched(a: dict[tuple[str, str], set[str]], b: dict[tuple[str, str], set[str]]) -> set[tuple[str, str]]:
        return {k for k, ids in a.items() if any(k[0] == kb[0] and ids & idb for kb, idb in b.items())}

    both = matched(ours, theirs)
    only_ours = set(ours) - both
    only_theirs = set(theirs) - matched(theirs, ours)
    print(f"agreement: {len(both)} of faasguard's {len(ours)} found by pip-audit too; "
          f"only faasguard: {len(only_ours)}; only pip-audit: {len(only_theirs)}")
    for label, keys in (("only faasguard", only_ours), ("only pip-audit", only_theirs)):
        if keys:
            print(f"  {label}: " + ", ".join(f"{p} {i}" for p, i in sorted(keys)[:20]))


# --- secrets ------------------------------------------------------------------------------------------

def planted_tree(root: Path) -> dict[tuple[str, int], str]:
    """One real-shaped fake secret per pattern, each in its own file at line 2. Returns
    {(file, line): pattern}."""
    sys.path.insert(0, str(REPO / "tests" / "secrets"))
    import fakes  # the same run-time generator the tests use: no literal secret in the repo

    samples = {
        "aws-key-pair": f"aws_access_key_id = {fakes.AWS_KEY_ID}\naws_secret_access_key = {fakes.AWS_SECRET}",
        "aws-session-token": f"aws_session_token = {fakes.AWS_SESSION}",
        "github-token": f"token: {fakes.GITHUB}", "github-fine-grained": f"token: {fakes.GITHUB_FINE}",
        "gitlab-token": f"token: {fakes.GITLAB}", "slack-token": f"slack: {fakes.SLACK_TOKEN}",
        "slack-webhook": f"hook: {fakes.SLACK_WEBHOOK}", "stripe-key": f"stripe: {fakes.STRIPE}",
        "twilio-api-key": f"twilio: {fakes.TWILIO}", "sendgrid-key": f"sendgrid: {fakes.SENDGRID}",
        "google-api-key": f"maps: {fakes.GOOGLE_API}", "azure-storage-key": f"conn: {fakes.AZURE_CONN}",
        "private-key": fakes.PRIVATE_KEY, "jwt": f"auth: {fakes.JWT}", "database-url": f"db: {fakes.DATABASE_URL}",
        "url-basic-auth": f"index: {fakes.BASIC_AUTH_URL}", "generic-password": f"db_password: {fakes.rnd(14)}",
        "generic-api-key": f"api_key: {fakes.GENERIC}",
    }
    planted = {}
    for name, body in samples.items():
        file = f"{name}.yaml"
        (root / file).write_text("# planted\n" + body + "\n")
        planted[(file, 2)] = name
    return planted


def bench_secrets(work: Path, detect: Path | None) -> None:
    print("\n== Secrets: faasguard vs detect-secrets ==")
    from faasguard.analyzers.secrets.analyzer import scan_path

    trees = []
    if CORPUS.is_dir():
        trees.append(("shared IaC corpus", CORPUS, None))
    planted_root = work / "planted"
    planted_root.mkdir()
    trees.append(("planted secrets", planted_root, planted_tree(planted_root)))
    for label, root, planted in trees:
        files = sum(1 for p in root.rglob("*") if p.is_file())
        started = time.perf_counter()
        hits = scan_path(root)
        ours_time = time.perf_counter() - started
        ours = {(f, h.line) for f, h in hits}
        line = f"{label} ({files} files): faasguard {ours_time:.2f} s, {len(hits)} reports"
        if planted:
            line += f", planted found {len(set(planted) & ours)}/{len(planted)}"
        if detect is not None:
            t_ds, proc = run([str(detect), "scan", "--all-files", "."], cwd=root)
            try:
                results = json.loads(proc.stdout).get("results", {})
                theirs = {(f, r["line_number"]) for f, rs in results.items() for r in rs}
                line += f"; detect-secrets {t_ds:.2f} s, {len(theirs)} reports"
                if planted:
                    found = set(planted) & theirs
                    line += f", planted found {len(found)}/{len(planted)}"
                    missed_theirs = sorted(planted[k] for k in set(planted) - theirs)
                    missed_ours = sorted(planted[k] for k in set(planted) - ours)
                    line += f"\n    missed by faasguard: {missed_ours or 'none'}\n    missed by detect-secrets: " \
                            f"{missed_theirs or 'none'}"
            except ValueError:
                line += f"; detect-secrets failed: {proc.stderr.strip()[-200:]}"
        print(line)
    print("(faasguard time is in-process: the detector over every file; detect-secrets is a CLI run)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-install", action="store_true", help="don't install pip-audit/detect-secrets")
    args = parser.parse_args()
    if not PYPA.is_dir():
        print(f"{PYPA} is missing: this benchmark needs ../shared")
        return 2
    pip_audit, detect = ensure_tools(not args.no_install)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="fg-bench-deps-") as tmp:
        work = Path(tmp)
        bench_deps(work, pip_audit)
        bench_secrets(work, detect)
    return 0


if __name__ == "__main__":
    sys.exit(main())
