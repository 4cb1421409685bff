"""The HTML report: self-contained, and it renders in a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from faasguard.model.finding import Severity
from faasguard.monitor.anomaly import Baseline
from faasguard.monitor.detect import Alert
from faasguard.monitor.report import render_html

T0 = datetime(2026, 1, 5)


def _page() -> str:
    alerts = [Alert(rule_id=f"FGM-TEST-{i % 3}", title=f"rule {i % 3}", severity=(Severity.HIGH, Severity.MEDIUM,
                                                                                   Severity.LOW)[i % 3],
                    function=f"fn-{i % 4}", principal="arn:aws:iam::1:role/r", event_ids=(f"e{i}",),
                    first_seen=T0 + timedelta(days=i % 5), last_seen=T0 + timedelta(days=i % 5), count=1)
              for i in range(40)]
    points = tuple((T0 + timedelta(hours=h), 300.0 if h == 40 else 30.0 + h % 5) for h in range(48))
    baseline = Baseline("fn-0", "invocations", points, T0 + timedelta(hours=24), 32.0, 1.0,
                        ((T0 + timedelta(hours=40), 300.0, 180.0),))
    return render_html(alerts, [baseline], title="faasguard <test> report", generated=T0)


def test_report_is_self_contained_and_marks_anomalies() -> None:
    page = _page()
    assert not re.search(r"<script|<link|src=|href=|@import|url\(", page, re.I)
    assert "faasguard &lt;test&gt; report" in page  # escaped
    assert page.count("<circle") == 1  # the one anomalous hour
    assert "1 anomalous hour(s) marked" in page
    assert page.count("<tr>") == 41  # header + 40 alerts


def _png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) with zlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and interlace == 0 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        filt = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if filt == 1:
                line[x] = (line[x] + a) & 0xFF
            elif filt == 2:
                line[x] = (line[x] + b) & 0xFF
            elif filt == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(line)
        prev = line
    pixels = [tuple(row[x:x + 3]) for row in rows for x in range(0, stride, channels)]
    return width, height, pixels


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (CI installs Debian's chromium via .ci/run)")
    page = tmp_path / "report.html"
    page.write_text(_page(), encoding="utf-8")
    shot = tmp_path / "shot.png"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=900,1400",
           f"--screenshot={shot}", page.as_uri()]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert shot.exists(), result.stderr[-2000:]
    width, height, pixels = _png_pixels(shot.read_bytes())
    assert (width, height) == (900, 1400)
    colours = Counter(pixels)
    assert len(colours) > 50  # text, cards and charts, not a blank page
    assert colours.most_common(1)[0][0] == (255, 255, 255)  # white background
    high_red = sum(n for (r, g, b), n in colours.items() if abs(r - 0xD6) < 8 and abs(g - 0x27) < 8
                   and abs(b - 0x28) < 8)
    assert high_red > 200  # the "high" severity card and bars drew
