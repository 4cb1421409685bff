"""faasguard.guard imports only the standard library and never the scanner."""

import json
import subprocess
import sys

_PROBE = r"""
import json, sys
before = set(sys.modules)
from faasguard.guard import guard, inspect, detect, Detection, GuardConfig
@guard(mode="monitor", sandbox=False, redact=False)
def handler(event, context):
    return event
handler({"httpMethod": "GET", "path": "/x", "queryStringParameters": {"q": "1 union select 1"}}, None)
detect("<script>alert(1)</script>")
import faasguard.guard.wrapper, faasguard.guard.layer, faasguard.guard.schema, faasguard.guard.sandbox
new = sorted(m for m in set(sys.modules) - before)
stdlib = sys.stdlib_module_names
foreign = [m for m in new if m.split(".")[0] not in stdlib and m.split(".")[0] != "faasguard"]
ours = [m for m in new if m.startswith("faasguard") and not (m == "faasguard" or m.startswith("faasguard.guard"))]
print(json.dumps({"foreign": foreign, "scanner": ours}))
"""


def test_guard_imports_only_stdlib_and_never_the_scanner() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin"}).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {"foreign": [], "scanner": []}


def test_bare_import_does_not_compile_the_detectors() -> None:
    code = ("import sys\nimport faasguard.guard\n"
            "print(sorted(m for m in sys.modules if m.startswith('faasguard.guard.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
