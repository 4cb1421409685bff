"""The monitor is independent of the scanner: it never imports the loaders or analyzers."""

from __future__ import annotations

import subprocess
import sys


def test_monitor_does_not_import_the_scanner() -> None:
    code = (
        "import sys\n"
        "import faasguard.monitor.ingest, faasguard.monitor.detect, faasguard.monitor.anomaly\n"
        "import faasguard.monitor.alerts, faasguard.monitor.response, faasguard.monitor.export\n"
        "import faasguard.monitor.report, faasguard.monitor.evaluate\n"
        "import faasguard.cli.monitor_cmd, faasguard.cli.respond_cmd\n"
        "print(sorted(m for m in sys.modules if m.startswith(('faasguard.loaders', 'faasguard.analyzers'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
