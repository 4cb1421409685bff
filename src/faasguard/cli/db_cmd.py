"""``faasguard db``: build and inspect the local OSV vulnerability database.

``update`` is the only command of faasguard that uses the network.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Local vulnerability database (OSV): import, update, status.", no_args_is_help=True)

_VULNDB_HELP = "Database directory (default: $FAASGUARD_VULNDB or ~/.cache/faasguard/vulndb)."


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., help="A folder of OSV records (YAML/JSON) or an OSV zip export."),
    vulndb: str = typer.Option(None, "--vulndb", help=_VULNDB_HELP),
) -> None:
    """Build (or extend) the local index from OSV records on disk. No network."""
    from faasguard.vulndb import import_path, resolve_dir

    if not path.exists():
        typer.echo(f"error: {path} does not exist", err=True)
        raise typer.Exit(2)
    directory = resolve_dir(vulndb)
    try:
        report = import_path(path, directory)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"imported {report.records} advisories ({', '.join(sorted(report.ecosystems)) or 'no ecosystem'}) "
               f"from {path}; {report.withdrawn} withdrawn dropped; {len(report.errors)} unreadable")
    for error in report.errors[:10]:
        typer.echo(f"  skipped {error}", err=True)
    typer.echo(f"index: {report.index}  sha256 of source: {report.sha256}")
    if report.records == 0:
        raise typer.Exit(1)


@app.command("update")
def update_command(
    ecosystem: str = typer.Option("PyPI,npm", "--ecosystem", "-e",
                                  help="Comma-separated OSV ecosystems to download (PyPI, npm, Go, Maven, ...)."),
    vulndb: str = typer.Option(None, "--vulndb", help=_VULNDB_HELP),
) -> None:
    """Download the OSV per-ecosystem exports and index them (uses the network)."""
    from faasguard.vulndb import resolve_dir
    from faasguard.vulndb.update import update

    ecosystems = [e.strip() for e in ecosystem.split(",") if e.strip()]
    directory = resolve_dir(vulndb)
    try:
        reports = update(directory, ecosystems, progress=lambda msg: typer.echo(msg, err=True))
    except (OSError, ValueError) as exc:
        typer.echo(f"error: update failed, the existing database is unchanged: {exc}", err=True)
        raise typer.Exit(1) from None
    for report in reports:
        typer.echo(f"{report.source}: {report.records} advisories, {report.withdrawn} withdrawn dropped, "
                   f"sha256 {report.sha256}")
    typer.echo(f"index: {directory}")


@app.command("status")
def status_command(
    vulndb: str = typer.Option(None, "--vulndb", help=_VULNDB_HELP),
) -> None:
    """Where the database is, what it holds and where it came from. Exit 1 when there is none."""
    from faasguard.vulndb import VulnDB, index_path, resolve_dir

    directory = resolve_dir(vulndb)
    db = VulnDB.open(directory)
    if db is None and index_path(directory).exists():
        typer.echo(f"the vulnerability database at {index_path(directory)} is unreadable or from another faasguard "
                   "version: rebuild it with `faasguard db import PATH` or `faasguard db update`.")
        raise typer.Exit(1)
    if db is None:
        typer.echo(f"no vulnerability database at {index_path(directory)}: dependencies cannot be audited.\n"
                   "Build one with `faasguard db import PATH` (OSV folder or zip) or `faasguard db update`.")
        raise typer.Exit(1)
    typer.echo(f"database: {db.path}")
    typer.echo(f"built: {db.built_at}")
    typer.echo(f"advisories: {db.advisory_count()}  ecosystems: {', '.join(sorted(db.ecosystems))}")
    for source in db.sources():
        typer.echo(f"source: {source.source} ({source.kind}, {source.imported_at}) records={source.records} "
                   f"withdrawn={source.withdrawn} errors={source.errors} sha256={source.sha256}")
    db.close()
