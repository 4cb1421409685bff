"""Seeded corruption of the Terraform, Chalice and Zappa fixtures: every mutant loads or is reported,
never an internal error or an exception."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from faasguard.loaders import load_tree
from faasguard.model import ErrorKind

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TARGETS = [("terraform/app", "main.tf"), ("terraform/app", "worker.tf"), ("chalice/app", ".chalice/config.json"),
           ("chalice/app", "app.py"), ("zappa/app", "zappa_settings.json")]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    i = rng.randrange(len(lines))
    choice = rng.randrange(5)
    if choice == 0:
        del lines[i]
    elif choice == 1:
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    elif choice == 2:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif choice == 3:
        lines[i] = lines[i].replace("=", "= {", 1).replace(":", ": [", 1)
    else:
        return "".join(lines)[: rng.randrange(len(text) + 1)]
    return "".join(lines)


@pytest.mark.parametrize("seed", range(40))
def test_mutants_never_crash(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    case, rel = TARGETS[seed % len(TARGETS)]
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / case, root)
    target = root / rel
    text = target.read_text()
    for _ in range(1 + seed % 3):
        text = _mutate(text, rng)
    target.write_text(text)
    result = load_tree(root)
    assert [e for e in result.errors if e.kind is ErrorKind.INTERNAL] == []
    assert result.applications or result.errors
