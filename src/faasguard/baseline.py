"""Baselines: accept today's findings so CI fails only on new ones.

The file holds hashed fingerprints (rule, file, function and a rule-chosen key, never a secret's
value) with the rule id and file for humans reading the diff.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from faasguard.model import Finding

FORMAT_VERSION = 1


class BaselineError(Exception):
    pass


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule_id": f.rule_id,
          "file": f.location.file if f.location else "", "function": f.function}
         for f in findings),
        key=lambda e: (e["file"] or "", e["rule_id"], e["fingerprint"]),
    )
    unique = list({e["fingerprint"]: e for e in entries}.values())
    path.write_text(json.dumps({"faasguard_baseline": FORMAT_VERSION, "findings": unique}, indent=2) + "\n",
                    encoding="utf-8")
    return len(unique)


def read_baseline(path: Path) -> frozenset[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"baseline {path} is not a faasguard baseline (no 'findings' list)")
    return frozenset(str(e["fingerprint"]) for e in data["findings"] if isinstance(e, dict) and "fingerprint" in e)
