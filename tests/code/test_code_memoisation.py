"""The analysis stays linear-ish: doubling the code roughly doubles the time, and summaries are
memoised (a helper called from many places is analysed once)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from code_helpers import application, function, run, trigger

from faasguard.analyzers.code import taint


def _write_app(root: Path, modules: int, funcs: int) -> None:
    """``modules`` files of ``funcs`` chained functions each, all ending in one shared sink."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sink.py").write_text("import os\n\n\ndef run(cmd):\n    return os.system(cmd)\n")
    for m in range(modules):
        lines = ["import json", "", "from sink import run", ""]
        for i in range(funcs):
            call = f"f{i + 1}(y)" if i + 1 < funcs else "run(y)"
            lines += [f"def f{i}(x):",
                      "    data = json.loads(x) if isinstance(x, str) else {'v': x}",
                      "    parts = [str(v) for v in data.values()]",
                      "    y = ' '.join(parts) + f'{x}'",
                      "    if y.startswith('#'):",
                      "        return None",
                      f"    return {call}",
                      ""]
        (root / f"mod{m}.py").write_text("\n".join(lines))
    imports = "".join(f"from mod{m} import f0 as m{m}\n" for m in range(modules))
    calls = "".join(f"    m{m}(event['q{m}'])\n" for m in range(modules))
    (root / "handler.py").write_text(f"{imports}\n\ndef handler(event, context):\n{calls}")


def _time(root: Path) -> tuple[float, int]:
    app = application([function("h", "handler.handler", ".", [trigger("http_api")])])
    started = time.perf_counter()
    findings, errors = run(app, root=root)
    assert errors == []
    return time.perf_counter() - started, len(findings)


def test_each_function_is_analysed_once_however_often_it_is_called(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work grows with the code, not with the number of call paths: every function body is
    analysed exactly once (speed itself is measured in bench/code_vs_peers.py, not here)."""
    analysed: list[str] = []
    original = taint.FunctionAnalysis.run

    def counting_run(self: taint.FunctionAnalysis) -> taint.Summary:
        analysed.append(getattr(self.fn, "name", "<module>"))
        return original(self)

    monkeypatch.setattr(taint.FunctionAnalysis, "run", counting_run)
    for modules in (15, 30):
        analysed.clear()
        _write_app(tmp_path / f"app{modules}", modules=modules, funcs=20)
        _, found = _time(tmp_path / f"app{modules}")
        assert found == 1  # one sink, reached through every chain: one finding
        named = [n for n in analysed if n != "<module>"]
        # f0..f19 of every module, run() in sink.py and the handler: each once
        assert sorted(set(named)) == sorted({f"f{i}" for i in range(20)} | {"run", "handler"})
        assert len(named) == modules * 20 + 2


def test_call_chains_deeper_than_the_limit_are_cut_not_crashed(tmp_path: Path) -> None:
    _write_app(tmp_path, modules=1, funcs=120)
    elapsed, found = _time(tmp_path)
    assert found == 0  # the sink is 121 calls away: beyond MAX_CALL_DEPTH, so the chain is cut
