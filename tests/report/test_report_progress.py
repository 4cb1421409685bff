from __future__ import annotations

import io

import pytest
from rich.console import Console

from faasguard.report import render, scan_progress
from faasguard.scan import ScanResult


def test_progress_is_quiet_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    buffer = io.StringIO()
    with scan_progress(Console(file=buffer)) as update:
        assert update is None
    assert buffer.getvalue() == ""


def test_progress_is_quiet_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    buffer = io.StringIO()
    with scan_progress(Console(file=buffer, force_terminal=True)) as update:
        assert update is None
    assert buffer.getvalue() == ""


def test_progress_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    buffer = io.StringIO()
    with scan_progress(Console(file=buffer, force_terminal=True, width=80)) as update:
        assert update is not None
        update("orders")
        update("billing[bold]")  # an app name is text, not markup
    assert "scanning" in buffer.getvalue()


def test_narrow_terminal_keeps_every_word(full_result: ScanResult) -> None:
    text = render(full_result, "table", color=False, width=72)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 72
    words = " ".join(text.split())
    for expected in ("subprocess.run(shell=True)", "iam:PassRole", "(internal)", "2 files could not be read"):
        assert expected in words or expected.replace("(", "( ") in words
