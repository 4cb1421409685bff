"""A self-contained HTML report: inline CSS and SVG, no scripts, no external resources.

Sections: alerts per day and function (stacked bars), top rules, baselines with their learning
window shaded and anomalous hours marked, and the alert table.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from faasguard.model.finding import Severity
from faasguard.monitor.anomaly import Baseline
from faasguard.monitor.detect import Alert

_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
            "#9c755f", "#bab0ac")
_SEVERITY_COLOUR = {Severity.CRITICAL: "#7b0019", Severity.HIGH: "#d62728", Severity.MEDIUM: "#ff7f0e",
                    Severity.LOW: "#bcbd22", Severity.INFO: "#7f7f7f"}
_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:10px}
.card{padding:10px 16px;border-radius:6px;color:#fff;min-width:90px}
.card b{display:block;font-size:24px}table{border-collapse:collapse;font-size:13px;width:100%}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f6f6}.legend span{display:inline-block;margin-right:12px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
svg text{font-size:11px;fill:#444}.muted{color:#777;font-size:12px}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _alerts_over_time(alerts: Sequence[Alert]) -> str:
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for alert in alerts:
        day = _day(alert.first_seen)
        if day is None:
            continue
        name = alert.function or "(no function)"
        per_day[day][name] += 1
        totals[name] += 1
    if not per_day:
        return "<p class='muted'>No alerts with a time.</p>"
    top = [name for name, _ in totals.most_common(len(_PALETTE) - 1)]
    colours = {name: _PALETTE[i] for i, name in enumerate(top)}
    days = sorted(per_day)
    width, height, pad = 760, 220, 40
    bar_w = min(60.0, max(4.0, (width - 2 * pad) / len(days) - 4))
    peak = max(sum(c.values()) for c in per_day.values())
    parts = [f"<svg width='{width}' height='{height + 30}' role='img' aria-label='alerts per day'>",
             f"<line x1='{pad}' y1='{height}' x2='{width - pad}' y2='{height}' stroke='#999'/>",
             f"<text x='4' y='{pad - 10}'>{peak}</text><text x='4' y='{height}'>0</text>"]
    for i, day in enumerate(days):
        x = pad + i * (width - 2 * pad) / len(days)
        y = float(height)
        for name, count in sorted(per_day[day].items()):
            colour = colours.get(name, _PALETTE[-1])
            h = (height - pad) * count / peak
            y -= h
            parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{bar_w:.1f}' height='{h:.1f}' fill='{colour}'>"
                         f"<title>{_e(day)} {_e(name)}: {count}</title></rect>")
        if len(days) <= 20 or i % max(1, len(days) // 10) == 0:
            parts.append(f"<text x='{x:.1f}' y='{height + 14}'>{day:%m-%d}</text>")
    parts.append("</svg>")
    legend = "".join(f"<span><i style='background:{c}'></i>{_e(n)}</span>" for n, c in colours.items())
    if len(totals) > len(top):
        legend += f"<span><i style='background:{_PALETTE[-1]}'></i>other functions</span>"
    return "".join(parts) + f"<div class='legend'>{legend}</div>"


def _top_rules(alerts: Sequence[Alert]) -> str:
    counts = Counter((a.rule_id, a.title, a.severity) for a in alerts)
    if not counts:
        return "<p class='muted'>No alerts.</p>"
    rows = counts.most_common(15)
    peak = rows[0][1]
    height = 22 * len(rows) + 10
    parts = [f"<svg width='760' height='{height}' role='img' aria-label='top rules'>"]
    for i, ((rule_id, title, severity), n) in enumerate(rows):
        y = 6 + i * 22
        w = 380 * n / peak
        parts.append(f"<text x='0' y='{y + 13}'>{_e(rule_id)}</text>"
                     f"<rect x='150' y='{y}' width='{w:.1f}' height='16' fill='{_SEVERITY_COLOUR[severity]}'>"
                     f"<title>{_e(title)}</title></rect><text x='{156 + w:.1f}' y='{y + 13}'>{n} "
                     f"{_e(title[:60])}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _baseline_chart(baseline: Baseline) -> str:
    points = baseline.points
    width, height, pad = 760, 160, 36
    if len(points) < 2:
        return ""
    t0, t1 = points[0][0], points[-1][0]
    span = max((t1 - t0).total_seconds(), 1.0)
    values = [v for _, v in points]
    top = max(max(values), baseline.median) * 1.1 or 1.0

    def x(t: datetime) -> float:
        return pad + (width - 2 * pad) * (t - t0).total_seconds() / span

    def y(v: float) -> float:
        return height - pad / 2 - (height - pad) * v / top

    learn_x = min(max(x(baseline.learn_until), pad), width - pad)
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(t):.1f},{y(v):.1f}" for i, (t, v) in enumerate(points))
    parts = [
        f"<svg width='{width}' height='{height}' role='img' "
        f"aria-label='{_e(baseline.function)} {_e(baseline.metric)}'>",
        f"<rect x='{pad}' y='0' width='{learn_x - pad:.1f}' height='{height - pad / 2:.1f}' fill='#eef3fb'>"
        "<title>learning window</title></rect>",
        f"<line x1='{pad}' x2='{width - pad}' y1='{y(baseline.median):.1f}' y2='{y(baseline.median):.1f}' "
        "stroke='#59a14f' stroke-dasharray='4 3'><title>median</title></line>",
        f"<path d='{path}' fill='none' stroke='#4e79a7' stroke-width='1.5'/>",
        f"<text x='2' y='12'>{top:.0f}</text><text x='2' y='{height - pad / 2:.0f}'>0</text>",
    ]
    for t, v, score in baseline.anomalies:
        parts.append(f"<circle cx='{x(t):.1f}' cy='{y(v):.1f}' r='5' fill='#d62728'>"
                     f"<title>{_e(t)}: {v:.2f} (score {score})</title></circle>")
    parts.append("</svg>")
    title = (f"<h3 style='font-size:14px;margin:14px 0 2px'>{_e(baseline.function)} — {_e(baseline.metric)}</h3>"
             f"<div class='muted'>median {baseline.median:.2f}, MAD {baseline.mad:.2f}, learning until "
             f"{baseline.learn_until:%Y-%m-%d %H:%M}; {len(baseline.anomalies)} anomalous hour(s) marked</div>")
    return title + "".join(parts)


def _alert_table(alerts: Sequence[Alert]) -> str:
    if not alerts:
        return "<p class='muted'>No alerts.</p>"
    rows = ["<table><tr><th>Severity</th><th>Rule</th><th>Title</th><th>Function</th><th>Principal</th>"
            "<th>Count</th><th>First seen</th><th>Last seen</th></tr>"]
    for a in sorted(alerts, key=lambda a: (-a.severity.rank, a.first_seen or datetime.min)):
        data = a.to_json()
        rows.append(f"<tr><td style='color:{_SEVERITY_COLOUR[a.severity]}'>{_e(a.severity.value)}</td>"
                    f"<td>{_e(a.rule_id)}</td><td>{_e(a.title)}</td><td>{_e(a.function or '')}</td>"
                    f"<td>{_e(a.principal or '')}</td><td>{a.count}</td><td>{_e(data['first_seen'] or '')}</td>"
                    f"<td>{_e(data['last_seen'] or '')}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def render_html(alerts: Sequence[Alert], baselines: Sequence[Baseline], title: str = "faasguard monitor",
                generated: datetime | None = None, max_baselines: int = 24) -> str:
    by_severity = Counter(a.severity for a in alerts)
    cards = "".join(
        f"<div class='card' style='background:{_SEVERITY_COLOUR[s]}'><b>{by_severity.get(s, 0)}</b>{s.value}</div>"
        for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO))
    chosen = sorted(baselines, key=lambda b: (-len(b.anomalies), b.function, b.metric))[:max_baselines]
    charts = "".join(_baseline_chart(b) for b in chosen) or "<p class='muted'>No baselines learned yet.</p>"
    stamp = f"{generated:%Y-%m-%d %H:%M} UTC" if generated else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body><h1>{_e(title)}</h1><div class="muted">{len(alerts)} alert(s) {_e(stamp)}</div>
<div class="cards">{cards}</div>
<h2>Alerts over time, per function</h2>{_alerts_over_time(alerts)}
<h2>Top rules</h2>{_top_rules(alerts)}
<h2>Baselines</h2>{charts}
<h2>Alerts</h2>{_alert_table(alerts)}
</body></html>
"""
