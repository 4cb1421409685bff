"""Rule coverage on the labelled CloudTrail sets (same as `faasguard monitor evaluate`).

    .venv/bin/python bench/monitor_coverage.py [--data ../shared/data/cloudtrail]

Prints the Stratus Red Team technique coverage (35 techniques) and the alerts on the Invictus-IR
set-up and background events (false alerts).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from faasguard.monitor.evaluate import STRATUS_FILE, default_data_dir, evaluate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    data = args.data or default_data_dir([here / ".." / "shared" / "data" / "cloudtrail"])
    if data is None or not (data / STRATUS_FILE).is_file():
        print("labelled CloudTrail data not found; pass --data", file=sys.stderr)
        return 2
    print("\n".join(evaluate(data).lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
