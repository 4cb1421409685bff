"""Behaviour limits (audit hooks). Hooks cannot be removed from a process, so every scenario
runs in a fresh interpreter and prints what happened as JSON."""

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

_PRELUDE = textwrap.dedent("""
    import json, os, socket, subprocess, sys
    from faasguard.guard import emit, guard
    lines = []
    emit.set_sink(lines.append)
    results = {}
    def attempt(name, fn):
        try:
            fn()
            results[name] = "ok"
        except Exception as exc:
            results[name] = type(exc).__name__
""")
_EPILOGUE = textwrap.dedent("""
    events = [json.loads(x) for x in lines]
    print(json.dumps({"results": results,
                      "events": [[e["type"], e["rule_id"], e["action"], e["field"]] for e in events]}))
""")


def run(body: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    code = _PRELUDE + textwrap.dedent(body) + _EPILOGUE
    full_env = {"PATH": "/usr/bin:/bin", "AWS_REGION": "eu-west-1", "LAMBDA_TASK_ROOT": "/var/task",
                "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", **(env or {})}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=full_env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


_HANDLER = """
    @guard(mode=MODE, allow_hosts=["api.stripe.com"], redact=False)
    def handler(event, context):
        attempt("popen", lambda: subprocess.run(["true"], check=False))
        attempt("system", lambda: os.system("true"))
        attempt("resolve", lambda: socket.getaddrinfo("evil.example", 443))
        attempt("resolve_allowed", lambda: socket.getaddrinfo("api.stripe.com", 443) if False else None)
        attempt("connect_ip", lambda: socket.create_connection(("10.9.9.9", 80), timeout=0.05))
        attempt("aws_name", lambda: None if __import__("faasguard.guard.sandbox", fromlist=["x"]).host_allowed(
            __import__("faasguard.guard.sandbox", fromlist=["x"]).current_policy(),
            "dynamodb.eu-west-1.amazonaws.com") else 1 / 0)
        attempt("write_etc", lambda: open("/etc/faasguard-test", "w"))
        attempt("write_tmp", lambda: open("/tmp/faasguard-sandbox-test", "w").close())
        attempt("environ", lambda: open("/proc/self/environ", "rb").read())
        return "done"
    handler({}, None)
"""


def test_block_mode_refuses_processes_hosts_and_writes() -> None:
    result = run(textwrap.dedent(_HANDLER).replace("MODE", "'block'"))
    assert result["results"] == {
        "popen": "PermissionError", "system": "PermissionError", "resolve": "PermissionError",
        "resolve_allowed": "ok", "connect_ip": "PermissionError", "aws_name": "ok",
        "write_etc": "PermissionError", "write_tmp": "ok", "environ": "PermissionError",
    }
    assert result["events"] == [
        ["sandbox", "FG-SBX-PROC-001", "blocked", "true"],
        ["sandbox", "FG-SBX-NET-001", "blocked", "evil.example"],
        ["sandbox", "FG-SBX-NET-001", "blocked", "10.9.9.9"],
        ["sandbox", "FG-SBX-FILE-001", "blocked", "/etc/faasguard-test"],
        ["sandbox", "FG-SBX-FILE-003", "blocked", "/proc/self/environ"],
    ]


def test_monitor_mode_reports_and_allows() -> None:
    result = run(textwrap.dedent(_HANDLER).replace("MODE", "'monitor'").replace('open("/etc/faasguard-test", "w")',
                                                         'open("/proc/self/cmdline", "rb").read()'))
    assert result["results"]["popen"] == "ok"
    assert result["results"]["system"] == "ok"
    assert result["results"]["environ"] == "ok"
    assert result["results"]["resolve"] in ("ok", "gaierror")  # no network in tests: resolution may fail
    rules = [e[1] for e in result["events"]]
    assert {"FG-SBX-PROC-001", "FG-SBX-NET-001", "FG-SBX-FILE-003"} <= set(rules)
    assert all(e[2] == "reported" for e in result["events"])


def test_metadata_connect_after_allowed_resolution_is_blocked() -> None:
    result = run("""
        from faasguard.guard import sandbox
        sandbox.install(sandbox.Policy(mode="block", allow_hosts=("*.example.com",)),
                        lambda v, a: lines.append(json.dumps({"type": "sandbox", "rule_id": v.rule_id,
                                                                "action": a, "field": v.target})))
        attempt("resolve", lambda: sandbox._check_resolve(sandbox.current_policy(), "a.example.com") or None)
        def rebind():
            sock = socket.socket()
            sock.settimeout(0.05)
            try:
                sock.connect(("169.254.169.254", 80))  # the allowed name "resolved" to the metadata IP
            finally:
                sock.close()
        attempt("rebind", rebind)
        attempt("code_dir", lambda: open("/var/task/app.py", "a"))
    """)
    assert result["results"] == {"resolve": "ok", "rebind": "PermissionError", "code_dir": "PermissionError"}
    assert result["events"] == [["sandbox", "FG-SBX-NET-003", "blocked", "169.254.169.254:80"],
                                ["sandbox", "FG-SBX-FILE-002", "blocked", "/var/task/app.py"]]


def test_ctypes_libc_lookup_is_refused_in_block_mode() -> None:
    result = run("""
        import ctypes
        from faasguard.guard import sandbox
        sandbox.install(sandbox.Policy(mode="block"), lambda v, a: lines.append(json.dumps(
            {"type": "sandbox", "rule_id": v.rule_id, "action": a, "field": v.target})))
        attempt("dlsym_system", lambda: ctypes.CDLL(None).system)
        attempt("dlsym_strlen", lambda: ctypes.CDLL(None).strlen)
    """)
    assert result["results"] == {"dlsym_system": "PermissionError", "dlsym_strlen": "ok"}
    assert result["events"] == [["sandbox", "FG-SBX-NATIVE-001", "blocked", "system"]]


def test_strict_mode_closes_known_bypasses() -> None:
    result = run("""
        import _posixsubprocess
        from faasguard.guard import sandbox
        ok = sandbox.install(sandbox.Policy(mode="block", strict=True), lambda v, a: lines.append(json.dumps(
            {"type": "sandbox", "rule_id": v.rule_id, "action": a, "field": v.target})))
        attempt("import_ctypes", lambda: __import__("ctypes"))
        attempt("fork_exec", lambda: _posixsubprocess.fork_exec(*([None] * 23)))
        attempt("loosen_policy", lambda: None if not sandbox.install(sandbox.Policy(mode="monitor")) else 1 / 0)
        attempt("disable", lambda: None if not sandbox.disable() else 1 / 0)
        attempt("replace_hook_code", lambda: setattr(sandbox._state.hook, "__code__", (lambda e, a: None).__code__))
        results["installed"] = ok
    """)
    assert result["results"] == {"import_ctypes": "ImportError", "fork_exec": "PermissionError",
                                 "loosen_policy": "ok", "disable": "ok", "replace_hook_code": "PermissionError",
                                 "installed": True}
    assert [e[1] for e in result["events"]] == ["FG-SBX-NATIVE-002", "FG-SBX-PROC-002", "FG-SBX-TAMPER-001"]


@pytest.mark.parametrize("mode", ["monitor", "block"])
def test_known_bypass_libc_function_pointer_taken_before_the_hook(mode: str) -> None:
    """Documented gap: a libc function obtained before the guard initialises is not seen."""
    result = run(f"""
        import ctypes
        libc_system = ctypes.CDLL(None).system
        from faasguard.guard import sandbox
        sandbox.install(sandbox.Policy(mode="{mode}"), lambda v, a: lines.append(json.dumps(
            {{"type": "sandbox", "rule_id": v.rule_id, "action": a, "field": v.target}})))
        results["rc"] = libc_system(b"true")
    """)
    assert result["results"] == {"rc": 0}
    assert result["events"] == []
