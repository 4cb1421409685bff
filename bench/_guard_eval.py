"""Quick tuning harness (not the benchmark): detection per category on even/odd ids."""
import collections, json, sys, time
from pathlib import Path
from faasguard.guard.detectors import detect
P = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "payloads"
half = sys.argv[1] if len(sys.argv) > 1 else "even"
show = sys.argv[2] if len(sys.argv) > 2 else None
def sel(r):
    n = int(r["id"][1:]); return half == "all" or (n % 2 == 0) == (half == "even")
tot = collections.Counter(); hit = collections.Counter(); misses = collections.defaultdict(list)
for line in open(P / "attack.jsonl"):
    r = json.loads(line)
    if not sel(r): continue
    c = r["category"]; tot[c] += 1
    if any(detect(f) for f in r["fields"]): hit[c] += 1
    else: misses[c].append(r["payload"])
for c in sorted(tot, key=lambda c: -tot[c]):
    print(f"ATT {c:20s} {hit[c]:5d}/{tot[c]:5d} {100*hit[c]/tot[c]:6.1f}%")
btot = collections.Counter(); bhit = collections.Counter(); fps = collections.defaultdict(list)
for line in open(P / "benign.jsonl"):
    r = json.loads(line)
    if not sel(r): continue
    c = r["category"]; btot[c] += 1
    ds = [d for f in r["fields"] for d in detect(f)]
    if ds: bhit[c] += 1; fps[c].append((r["payload"][:150], ds[0].category, ds[0].rule_id))
for c in btot:
    print(f"FP  {c:20s} {bhit[c]:5d}/{btot[c]:5d} {100*bhit[c]/btot[c]:6.2f}%")
if show:
    for kind, name in [x.split(":") for x in show.split(",")]:
        src = misses if kind == "m" else fps
        for p in src[name][:int(sys.argv[3]) if len(sys.argv) > 3 else 40]: print(kind, name, repr(p)[:200])
