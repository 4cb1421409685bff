"""Sandbox controls and known bypasses of faasguard.guard, measured per CPython version.

    .venv/bin/python bench/guard_sandbox_matrix.py [python3.11 python3.12 ...]

Each scenario runs in a fresh interpreter (audit hooks cannot be removed) with only the
standard library and ``src/`` on the path, in block mode. "blocked" means the guard refused the
operation; "NOT blocked" means it went through. Without arguments it looks for CPython 3.11,
3.12 and 3.13 in pyenv and on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
OUT = Path(__file__).resolve().parent / "out"  # gitignored scratch space outside /tmp

_PRELUDE = textwrap.dedent("""
    import json, os, socket, subprocess, sys, tempfile
    results = {}
    def attempt(name, fn):
        try:
            fn()
            results[name] = "NOT blocked"
        except (PermissionError, ImportError) as exc:
            results[name] = "blocked"
        except TypeError:
            results[name] = "NOT blocked"  # reached the real C function (test arguments are dummies)
        except Exception as exc:
            results[name] = "error: " + type(exc).__name__
""")

# (name, code run BEFORE the guard initialises, code run after, strict)
SCENARIOS: list[tuple[str, str, str, bool]] = [
    ("subprocess.run", "", "attempt('x', lambda: subprocess.run(['true']))", False),
    ("os.system", "", "attempt('x', lambda: os.system('true'))", False),
    ("os.posix_spawn", "", "attempt('x', lambda: os.waitpid(os.posix_spawn('/bin/true', ['true'], {}), 0))", False),
    ("pty.spawn (os.forkpty)", "import pty", "attempt('x', lambda: os.forkpty())", False),
    ("resolve disallowed host", "", "attempt('x', lambda: socket.getaddrinfo('evil.example', 443))", False),
    ("connect to an IP", "", "attempt('x', lambda: socket.create_connection(('10.9.9.9', 80), timeout=0.05))", False),
    ("connect to metadata", "",
     "s = socket.socket(); s.settimeout(0.05)\nattempt('x', lambda: s.connect(('169.254.169.254', 80)))", False),
    ("write outside /tmp", "", "attempt('x', lambda: open(os.environ['MATRIX_OUT'] + '/late.txt', 'w'))", False),
    ("read /proc/self/environ", "", "attempt('x', lambda: open('/proc/self/environ', 'rb').read())", False),
    ("ctypes libc lookup after init", "import ctypes", "attempt('x', lambda: ctypes.CDLL(None).system)", False),
    ("BYPASS: libc pointer taken before init", "import ctypes\nfn = ctypes.CDLL(None).system",
     "attempt('x', lambda: fn(b'true'))", False),
    ("BYPASS: _posixsubprocess.fork_exec (not strict)", "import _posixsubprocess",
     "attempt('x', lambda: _posixsubprocess.fork_exec(*([None] * 23)))", False),
    ("_posixsubprocess.fork_exec (strict)", "import _posixsubprocess",
     "attempt('x', lambda: _posixsubprocess.fork_exec(*([None] * 23)))", True),
    ("import ctypes after init (strict)", "", "attempt('x', lambda: __import__('ctypes'))", True),
    # a handle opened (for writing, outside /tmp) before the guard initialised keeps working
    ("BYPASS: file opened before init", "fh = open(os.environ['MATRIX_OUT'] + '/early-handle.txt', 'a')",
     "attempt('x', lambda: (fh.write('x'), fh.flush()))", False),
    ("BYPASS: replace the policy object (not strict)", "",
     "from faasguard.guard import sandbox as sb\n"
     "attempt('x', lambda: (sb.install(sb.Policy(mode='monitor')), subprocess.run(['true'])))", False),
    ("replace the policy object (strict)", "",
     "from faasguard.guard import sandbox as sb\n"
     "attempt('x', lambda: (sb.install(sb.Policy(mode='monitor')), subprocess.run(['true'])))", True),
    ("replace the hook's code (strict)", "",
     "from faasguard.guard import sandbox as sb\n"
     "attempt('x', lambda: setattr(sb._state.hook, '__code__', (lambda e, a: None).__code__))", True),
]


def run(python: str, before: str, after: str, strict: bool) -> str:
    code = _PRELUDE + before + "\n" + textwrap.dedent(f"""
        from faasguard.guard import sandbox
        sandbox.install(sandbox.Policy(mode="block", strict={strict}), lambda v, a: None)
    """) + after + "\nprint(json.dumps(results))\n"
    OUT.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(SRC), "AWS_REGION": "eu-west-1",
           "MATRIX_OUT": str(OUT)}
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    if proc.returncode != 0:
        return f"crash: {proc.stderr.strip().splitlines()[-1][:60] if proc.stderr.strip() else proc.returncode}"
    return str(json.loads(proc.stdout.strip().splitlines()[-1])["x"])


def interpreters(args: list[str]) -> list[str]:
    if args:
        return args
    found = []
    for version in ("3.11", "3.12", "3.13"):
        pyenv = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
        candidate = str(pyenv[-1]) if pyenv else shutil.which(f"python{version}")
        if candidate:
            found.append(candidate)
    return found


def main() -> int:
    pythons = interpreters(sys.argv[1:])
    versions = []
    for python in pythons:
        out = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True)
        versions.append(out.stdout.strip() or python)
    width = max(len(s[0]) for s in SCENARIOS) + 2
    print("faasguard.guard sandbox, block mode (strict where noted); one fresh interpreter per cell")
    print(f"{'scenario':{width}}" + "".join(f"{v:>16}" for v in versions))
    for name, before, after, strict in SCENARIOS:
        cells = [run(python, before, after, strict) for python in pythons]
        print(f"{name:{width}}" + "".join(f"{c:>16}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
