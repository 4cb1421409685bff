"""`faasguard guard build-layer`, `guard check`, and the no-code-change wrapper."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from faasguard.cli import main


def test_build_layer_contains_only_the_guard(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "layer.zip"
    assert main(["guard", "build-layer", "--output", str(out)]) == 0
    names = zipfile.ZipFile(out).namelist()
    assert "python/faasguard/__init__.py" in names
    assert "python/faasguard/guard/wrapper.py" in names
    assert "python/faasguard/guard/detectors/sqli.py" in names
    assert all(n.startswith("python/faasguard/guard/") or n == "python/faasguard/__init__.py" for n in names)
    assert not any("__pycache__" in n for n in names)
    assert f"wrote {out} ({len(names)} files" in capsys.readouterr().out


def test_layer_runs_with_the_standard_library_only(tmp_path: Path) -> None:
    out = tmp_path / "layer.zip"
    assert main(["guard", "build-layer", "-o", str(out)]) == 0
    zipfile.ZipFile(out).extractall(tmp_path / "opt")
    (tmp_path / "task").mkdir()
    (tmp_path / "task" / "app.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    code = ("import json, faasguard.guard.wrapper as w\n"
            "print(json.dumps(w.handler({'httpMethod': 'GET', 'path': '/', "
            "'queryStringParameters': {'q': '<script>alert(1)</script>'}}, None)))")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path / 'opt' / 'python'}:{tmp_path / 'task'}",
           "FAASGUARD_HANDLER": "app.handler", "FAASGUARD_MODE": "block", "FAASGUARD_SANDBOX": "0"}
    # -S -I: no site-packages, so only the layer and the standard library are importable
    proc = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env, check=True)
    lines = proc.stdout.strip().splitlines()
    event = json.loads(lines[0])
    assert (event["type"], event["rule_id"], event["action"]) == ("detection", "FG-XSS-001", "blocked")
    assert json.loads(lines[-1])["statusCode"] == 400


def test_check_command(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["guard", "check", "http://169.254.169.254/latest/meta-data/"]) == 1
    assert capsys.readouterr().out.startswith("FG-SSRF-001\tssrf\t-\thttp://169.254.169.254/latest/meta-data/")
    assert main(["guard", "check", "hello"]) == 0
    assert main(["guard", "check", "@/nonexistent/event.json"]) == 2
