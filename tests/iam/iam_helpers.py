"""Helpers for the IAM tests: load a fixture tree and analyse its functions."""

from __future__ import annotations

from pathlib import Path

from faasguard.analyzers.iam.analysis import FunctionIam, analyse_app
from faasguard.loaders import load_tree
from faasguard.loaders.base import LoadOptions
from faasguard.model import Application

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iam"


def load(root: Path) -> list[Application]:
    result = load_tree(root, LoadOptions())
    assert not result.errors, result.errors
    return list(result.applications)


def analyse(root: Path) -> dict[str, FunctionIam]:
    out = {}
    for app in load(root):
        for fi in analyse_app(app, root):
            out[fi.function.id] = fi
    return out


def policy_actions(fi: FunctionIam) -> set[str]:
    return {a for st in fi.policy["Statement"] for a in st["Action"]}


def policy_pairs(fi: FunctionIam) -> set[tuple[str, str]]:
    return {(a, r) for st in fi.policy["Statement"] for a in st["Action"] for r in st["Resource"]}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
