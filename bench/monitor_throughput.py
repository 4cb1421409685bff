"""Throughput of `faasguard monitor`: NDJSON ingest and all-rules evaluation at N synthetic events.

    .venv/bin/python bench/monitor_throughput.py [--events 1000000] [--keep DIR]

Generates N CloudTrail records (Lambda execution-role traffic, Invoke data events, CI reads and a
few suspicious calls; see faasguard.monitor.synthetic), ingests them into a fresh DuckDB store
and runs every built-in rule. Targets on a 2-core machine at 1M events: ingest >= 150k events/s,
rule evaluation >= 500k events/s. Figures are wall-clock and include everything the CLI does
(chunking, de-duplication, the commit); generation is not timed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from faasguard.monitor import anomaly, ingest, store
from faasguard.monitor.detect import run_rules
from faasguard.monitor.sigma_sql import load_rules
from faasguard.monitor.synthetic import write_ndjson

INGEST_TARGET = 150_000
RULES_TARGET = 500_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Keep the NDJSON and the store in this folder.")
    parser.add_argument("--repeat", type=int, default=3, help="Rule evaluation runs (best is reported).")
    args = parser.parse_args()

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="faasguard-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / f"cloudtrail-{args.events}.ndjson"
    db = workdir / "bench.duckdb"
    try:
        if not source.exists():
            t = time.perf_counter()
            write_ndjson(str(source), args.events)
            print(f"generated {args.events:,} events ({source.stat().st_size / 1e6:.0f} MB) "
                  f"in {time.perf_counter() - t:.1f} s (not timed below)")
        for leftover in (db, Path(str(db) + ".wal")):
            leftover.unlink(missing_ok=True)

        con = store.connect(db)
        t, cpu = time.perf_counter(), time.process_time()
        report = ingest.ingest(con, [source])
        ingest_s, ingest_cpu = time.perf_counter() - t, time.process_time() - cpu
        assert report.added == args.events, report.files

        ruleset = load_rules()
        best = best_cpu = float("inf")
        alerts = 0
        for _ in range(args.repeat):
            t, cpu = time.perf_counter(), time.process_time()
            run = run_rules(con, ruleset)
            best = min(best, time.perf_counter() - t)
            best_cpu = min(best_cpu, time.process_time() - cpu)
            alerts = len(run.alerts)
        t = time.perf_counter()
        baselines = anomaly.run_baselines(con, anomaly.Settings(learn_hours=48))
        baseline_s = time.perf_counter() - t
        con.close()

        ingest_rate = args.events / ingest_s
        rules_rate = args.events / best
        cores = os.cpu_count() or 1
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"machine: {cores} CPU(s), load average {load:.1f} at the end; store {db.stat().st_size / 1e6:.0f} MB")
        print(f"{'measure':34} {'seconds':>8} {'events/s':>12} {'target':>10}  verdict")
        print(f"{'ingest NDJSON (DuckDB read_json)':34} {ingest_s:8.2f} {ingest_rate:12,.0f} {INGEST_TARGET:10,}  "
              f"{'meets' if ingest_rate >= INGEST_TARGET else 'BELOW'}")
        print(f"{f'all {len(ruleset.rules)} rules, best of {args.repeat}':34} {best:8.2f} {rules_rate:12,.0f} "
              f"{RULES_TARGET:10,}  {'meets' if rules_rate >= RULES_TARGET else 'BELOW'}")
        print(f"{'baselines (not a target)':34} {baseline_s:8.2f} {args.events / baseline_s:12,.0f} {'-':>10}")
        # CPU time (all threads) says what the work costs whatever else the machine is running;
        # events per CPU-second times the cores is the rate with the cores to ourselves.
        print(f"CPU time: ingest {ingest_cpu:.2f} s ({args.events / ingest_cpu * cores:,.0f} events/s on {cores} "
              f"free cores), rules {best_cpu:.2f} s ({args.events / best_cpu * cores:,.0f} events/s)")
        print(f"alerts: {alerts} signature, {len(baselines.alerts)} anomaly; "
              f"{len(baselines.baselines)} baselines")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
