"""``faasguard guard``: the runtime guard's tooling (the guard itself lives in faasguard.guard)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Runtime guard: build the Lambda layer, check strings and events.", no_args_is_help=True)


@app.command("build-layer")
def build_layer_command(
    output: Path = typer.Option(Path("dist/faasguard-guard-layer.zip"), "--output", "-o",
                                help="Where to write the layer zip."),
) -> None:
    """Build a Lambda layer zip with only the runtime guard (standard library only)."""
    from faasguard.guard.layer import build_layer

    try:
        names = build_layer(output)
    except OSError as exc:
        typer.echo(f"error: cannot write {output}: {exc}", err=True)
        raise typer.Exit(2) from None
    size = output.stat().st_size
    typer.echo(f"wrote {output} ({len(names)} files, {size} bytes)")
    typer.echo("set the function handler to faasguard.guard.wrapper.handler and FAASGUARD_HANDLER=<module.function>")


@app.command("check")
def check_command(
    value: str = typer.Argument(..., help="A string to run the detectors on, or @file.json for a whole event."),
) -> None:
    """Print the detections for one string or one event file (exit 1 when something is found)."""
    from faasguard.guard.inspection import detect, inspect

    if value.startswith("@"):
        path = Path(value[1:])
        try:
            event = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            typer.echo(f"error: cannot read event {path}: {exc}", err=True)
            raise typer.Exit(2) from None
        found = inspect(event)
    else:
        found = detect(value)
    for d in found:
        typer.echo(f"{d.rule_id}\t{d.category}\t{d.field or '-'}\t{d.excerpt}")
    if found:
        raise typer.Exit(1)
    typer.echo("no detections")
