"""`faasguard respond ...`: incident-response actions, recorded in the monitor store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(help="Incident response: quarantine functions, lock down roles, tag for forensics, release.",
                  no_args_is_help=True, add_completion=False)

DB_OPTION = typer.Option(Path(".faasguard/monitor.duckdb"), "--db", help="Where actions are recorded.")
REASON_OPTION = typer.Option("", "--reason", help="Why (recorded with the action).")
ACTOR_OPTION = typer.Option(None, "--actor", help="Who (default: $FAASGUARD_ACTOR or the OS user).")
RULE_OPTION = typer.Option(None, "--rule", help="Rule id that prompted the action.")
REGION_OPTION = typer.Option(None, "--region")
ENDPOINT_OPTION = typer.Option(None, "--endpoint-url", help="AWS endpoint (tests, LocalStack, moto).")
PROFILE_OPTION = typer.Option(None, "--profile")


def _responder(db: Path, actor: str | None, region: str | None, endpoint_url: str | None,
               profile: str | None) -> Any:
    from faasguard.monitor import store
    from faasguard.monitor.response import Responder, boto3_factory

    try:
        con = store.connect(db)
    except store.StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        clients = boto3_factory(region=region, endpoint_url=endpoint_url, profile=profile)
    except Exception as exc:  # botocore's ProfileNotFound and friends
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    return Responder(con, clients, actor=actor)


def _run(db: Path, actor: str | None, region: str | None, endpoint_url: str | None, profile: str | None,
         action: str, target: str, reason: str, rule: str | None) -> None:
    from faasguard.monitor.response import ResponseError

    responder = _responder(db, actor, region, endpoint_url, profile)
    try:
        record = responder.apply(action, target, reason, rule)
    except ResponseError as exc:
        typer.echo(f"error: {action} {target}: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        responder.con.close()
    typer.echo(f"#{record.id} {record.action} {record.target}: {record.detail} "
               f"(release with `faasguard respond release {record.id}`)")


@app.command()
def quarantine(function: str = typer.Argument(..., help="Function name or ARN."), db: Path = DB_OPTION,
               reason: str = REASON_OPTION, actor: str = ACTOR_OPTION, rule: str = RULE_OPTION,
               region: str = REGION_OPTION, endpoint_url: str = ENDPOINT_OPTION, profile: str = PROFILE_OPTION) -> None:
    """Stop a function from running: reserved concurrency 0."""
    _run(db, actor, region, endpoint_url, profile, "quarantine", function, reason, rule)


@app.command()
def tag(function: str = typer.Argument(..., help="Function name or ARN."), db: Path = DB_OPTION,
        reason: str = REASON_OPTION, actor: str = ACTOR_OPTION, rule: str = RULE_OPTION,
        region: str = REGION_OPTION, endpoint_url: str = ENDPOINT_OPTION, profile: str = PROFILE_OPTION) -> None:
    """Tag a function for forensics (faasguard:forensics=hold, reason, time)."""
    _run(db, actor, region, endpoint_url, profile, "tag", function, reason, rule)


@app.command("deny-all")
def deny_all(role: str = typer.Argument(..., help="Role name or ARN."), db: Path = DB_OPTION,
             reason: str = REASON_OPTION, actor: str = ACTOR_OPTION, rule: str = RULE_OPTION,
             region: str = REGION_OPTION, endpoint_url: str = ENDPOINT_OPTION,
             profile: str = PROFILE_OPTION) -> None:
    """Add an inline policy denying every action to a role."""
    _run(db, actor, region, endpoint_url, profile, "deny-all", role, reason, rule)


@app.command()
def detach(role: str = typer.Argument(..., help="Role name or ARN."), db: Path = DB_OPTION,
           reason: str = REASON_OPTION, actor: str = ACTOR_OPTION, rule: str = RULE_OPTION,
           region: str = REGION_OPTION, endpoint_url: str = ENDPOINT_OPTION, profile: str = PROFILE_OPTION) -> None:
    """Detach every managed policy from a role (release re-attaches them)."""
    _run(db, actor, region, endpoint_url, profile, "detach", role, reason, rule)


@app.command("revoke-sessions")
def revoke_sessions(role: str = typer.Argument(..., help="Role name or ARN."), db: Path = DB_OPTION,
                    reason: str = REASON_OPTION, actor: str = ACTOR_OPTION, rule: str = RULE_OPTION,
                    region: str = REGION_OPTION, endpoint_url: str = ENDPOINT_OPTION,
                    profile: str = PROFILE_OPTION) -> None:
    """Deny everything to the role's sessions issued before now (aws:TokenIssueTime)."""
    _run(db, actor, region, endpoint_url, profile, "revoke-sessions", role, reason, rule)


@app.command()
def release(action_id: int = typer.Argument(..., help="Id printed when the action was taken."),
            db: Path = DB_OPTION, reason: str = REASON_OPTION, actor: str = ACTOR_OPTION,
            region: str = REGION_OPTION, endpoint_url: str = ENDPOINT_OPTION, profile: str = PROFILE_OPTION) -> None:
    """Undo a recorded action."""
    from faasguard.monitor.response import ResponseError

    responder = _responder(db, actor, region, endpoint_url, profile)
    try:
        record = responder.release(action_id, reason)
    except ResponseError as exc:
        typer.echo(f"error: release {action_id}: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        responder.con.close()
    typer.echo(f"#{record.id} {record.action} {record.target}: released by {record.released_by}")


@app.command()
def history(db: Path = DB_OPTION, output: str = typer.Option("table", "-o", "--output", help="table | json")) -> None:
    """List recorded actions: who, when, why, and whether they were released."""
    from faasguard.monitor import store
    from faasguard.monitor.response import Responder

    try:
        con = store.connect(db)
    except store.StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    records = Responder(con, lambda service: None).history()
    con.close()
    if output == "json":
        typer.echo(json.dumps([r.to_json() for r in records], indent=2))
        return
    for r in records:
        typer.echo(f"#{r.id} {r.taken_at:%Y-%m-%d %H:%M:%S} {r.action:15} {r.target} by {r.actor} "
                   f"[{r.status}] {r.reason}")
