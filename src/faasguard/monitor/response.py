"""Incident response actions on AWS, each recorded in the store and reversible where AWS allows.

- quarantine a function: reserved concurrency 0 (no invocation runs); release restores the previous
  reserved concurrency (or removes it);
- deny-all on a role: an inline policy denying every action; release deletes it;
- detach a role's managed policies; release re-attaches them;
- revoke a role's older sessions: an inline policy denying every action to sessions whose
  ``aws:TokenIssueTime`` is before now (what the IAM console's "Revoke active sessions" does);
  release deletes it;
- tag a function for forensics; release removes the tags.

Every action is a row in ``response_actions`` with who, when, why, the rule that asked for it and
what is needed to undo it.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import duckdb

DENY_ALL_POLICY = "faasguard-deny-all"
REVOKE_POLICY = "faasguard-revoke-older-sessions"
TAG_PREFIX = "faasguard:"

ClientFactory = Callable[[str], Any]  # service name -> boto3 client


class ResponseError(Exception):
    """An action could not be taken or undone (message says why)."""


@dataclass(frozen=True)
class ActionRecord:
    id: int
    action: str
    target: str
    actor: str
    reason: str
    rule_id: str | None
    taken_at: datetime
    status: str
    undo: dict[str, Any]
    detail: str
    released_at: datetime | None = None
    released_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "action": self.action, "target": self.target, "actor": self.actor,
                "reason": self.reason, "rule_id": self.rule_id, "taken_at": self.taken_at.isoformat(),
                "status": self.status, "undo": self.undo, "detail": self.detail,
                "released_at": self.released_at.isoformat() if self.released_at else None,
                "released_by": self.released_by}


def boto3_factory(region: str | None = None, endpoint_url: str | None = None,
                  profile: str | None = None) -> ClientFactory:
    import boto3  # type: ignore[import-untyped]  # imported here: detection never needs it

    session = boto3.session.Session(profile_name=profile, region_name=region)

    def make(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)

    return make


def default_actor() -> str:
    try:
        return os.environ.get("FAASGUARD_ACTOR") or getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _aws_error(exc: Exception) -> ResponseError:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        return ResponseError(f"{err.get('Code', type(exc).__name__)}: {err.get('Message', str(exc))}")
    return ResponseError(str(exc))


def _role_name(target: str) -> str:
    """A role name from a name, a role ARN or an assumed-role session ARN."""
    if target.startswith("arn:"):
        resource = target.split(":", 5)[-1]
        parts = resource.split("/")
        if parts[0] == "assumed-role" and len(parts) >= 2:
            return parts[1]
        if parts[0] == "role":
            return parts[-1]
    return target


class Responder:
    def __init__(self, con: duckdb.DuckDBPyConnection, clients: ClientFactory, actor: str | None = None):
        self.con = con
        self.clients = clients
        self.actor = actor or default_actor()

    # -- recording --------------------------------------------------------------------------

    def _record(self, action: str, target: str, reason: str, rule_id: str | None, undo: dict[str, Any],
                detail: str, region: str = "") -> ActionRecord:
        row = self.con.execute(
            "INSERT INTO response_actions (id, action, target, region, actor, reason, rule_id, taken_at, undo, "
            "status, detail) VALUES (nextval('action_seq'), ?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?) RETURNING id",
            [action, target, region, self.actor, reason, rule_id, _now(), json.dumps(undo), detail]).fetchone()
        assert row is not None
        return self.get(int(row[0]))

    def get(self, action_id: int) -> ActionRecord:
        row = self.con.execute(
            "SELECT id, action, target, actor, reason, rule_id, taken_at, status, undo, detail, released_at, "
            "released_by FROM response_actions WHERE id = ?", [action_id]).fetchone()
        if row is None:
            raise ResponseError(f"no recorded action with id {action_id}")
        return ActionRecord(id=row[0], action=row[1], target=row[2], actor=row[3], reason=row[4] or "",
                            rule_id=row[5], taken_at=row[6], status=row[7], undo=json.loads(row[8] or "{}"),
                            detail=row[9] or "", released_at=row[10], released_by=row[11])

    def history(self) -> list[ActionRecord]:
        ids = [r[0] for r in self.con.execute("SELECT id FROM response_actions ORDER BY id").fetchall()]
        return [self.get(i) for i in ids]

    # -- actions ----------------------------------------------------------------------------

    def quarantine(self, function: str, reason: str, rule_id: str | None = None) -> ActionRecord:
        client = self.clients("lambda")
        try:
            previous = client.get_function_concurrency(FunctionName=function).get("ReservedConcurrentExecutions")
            client.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=0)
        except Exception as exc:  # botocore's ClientError and connection errors
            raise _aws_error(exc) from None
        return self._record("quarantine", function, reason, rule_id, {"previous_reserved_concurrency": previous},
                            f"reserved concurrency {previous if previous is not None else 'unset'} -> 0")

    def tag(self, function: str, reason: str, rule_id: str | None = None) -> ActionRecord:
        client = self.clients("lambda")
        try:
            arn = client.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
            tags = {f"{TAG_PREFIX}forensics": "hold", f"{TAG_PREFIX}tagged-at": _now().isoformat() + "Z",
                    f"{TAG_PREFIX}reason": reason[:250] or "-"}
            if rule_id:
                tags[f"{TAG_PREFIX}rule"] = rule_id
            client.tag_resource(Resource=arn, Tags=tags)
        except Exception as exc:
            raise _aws_error(exc) from None
        return self._record("tag", function, reason, rule_id, {"arn": arn, "tag_keys": sorted(tags)},
                            f"tagged {arn} with {', '.join(sorted(tags))}")

    def deny_all(self, role: str, reason: str, rule_id: str | None = None) -> ActionRecord:
        name = _role_name(role)
        document = {"Version": "2012-10-17", "Statement": [
            {"Sid": "FaasguardDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}]}
        try:
            self.clients("iam").put_role_policy(RoleName=name, PolicyName=DENY_ALL_POLICY,
                                                PolicyDocument=json.dumps(document))
        except Exception as exc:
            raise _aws_error(exc) from None
        return self._record("deny-all", name, reason, rule_id, {"role": name, "policy": DENY_ALL_POLICY},
                            f"inline policy {DENY_ALL_POLICY} denies every action")

    def detach_policies(self, role: str, reason: str, rule_id: str | None = None) -> ActionRecord:
        name = _role_name(role)
        iam = self.clients("iam")
        try:
            arns = [p["PolicyArn"] for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name)
                    for p in page["AttachedPolicies"]]
            for arn in arns:
                iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        except Exception as exc:
            raise _aws_error(exc) from None
        return self._record("detach", name, reason, rule_id, {"role": name, "policy_arns": arns},
                            f"detached {len(arns)} managed policies")

    def revoke_sessions(self, role: str, reason: str, rule_id: str | None = None,
                        before: datetime | None = None) -> ActionRecord:
        name = _role_name(role)
        cutoff = (before or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
        document = {"Version": "2012-10-17", "Statement": [{
            "Sid": "FaasguardRevokeOlderSessions", "Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}}]}
        try:
            self.clients("iam").put_role_policy(RoleName=name, PolicyName=REVOKE_POLICY,
                                                PolicyDocument=json.dumps(document))
        except Exception as exc:
            raise _aws_error(exc) from None
        return self._record("revoke-sessions", name, reason, rule_id,
                            {"role": name, "policy": REVOKE_POLICY, "token_issued_before": cutoff},
                            f"sessions issued before {cutoff} are denied")

    # -- undo -------------------------------------------------------------------------------

    def release(self, action_id: int, reason: str = "") -> ActionRecord:
        record = self.get(action_id)
        if record.status != "applied":
            raise ResponseError(f"action {action_id} is {record.status}, nothing to release")
        undo = record.undo
        try:
            if record.action == "quarantine":
                client = self.clients("lambda")
                previous = undo.get("previous_reserved_concurrency")
                if previous is None:
                    client.delete_function_concurrency(FunctionName=record.target)
                else:
                    client.put_function_concurrency(FunctionName=record.target,
                                                    ReservedConcurrentExecutions=int(previous))
            elif record.action == "tag":
                self.clients("lambda").untag_resource(Resource=undo["arn"], TagKeys=undo["tag_keys"])
            elif record.action in ("deny-all", "revoke-sessions"):
                self.clients("iam").delete_role_policy(RoleName=undo["role"], PolicyName=undo["policy"])
            elif record.action == "detach":
                iam = self.clients("iam")
                for arn in undo.get("policy_arns", []):
                    iam.attach_role_policy(RoleName=undo["role"], PolicyArn=arn)
            else:
                raise ResponseError(f"action {record.action} cannot be released")
        except ResponseError:
            raise
        except Exception as exc:
            raise _aws_error(exc) from None
        detail = record.detail + (f"; released: {reason}" if reason else "; released")
        self.con.execute("UPDATE response_actions SET status = 'released', released_at = ?, released_by = ?,"
                         " detail = ? WHERE id = ?", [_now(), self.actor, detail, action_id])
        return self.get(action_id)

    def apply(self, action: str, target: str, reason: str, rule_id: str | None = None) -> ActionRecord:
        """Dispatch by action name (used by automatic response)."""
        handlers: dict[str, Callable[[str, str, str | None], ActionRecord]] = {
            "quarantine": self.quarantine, "tag": self.tag, "deny-all": self.deny_all,
            "detach": self.detach_policies, "revoke-sessions": self.revoke_sessions,
        }
        if action not in handlers:
            raise ResponseError(f"unknown action {action!r} (expected one of {', '.join(sorted(handlers))})")
        return handlers[action](target, reason, rule_id)
