"""The typer application. Sub-command groups live in their own modules (``*_cmd.py``) and are
added here; a group whose module is not installed is left out rather than breaking the CLI."""

from __future__ import annotations

import importlib
import sys

import typer

from faasguard import __version__

app = typer.Typer(
    name="faasguard",
    help="Security for serverless applications: scan, fix, protect, detect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (module, attribute, name) of each sub-command group; a module exposes a typer.Typer.
_GROUPS = (
    ("faasguard.cli.monitor_cmd", "app", "monitor"),
    ("faasguard.cli.respond_cmd", "app", "respond"),
    ("faasguard.cli.guard_cmd", "app", "guard"),
    ("faasguard.cli.db_cmd", "app", "db"),
)
# Modules that add plain commands to the root app when imported (scan, rules, iam, fix, sbom).
_COMMAND_MODULES = (
    "faasguard.cli.scan_cmd",
    "faasguard.cli.iam_cmd",
    "faasguard.cli.sbom_cmd",
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"faasguard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", callback=_version_callback, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """faasguard: security for serverless applications."""


def _optional_import(module: str) -> object | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def build() -> typer.Typer:
    for module in _COMMAND_MODULES:
        _optional_import(module)
    for module, attr, name in _GROUPS:
        mod = _optional_import(module)
        if mod is not None:
            app.add_typer(getattr(mod, attr), name=name)
    return app


def run(args: list[str]) -> int:
    cli = build()
    if args and args[0] == "scan":
        from faasguard.cli.scan_cmd import pair_output_files

        args = pair_output_files(args)
    try:
        cli(args=args, prog_name="faasguard", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 2
    return 0
