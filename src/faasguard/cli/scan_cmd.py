"""``faasguard scan`` and ``faasguard rules``."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import typer

from faasguard.cli.app import app

FORMATS = ("table", "json", "sarif", "junit", "markdown", "cyclonedx")


def pair_output_files(args: list[str]) -> list[str]:
    """``-o sarif --output-file r.sarif -o table`` -> ``-o sarif=r.sarif -o table``: each
    ``--output-file`` belongs to the ``-o`` just before it."""
    out: list[str] = []
    last_fmt_index: int | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-o", "--output") and i + 1 < len(args):
            out += [arg, args[i + 1]]
            last_fmt_index = len(out) - 1
            i += 2
            continue
        if arg.startswith("--output=") or (arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--")):
            out.append("-o")
            out.append(arg.split("=", 1)[1] if arg.startswith("--output=") else arg[2:])
            last_fmt_index = len(out) - 1
            i += 1
            continue
        if arg == "--output-file" and i + 1 < len(args) or arg.startswith("--output-file="):
            path = args[i + 1] if arg == "--output-file" else arg.split("=", 1)[1]
            i += 2 if arg == "--output-file" else 1
            if last_fmt_index is not None and "=" not in out[last_fmt_index]:
                out[last_fmt_index] += "=" + path
            else:
                out += ["--output-file", path]  # no -o before it: applies to the default format
            continue
        out.append(arg)
        i += 1
    return out


def _is_interactive() -> bool:
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")


def _given(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


@app.command("scan")
def scan_command(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), help="Directory (or file) to scan."),
    output: list[str] = typer.Option(None, "--output", "-o",
                                     help=f"Output format ({', '.join(FORMATS)}); repeatable. "
                                          "Follow it with --output-file to write that format to a file."),
    output_file: str = typer.Option(None, "--output-file",
                                    help="File for the preceding -o format."),
    fail_on: str = typer.Option("high", "--fail-on", help="Exit 1 when a finding is at or above this "
                                "severity (critical, high, medium, low, info)."),
    soft_fail: bool = typer.Option(False, "--soft-fail", help="Always exit 0 unless the scan crashed."),
    check: list[str] = typer.Option(None, "--check", "-c", help="Run only these rule ids (prefix* allowed)."),
    skip_check: list[str] = typer.Option(None, "--skip-check", help="Skip these rule ids (prefix* allowed)."),
    stage: str = typer.Option(None, "--stage", "-s", help="Serverless stage (default: dev)."),
    region: str = typer.Option(None, "--region", help="Region used to resolve ${opt:region}, AWS::Region."),
    var: list[str] = typer.Option(None, "--var", help="KEY=VALUE for ${opt:KEY}/${param:KEY}; repeatable."),
    framework: list[str] = typer.Option(None, "--framework", "-f",
                                        help="Only these IaC frameworks: serverless, cloudformation (incl. SAM "
                                             "and CDK output), terraform, chalice, zappa; repeatable or "
                                             "comma-separated."),
    allow_env: bool = typer.Option(False, "--allow-env",
                                   help="Let ${env:X} read this process's environment (off: CI secrets "
                                        "must not leak into reports of untrusted code)."),
    config: Path = typer.Option(None, "--config", help="Config file (default: .faasguard.yaml or "
                                "[tool.faasguard] in pyproject.toml)."),
    show_config: bool = typer.Option(False, "--show-config", help="Print the merged configuration and exit."),
    baseline: str = typer.Option(None, "--baseline", help="Ignore findings recorded in this baseline file."),
    create_baseline: Path = typer.Option(None, "--create-baseline",
                                         help="Write all current findings to this baseline file."),
    show_suppressed: bool = typer.Option(False, "--show-suppressed", help="List suppressed findings too."),
    no_inline_suppressions: bool = typer.Option(False, "--no-inline-suppressions",
                                                help="Ignore inline and metadata suppressions (audits)."),
    fail_on_error: bool = typer.Option(False, "--fail-on-error", help="Exit 1 if any file could not be read."),
    fail_on_unaudited: bool = typer.Option(False, "--fail-on-unaudited",
                                           help="Exit 1 if some dependency could not be checked."),
    vulndb: str = typer.Option(None, "--vulndb", help="Vulnerability database directory."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0,
                             help="Worker processes for large trees (0: one per core, up to 4)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Scan serverless applications: IaC configuration, IAM, code, secrets, dependencies."""
    from faasguard.config import ConfigError, parse_vars, resolve

    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    try:
        cli: dict[str, Any] = {}
        for name, value in (("output", output), ("fail_on", fail_on), ("soft_fail", soft_fail),
                            ("check", check), ("skip_check", skip_check), ("stage", stage),
                            ("region", region), ("allow_env", allow_env), ("baseline", baseline),
                            ("show_suppressed", show_suppressed), ("fail_on_error", fail_on_error),
                            ("fail_on_unaudited", fail_on_unaudited), ("vulndb", vulndb),
                            ("framework", framework)):
            if _given(ctx, name):
                cli[name] = value
        if _given(ctx, "var"):
            cli["var"] = parse_vars(var or [])
        if _given(ctx, "no_inline_suppressions"):
            cli["inline_suppressions"] = not no_inline_suppressions
        if output_file and not output:
            cli["output"] = [f"table={output_file}"]
        if not path.exists():
            raise ConfigError(f"path does not exist: {path}")
        settings = resolve(path, cli, config)
    except ConfigError as exc:
        typer.echo(f"faasguard: error: {exc}", err=True)
        raise typer.Exit(2) from None
    if show_config:
        typer.echo(json.dumps(settings.as_dict(), indent=2))
        raise typer.Exit(0)
    try:
        code = _run_scan(path, settings, create_baseline, quiet or not _is_interactive(), jobs)
    except typer.Exit:
        raise
    except Exception as exc:
        if debug:
            raise
        typer.echo(f"faasguard: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                   err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _outputs(settings_output: tuple[str, ...]) -> list[tuple[str, str | None]]:
    outs: list[tuple[str, str | None]] = []
    for item in settings_output:
        fmt, _, file = item.partition("=")
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            typer.echo(f"faasguard: error: unknown output format {fmt!r} (choose from {', '.join(FORMATS)})",
                       err=True)
            raise typer.Exit(2)
        outs.append((fmt, file or None))
    return outs or [("table", None)]


def _run_scan(path: Path, settings: Any, create_baseline: Path | None, quiet: bool, jobs: int = 0) -> int:
    from faasguard.baseline import BaselineError, read_baseline, write_baseline
    from faasguard.loaders.base import LoadOptions
    from faasguard.scan import ScanOptions, scan

    outputs = _outputs(settings.output)
    accepted: frozenset[str] = frozenset()
    if settings.baseline:
        try:
            accepted = read_baseline(Path(settings.baseline))
        except BaselineError as exc:
            typer.echo(f"faasguard: error: {exc}", err=True)
            raise typer.Exit(2) from None
    options = ScanOptions(
        load=LoadOptions(stage=settings.stage, region=settings.region, variables=dict(settings.var),
                         allow_env=settings.allow_env, frameworks=settings.framework),
        checks=settings.check, skip_checks=settings.skip_check,
        inline_suppressions=settings.inline_suppressions, baseline=accepted,
        analyzer_options={"vulndb": settings.vulndb, "offline": settings.offline}, jobs=jobs,
    )
    result = _scan_with_progress(path, options, quiet, scan)
    if create_baseline is not None:
        count = write_baseline(create_baseline, result.findings)
        typer.echo(f"faasguard: wrote {count} fingerprints to {create_baseline}", err=True)
    _emit(result, outputs, settings.show_suppressed)
    return _exit_code(result, settings)


def _scan_with_progress(path: Path, options: Any, quiet: bool, scan: Any) -> Any:
    if quiet:
        return scan(path, options)
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("scanning…") as status:
        return scan(path, options, progress=lambda name: status.update(f"scanning {name}…"))


def _emit(result: Any, outputs: list[tuple[str, str | None]], show_suppressed: bool) -> None:
    from faasguard.report import render

    for fmt, file in outputs:
        if fmt == "cyclonedx":
            from faasguard.sbom import render_sbom

            text = render_sbom(result)
        else:
            color = None if file is None else False
            text = render(result, fmt, show_suppressed=show_suppressed, color=color)
        if file:
            Path(file).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _exit_code(result: Any, settings: Any) -> int:
    if settings.soft_fail:
        return 0
    if result.at_or_above(settings.fail_on):
        return 1
    if settings.fail_on_error and result.errors:
        return 1
    if settings.fail_on_unaudited and any(e.kind.value == "database" for e in result.errors):
        return 1
    return 0


@app.command("rules")
def rules_command(
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """List every rule: id, severity, category, title, references."""
    from faasguard.analyzers.registry import all_rule_meta

    metas = all_rule_meta()
    if fmt == "json":
        typer.echo(json.dumps([
            {"id": m.id, "title": m.title, "severity": m.severity.value, "category": m.category,
             "cwe": list(m.cwe), "references": list(m.references), "remediation": m.remediation}
            for m in metas], indent=2))
        return
    if fmt != "table":
        typer.echo(f"faasguard: error: unknown format {fmt!r} (table or json)", err=True)
        raise typer.Exit(2)
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(metas)} rules", show_lines=False)
    for column in ("id", "severity", "category", "title", "references"):
        table.add_column(column, overflow="fold")
    for m in metas:
        table.add_row(m.id, m.severity.value, m.category, m.title, ", ".join(m.references + m.cwe))
    Console(width=max(120, Console().width)).print(table)
