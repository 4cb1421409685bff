"""The analysis stays linear-ish: doubling the code roughly doubles the time, and summaries are
memoised (a helper called from many places is analysed once)."""

from __future__ import annotations

import time
from pathlib import Path

from code_helpers import application, function, run, trigger


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


def test_analysis_time_grows_linearly(tmp_path: Path) -> None:
    _write_app(tmp_path / "small", modules=15, funcs=20)
    _write_app(tmp_path / "large", modules=30, funcs=20)
    # best of two runs each (fresh caches every run), so a busy machine does not decide the ratio
    small, n_small = min(_time(tmp_path / "small") for _ in range(2))
    large, n_large = min(_time(tmp_path / "large") for _ in range(2))
    assert n_small == n_large == 1  # one sink, reached through every chain: one finding
    assert large < 10.0  # 600 functions, ~5,000 lines (about 1 s on 2 cores)
    assert large / max(small, 1e-3) < 3.5


def test_call_chains_deeper_than_the_limit_are_cut_not_crashed(tmp_path: Path) -> None:
    _write_app(tmp_path, modules=1, funcs=120)
    elapsed, found = _time(tmp_path)
    assert found == 0  # the sink is 121 calls away: beyond MAX_CALL_DEPTH, so the chain is cut
