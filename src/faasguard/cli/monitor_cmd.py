"""`faasguard monitor ...`: ingest logs, detect, alert, report, export the rules as SQL."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(help="Detection over CloudTrail, Lambda logs and runtime-guard events.",
                  no_args_is_help=True, add_completion=False)

DB_OPTION = typer.Option(Path(".faasguard/monitor.duckdb"), "--db", help="The monitor's DuckDB store.")
RULES_OPTION = typer.Option(None, "--rules", help="Extra Sigma rule folder or file (repeatable), e.g. SigmaHQ's "
                                                  "rules/cloud/aws.")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _open(db: Path, read_only: bool = False) -> Any:
    from faasguard.monitor import store

    try:
        return store.connect(db, read_only=read_only)
    except store.StoreError as exc:
        raise _fail(str(exc)) from None


def _severity(text: str) -> Any:
    from faasguard.model.finding import Severity

    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise _fail(str(exc)) from None


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders: CloudTrail (S3 files, NDJSON, EventBridge), "
                                                 "Lambda log exports, guard events. gzip is fine."),
    db: Path = DB_OPTION,
    function: str = typer.Option(None, "--function", help="Function the log files belong to, when the log group "
                                                          "is not in the data or the path."),
    chunk_mb: int = typer.Option(512, "--chunk-mb", min=1,
                                 help="Commit at least every N MiB of NDJSON (a resume point)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar for large files."),
) -> None:
    """Ingest files into the store; idempotent by event id, resumable after an interruption."""
    from faasguard.monitor import ingest as ingest_mod

    con = _open(db)
    bar_ctx = _progress_factory(progress)
    with bar_ctx as make_callback:
        report = ingest_mod.ingest(con, paths, function=function, chunk_bytes=chunk_mb * 1024 * 1024,
                                   progress=make_callback)
    con.close()
    for item in report.files:
        if item.error:
            typer.echo(f"{item.path}: {item.error}", err=True)
        elif item.already_done:
            typer.echo(f"{item.path}: already ingested ({item.kind.value})")
        else:
            resumed = f", resumed at byte {item.resumed_from}" if item.resumed_from else ""
            typer.echo(f"{item.path}: {item.added} new ({item.kind.value}), {item.skipped_duplicates} already "
                       f"stored, {item.unreadable} unreadable{resumed}")
    typer.echo(f"{report.added} new record(s) in {db}")
    if report.errors and len(report.errors) == len(report.files):
        raise typer.Exit(2)


class _NoProgress:
    def __enter__(self) -> Callable[[Path], None]:
        return lambda path: None

    def __exit__(self, *exc: object) -> None:
        return None


class _RichProgress:
    """A bar per file bigger than 32 MiB, on stderr, only when stderr is a terminal."""

    def __enter__(self) -> Callable[[Path], Callable[[int, int], None] | None]:
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self.progress = Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                                 TimeRemainingColumn(), transient=True)
        self.progress.start()

        def make(path: Path) -> Callable[[int, int], None] | None:
            try:
                size = path.stat().st_size
            except OSError:
                return None
            if size < 32 * 1024 * 1024:
                return None
            task = self.progress.add_task(path.name, total=size)
            return lambda done, total: self.progress.update(task, completed=done, total=total)

        return make

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _progress_factory(enabled: bool) -> Any:
    return _RichProgress() if enabled and sys.stderr.isatty() else _NoProgress()


def _parse_time(text: str | None, option: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(f"{option}: not an ISO-8601 time: {text!r}") from None
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def _collect(db: Path, rules: list[Path] | None, builtin: bool, anomalies: bool, learn_hours: int,
             threshold: float, since: datetime | None = None,
             until: datetime | None = None) -> tuple[Any, list[Any], list[Any], Any]:
    from faasguard.monitor import anomaly, detect, sigma_sql

    if not db.exists():
        raise _fail(f"{db}: no such store (run `faasguard monitor ingest PATH --db {db}` first)")
    con = _open(db)
    ruleset = sigma_sql.load_rules(rules or [], include_builtin=builtin)
    run = detect.run_rules(con, ruleset, since=since, until=until)
    alerts = list(run.alerts)
    baselines: list[Any] = []
    if anomalies:
        result = anomaly.run_baselines(con, anomaly.Settings(learn_hours=learn_hours, threshold=threshold))
        alerts.extend(result.alerts)
        baselines = result.baselines
    for rule, reason in ruleset.skipped + run.errors:
        typer.echo(f"skipped rule {rule}: {reason}", err=True)
    return con, alerts, baselines, ruleset


@app.command()
def detect(
    db: Path = DB_OPTION,
    rules: list[Path] = RULES_OPTION,
    builtin: bool = typer.Option(True, "--builtin/--no-builtin", help="Include faasguard's own rules."),
    output: str = typer.Option("table", "-o", "--output", help="table | json (one JSON document) | jsonl"),
    min_severity: str = typer.Option("info", "--min-severity", help="Only alerts at or above this severity."),
    anomalies: bool = typer.Option(True, "--anomalies/--no-anomalies", help="Also run per-function baselines."),
    learn_hours: int = typer.Option(168, "--learn-hours", min=1, help="Learning window of the baselines."),
    threshold: float = typer.Option(6.0, "--threshold", help="Robust z-score above which an hour is anomalous."),
    auto_respond: list[str] = typer.Option(None, "--auto-respond", help="Rule id (or 'all') whose declared "
                                                                        "response actions run automatically."),
    region: str = typer.Option(None, "--region", help="AWS region for automatic response."),
    endpoint_url: str = typer.Option(None, "--endpoint-url", help="AWS endpoint (tests, LocalStack, moto)."),
    fail_on: str = typer.Option(None, "--fail-on", help="Exit 1 when an alert at or above this severity exists."),
    since: str = typer.Option(None, "--since", help="Only events at or after this time (ISO-8601, UTC)."),
    until: str = typer.Option(None, "--until", help="Only events before this time (ISO-8601, UTC)."),
) -> None:
    """Run the Sigma rules (and baselines) over the store and print the alerts."""
    from faasguard.monitor.detect import filter_alerts

    if output not in ("table", "json", "jsonl"):
        raise _fail("--output must be table, json or jsonl")
    floor = _severity(min_severity)
    start, end = _parse_time(since, "--since"), _parse_time(until, "--until")
    con, alerts, _, _ = _collect(db, rules, builtin, anomalies, learn_hours, threshold, start, end)
    alerts = filter_alerts(alerts, floor)
    if output == "json":
        typer.echo(json.dumps([a.to_json() for a in alerts], indent=2, default=str))
    elif output == "jsonl":
        for alert in alerts:
            typer.echo(json.dumps(alert.to_json(), default=str))
    else:
        _print_table(alerts)
    if auto_respond:
        _auto_respond(con, alerts, set(auto_respond), region, endpoint_url)
    con.close()
    if fail_on and any(a.severity.at_least(_severity(fail_on)) for a in alerts):
        raise typer.Exit(1)


def _print_table(alerts: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(alerts)} alert(s)")
    for column in ("severity", "rule", "title", "function", "principal", "count", "first seen"):
        table.add_column(column)
    for a in alerts:
        data = a.to_json()
        table.add_row(a.severity.value, a.rule_id, a.title, a.function or "", a.principal or "", str(a.count),
                      data["first_seen"] or "")
    Console(width=200).print(table)


def _auto_respond(con: Any, alerts: list[Any], chosen: set[str], region: str | None,
                  endpoint_url: str | None) -> None:
    from faasguard.monitor.response import Responder, ResponseError, boto3_factory

    responder = Responder(con, boto3_factory(region=region, endpoint_url=endpoint_url), actor="faasguard-auto")
    for alert in alerts:
        if not alert.auto_response or not ("all" in chosen or alert.rule_id in chosen):
            continue
        for action in alert.auto_response:
            target = alert.function if action in ("quarantine", "tag") else alert.principal
            if not target:
                continue
            try:
                record = responder.apply(action, target, f"automatic response to {alert.rule_id}", alert.rule_id)
                typer.echo(f"auto-response #{record.id}: {action} {record.target} ({record.detail})", err=True)
            except ResponseError as exc:
                typer.echo(f"auto-response {action} {target} failed: {exc}", err=True)


@app.command()
def alert(
    db: Path = DB_OPTION,
    rules: list[Path] = RULES_OPTION,
    webhook: list[str] = typer.Option(None, "--webhook", help="POST each alert's JSON to this URL (repeatable)."),
    slack: list[str] = typer.Option(None, "--slack", help="Slack incoming-webhook URL (repeatable)."),
    stdout: bool = typer.Option(False, "--stdout", help="Write alerts as JSON lines to stdout."),
    min_severity: str = typer.Option("medium", "--min-severity"),
    max_per_minute: int = typer.Option(30, "--max-per-minute", min=1),
    anomalies: bool = typer.Option(True, "--anomalies/--no-anomalies"),
    learn_hours: int = typer.Option(168, "--learn-hours", min=1),
) -> None:
    """Send new alerts (de-duplicated against what was already sent) to the chosen sinks."""
    from faasguard.monitor.alerts import SlackSink, StdoutSink, WebhookSink, dispatch

    sinks: list[Any] = [WebhookSink(u) for u in webhook or []] + [SlackSink(u) for u in slack or []]
    if stdout or not sinks:
        sinks.append(StdoutSink())
    con, alerts, _, _ = _collect(db, rules, True, anomalies, learn_hours, 6.0)
    report = dispatch(con, alerts, sinks, _severity(min_severity), max_per_minute)
    con.close()
    typer.echo(f"sent {report.sent}, already sent {report.duplicates}, rate-limited {report.suppressed}, "
               f"below threshold {report.below_threshold}", err=True)
    for sink, error in report.failed:
        typer.echo(f"{sink}: delivery failed: {error}", err=True)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def report(
    db: Path = DB_OPTION,
    output: Path = typer.Option(Path("faasguard-monitor.html"), "-o", "--output"),
    rules: list[Path] = RULES_OPTION,
    learn_hours: int = typer.Option(168, "--learn-hours", min=1),
) -> None:
    """Write a self-contained HTML report (opens offline)."""
    from faasguard.monitor.report import render_html

    con, alerts, baselines, _ = _collect(db, rules, True, True, learn_hours, 6.0)
    con.close()
    page = render_html(alerts, baselines, generated=datetime.now(timezone.utc))
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc}") from None
    typer.echo(f"wrote {output} ({len(alerts)} alerts, {len(baselines)} baselines)")


@app.command("export-sql")
def export_sql(
    dialect: str = typer.Option("trino", "--dialect", help="trino | athena | spark | duckdb"),
    table: str = typer.Option("cloudtrail_logs", "--table", help="The CloudTrail table (Athena's documented DDL)."),
    rules: list[Path] = RULES_OPTION,
    output: Path = typer.Option(None, "-o", "--output", help="Write to a file instead of stdout."),
) -> None:
    """Print every CloudTrail rule as SQL for Athena/Trino or Spark."""
    from faasguard.monitor.export import ExportError, export, render

    try:
        queries, skipped = export(dialect, table, rules or [])
    except ExportError as exc:
        raise _fail(str(exc)) from None
    text = render(queries, dialect)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(queries)} queries to {output}")
    else:
        typer.echo(text)
    for rule, reason in skipped:
        typer.echo(f"skipped {rule}: {reason}", err=True)


@app.command("rules")
def list_rules(rules: list[Path] = RULES_OPTION,
               builtin: bool = typer.Option(True, "--builtin/--no-builtin")) -> None:
    """List the rules that would run, and the ones skipped with the reason."""
    from faasguard.monitor.sigma_sql import load_rules

    ruleset = load_rules(rules or [], include_builtin=builtin)
    for rule in ruleset.rules:
        typer.echo(f"{rule.rule_id:16} {rule.severity.value:8} {rule.target:10} {rule.title}")
    for rule_name, reason in ruleset.skipped:
        typer.echo(f"skipped: {rule_name}: {reason}", err=True)


@app.command()
def evaluate(data: Path = typer.Option(None, "--data", help="Folder with the labelled CloudTrail sets "
                                                           "(default: ../shared/data/cloudtrail)."),
             rules: list[Path] = RULES_OPTION,
             builtin: bool = typer.Option(True, "--builtin/--no-builtin",
                                          help="Include faasguard's rules (--no-builtin to measure only --rules).")
             ) -> None:
    """Technique coverage on Stratus Red Team logs and false alerts on Invictus-IR set-up events."""
    from faasguard.monitor import evaluate as evaluate_mod
    from faasguard.monitor.sigma_sql import load_rules

    folder = data or evaluate_mod.default_data_dir()
    if folder is None or not (folder / evaluate_mod.STRATUS_FILE).is_file():
        raise _fail("labelled CloudTrail data not found; pass --data DIR")
    result = evaluate_mod.evaluate(folder, load_rules(rules or [], include_builtin=builtin))
    typer.echo("\n".join(result.lines()))
