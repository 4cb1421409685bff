"""Response actions against a real moto server on 127.0.0.1, driven through boto3 and the CLI."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from faasguard.cli import main
from faasguard.monitor import store
from faasguard.monitor.response import DENY_ALL_POLICY, REVOKE_POLICY, Responder, ResponseError, boto3_factory

ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=0.5).read()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("moto server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


def _client(url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1")


def _make_function(url: str, name: str) -> str:
    iam = _client(url, "iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    _client(url, "lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                           Handler="handler.handler", Code={"ZipFile": buf.getvalue()})
    return role


def test_quarantine_and_release_restore_previous_concurrency(moto_url: str, tmp_path: Path) -> None:
    _make_function(moto_url, "orders-api")
    lam = _client(moto_url, "lambda")
    lam.put_function_concurrency(FunctionName="orders-api", ReservedConcurrentExecutions=7)
    con = store.connect(tmp_path / "m.duckdb")
    responder = Responder(con, boto3_factory(region="us-east-1", endpoint_url=moto_url), actor="alice")

    record = responder.quarantine("orders-api", "creds used outside Lambda", rule_id="FGM-LAMBDA-008")
    assert lam.get_function_concurrency(FunctionName="orders-api")["ReservedConcurrentExecutions"] == 0
    assert (record.action, record.target, record.actor, record.reason, record.rule_id, record.status,
            record.undo) == ("quarantine", "orders-api", "alice", "creds used outside Lambda", "FGM-LAMBDA-008",
                             "applied", {"previous_reserved_concurrency": 7})

    released = responder.release(record.id, "false positive")
    assert lam.get_function_concurrency(FunctionName="orders-api")["ReservedConcurrentExecutions"] == 7
    assert (released.status, released.released_by) == ("released", "alice")
    with pytest.raises(ResponseError, match="is released, nothing to release"):
        responder.release(record.id)
    con.close()


def test_cli_quarantine_release_without_previous_concurrency(moto_url: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _make_function(moto_url, "resize")
    lam = _client(moto_url, "lambda")
    db = str(tmp_path / "m.duckdb")
    common = ["--db", db, "--endpoint-url", moto_url, "--region", "us-east-1"]
    assert main(["respond", "quarantine", "resize", "--reason", "sandbox violation", "--actor", "bob", *common]) == 0
    assert lam.get_function_concurrency(FunctionName="resize")["ReservedConcurrentExecutions"] == 0
    assert "#1 quarantine resize: reserved concurrency unset -> 0" in capsys.readouterr().out
    assert main(["respond", "release", "1", *common]) == 0
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="resize")
    assert main(["respond", "history", "--db", db, "-o", "json"]) == 0
    history = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert [(h["id"], h["action"], h["actor"], h["reason"], h["status"]) for h in history] == [
        (1, "quarantine", "bob", "sandbox violation", "released")]
    assert main(["respond", "quarantine", "no-such-function", *common]) == 1
    assert "ResourceNotFoundException" in capsys.readouterr().err


def test_role_lockdown_actions_and_release(moto_url: str, tmp_path: Path) -> None:
    role_arn = _make_function(moto_url, "billing")
    iam = _client(moto_url, "iam")
    policy_arn = iam.create_policy(PolicyName="billing-read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="billing-role", PolicyArn=policy_arn)
    con = store.connect(tmp_path / "m.duckdb")
    responder = Responder(con, boto3_factory(region="us-east-1", endpoint_url=moto_url), actor="carol")

    revoke = responder.revoke_sessions("arn:aws:sts::123456789012:assumed-role/billing-role/billing", "stolen")
    doc = iam.get_role_policy(RoleName="billing-role", PolicyName=REVOKE_POLICY)["PolicyDocument"]
    statement = doc["Statement"][0]
    assert (statement["Effect"], statement["Action"], list(statement["Condition"]["DateLessThan"])) == (
        "Deny", "*", ["aws:TokenIssueTime"])
    deny = responder.deny_all(role_arn, "contain")
    detach = responder.detach_policies("billing-role", "contain")
    assert sorted(iam.list_role_policies(RoleName="billing-role")["PolicyNames"]) == [DENY_ALL_POLICY, REVOKE_POLICY]
    assert iam.list_attached_role_policies(RoleName="billing-role")["AttachedPolicies"] == []
    tag = responder.tag("billing", "evidence", rule_id="FGM-LAMBDA-001")
    arn = _client(moto_url, "lambda").get_function(FunctionName="billing")["Configuration"]["FunctionArn"]
    tags = _client(moto_url, "lambda").list_tags(Resource=arn)["Tags"]
    assert (tags["faasguard:forensics"], tags["faasguard:rule"], tags["faasguard:reason"]) == (
        "hold", "FGM-LAMBDA-001", "evidence")

    for record in (revoke, deny, detach, tag):
        responder.release(record.id)
    assert iam.list_role_policies(RoleName="billing-role")["PolicyNames"] == []
    attached = iam.list_attached_role_policies(RoleName="billing-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [policy_arn]
    assert "faasguard:forensics" not in _client(moto_url, "lambda").list_tags(Resource=arn).get("Tags", {})
    assert [(r.action, r.status) for r in responder.history()] == [
        ("revoke-sessions", "released"), ("deny-all", "released"), ("detach", "released"), ("tag", "released")]
    con.close()


def test_detect_auto_respond_quarantines_on_sandbox_violation(moto_url: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    _make_function(moto_url, "thumbnailer")
    event = {"schema": "faasguard.guard/1", "time": "2026-01-05T10:00:00.000Z", "type": "sandbox",
             "function": "thumbnailer", "request_id": "r1", "field": "/bin/sh -c curl", "detector": "process",
             "rule_id": "FG-SBX-PROC-001", "severity": "critical", "action": "blocked", "mode": "block"}
    src = tmp_path / "guard.jsonl"
    src.write_text(json.dumps(event) + "\n")
    db = str(tmp_path / "m.duckdb")
    assert main(["monitor", "ingest", str(src), "--db", db]) == 0
    assert main(["monitor", "detect", "--db", db, "-o", "json", "--no-anomalies", "--auto-respond", "FGM-GUARD-003",
                 "--endpoint-url", moto_url, "--region", "us-east-1"]) == 0
    err = capsys.readouterr().err
    assert "auto-response #1: quarantine thumbnailer (reserved concurrency unset -> 0)" in err
    lam = _client(moto_url, "lambda")
    assert lam.get_function_concurrency(FunctionName="thumbnailer")["ReservedConcurrentExecutions"] == 0
    con = store.connect(db)
    record = Responder(con, lambda service: None).get(1)
    assert (record.actor, record.rule_id, record.reason) == (
        "faasguard-auto", "FGM-GUARD-003", "automatic response to FGM-GUARD-003")
    con.close()
