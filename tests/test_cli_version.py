import subprocess
import sys

from faasguard import __version__


def test_version_prints_version_without_importing_the_scanner() -> None:
    code = (
        "import sys\n"
        "from faasguard.cli import main\n"
        "rc = main(['--version'])\n"
        "heavy = [m for m in ('typer', 'rich', 'faasguard.analyzers', 'faasguard.loaders') if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [f"faasguard {__version__}", "0 []"]
