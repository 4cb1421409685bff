"""``faasguard sbom PATH``: CycloneDX 1.6 JSON of the application, one component per function."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from faasguard.cli.app import app


@app.command("sbom")
def sbom_command(
    path: Path = typer.Argument(Path("."), help="Directory (or IaC file) of the application."),
    output_file: Path = typer.Option(None, "--output-file", "-f", help="Write the SBOM here instead of stdout."),
    timestamp: str = typer.Option(None, "--timestamp",
                                  help="Fixed metadata timestamp (ISO 8601 or epoch seconds) for reproducible "
                                       "output; default: $SOURCE_DATE_EPOCH, else now."),
    stage: str = typer.Option(None, "--stage", "-s", help="Serverless stage (default: dev)."),
    region: str = typer.Option(None, "--region", help="Region used to resolve ${opt:region}, AWS::Region."),
    var: list[str] = typer.Option(None, "--var", help="KEY=VALUE for ${opt:KEY}/${param:KEY}; repeatable."),
) -> None:
    """Write a CycloneDX 1.6 SBOM: functions with runtime, handler and triggers, and the packages each ships."""
    from faasguard.loaders import LoadOptions, load_tree
    from faasguard.sbom import TimestampError, build_bom, parse_timestamp, to_json

    if not path.exists():
        typer.echo(f"error: {path} does not exist", err=True)
        raise typer.Exit(2)
    try:
        fixed = parse_timestamp(timestamp)
    except TimestampError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    variables = dict(v.split("=", 1) for v in (var or []) if "=" in v)
    root = path.resolve()
    loaded = load_tree(root, LoadOptions(stage=stage, region=region, variables=variables))
    for error in loaded.errors:
        typer.echo(f"warning: {error.file}: {error.message}", err=True)
    if not loaded.applications:
        typer.echo(f"error: no serverless application found under {path}", err=True)
        raise typer.Exit(1)
    scan_root = root if root.is_dir() else root.parent
    text = to_json(build_bom(loaded.applications, scan_root, timestamp=fixed))
    if output_file:
        output_file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
