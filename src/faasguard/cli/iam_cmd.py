"""``faasguard iam`` (needed vs granted, least-privilege policies) and ``faasguard fix --iam``."""

from __future__ import annotations

from pathlib import Path

import typer

from faasguard.cli.app import app

_FORMATS = ("table", "json", "serverless", "sam", "cloudformation", "cloudformation-json", "terraform")


def _options(stage: str | None, region: str | None, var: list[str] | None):  # type: ignore[no-untyped-def]
    from faasguard.loaders.base import LoadOptions

    variables = {}
    for item in var or []:
        key, sep, value = item.partition("=")
        if not sep:
            typer.echo(f"--var expects KEY=VALUE, got {item!r}", err=True)
            raise typer.Exit(2)
        variables[key] = value
    return LoadOptions(stage=stage, region=region, variables=variables)


def _table(pairs) -> str:  # type: ignore[no-untyped-def]
    lines = []
    for app_, results in pairs:
        for fi in results:
            lines.append(f"{app_.name} / {fi.function.id}  role={fi.role_id or '-'}  confidence={fi.confidence}")
            for note in fi.notes:
                lines.append(f"  note: {note}")
            lines.append(f"  needed ({len(fi.needed)}):")
            lines.extend(f"    {r.action:<42} {r.resource}  [{r.reason}]" for r in fi.needed)
            unused = sorted({e.action for e in fi.diff.excess}, key=str.lower)
            total = fi.diff.unused_count
            lines.append(f"  excess ({total}): {', '.join(unused[:20])}{' ...' if len(unused) > 20 else ''}")
            if fi.diff.missing:
                lines.append(f"  missing ({len(fi.diff.missing)}):")
                lines.extend(f"    {r.action:<42} {r.resource}  [{r.reason}]" for r in fi.diff.missing)
            lines.append("")
    return "\n".join(lines) + "\n"


@app.command("iam")
def iam_command(
    path: Path = typer.Argument(Path("."), help="Directory (or file) to analyse."),
    fmt: str = typer.Option("table", "--format", "-f", help=f"Output: {', '.join(_FORMATS)}."),
    function: list[str] = typer.Option(None, "--function", help="Only these function ids; repeatable."),
    stage: str = typer.Option(None, "--stage", "-s", help="Serverless stage (default: dev)."),
    region: str = typer.Option(None, "--region", help="Region used to resolve ${opt:region}, AWS::Region."),
    var: list[str] = typer.Option(None, "--var", help="KEY=VALUE for ${opt:KEY}/${param:KEY}; repeatable."),
) -> None:
    """Per function: what the code and the platform need, what the role grants, the difference,
    and a least-privilege policy."""
    from faasguard.analyzers.iam import policy
    from faasguard.analyzers.iam.analysis import analyse_app
    from faasguard.loaders import load_tree

    if fmt not in _FORMATS:
        typer.echo(f"unknown format {fmt!r} (expected one of: {', '.join(_FORMATS)})", err=True)
        raise typer.Exit(2)
    if not path.exists():
        typer.echo(f"{path} does not exist", err=True)
        raise typer.Exit(2)
    root = path if path.is_dir() else path.parent
    loaded = load_tree(root, _options(stage, region, var))
    for err in loaded.errors:
        typer.echo(f"warning: {err.file}: {err.message}", err=True)
    wanted = set(function or [])
    pairs = []
    for application in loaded.applications:
        if path.is_file() and (root / application.location.file).resolve() != path.resolve():
            continue
        results = [fi for fi in analyse_app(application, root) if not wanted or fi.function.id in wanted]
        if results:
            pairs.append((application, results))
    if fmt == "json":
        typer.echo(policy.render_json(pairs), nl=False)
    elif fmt == "table":
        typer.echo(_table(pairs), nl=False)
    else:
        for application, results in pairs:
            if len(pairs) > 1:
                typer.echo(f"# {application.name} ({application.location.file})")
            if fmt == "serverless":
                v4 = policy.serverless_major_version(application, root) >= 4
                typer.echo(policy.render_serverless(application, results, v4=v4), nl=False)
            elif fmt == "sam":
                typer.echo(policy.render_sam(application, results), nl=False)
            elif fmt == "terraform":
                typer.echo(policy.render_terraform(application, results), nl=False)
            else:
                typer.echo(policy.render_cloudformation(results, as_json=fmt == "cloudformation-json"), nl=False)
    if not pairs:
        typer.echo("no functions found", err=True)


@app.command("fix")
def fix_command(
    path: Path = typer.Argument(..., help="serverless.yml, a SAM template, or a directory holding them."),
    iam: bool = typer.Option(False, "--iam", help="Give each analysed function least-privilege IAM."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print a unified diff instead of writing."),
    stage: str = typer.Option(None, "--stage", "-s", help="Serverless stage (default: dev)."),
    region: str = typer.Option(None, "--region", help="Region used to resolve ${opt:region}, AWS::Region."),
    var: list[str] = typer.Option(None, "--var", help="KEY=VALUE for ${opt:KEY}/${param:KEY}; repeatable."),
) -> None:
    """Rewrite IaC in place, keeping comments, key order and formatting."""
    from faasguard.fix import iam as iam_fix

    if not iam:
        typer.echo("nothing to fix: pass --iam", err=True)
        raise typer.Exit(2)
    if not path.exists():
        typer.echo(f"{path} does not exist", err=True)
        raise typer.Exit(2)
    result = iam_fix.plan(path, _options(stage, region, var))
    for line in result.skipped:
        typer.echo(f"skipped {line}", err=True)
    changed = [f for f in result.files if f.changed]
    if dry_run:
        for f in changed:
            typer.echo(f.diff(f.path.relative_to(result.root).as_posix()), nl=False)
    else:
        for path in iam_fix.apply(result):
            fixed = next(x for x in result.files if x.path == path)
            typer.echo(f"rewrote {path} ({', '.join(fixed.functions)})", err=True)
    if not changed:
        typer.echo("no changes", err=True)
