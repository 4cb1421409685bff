"""export-sql: every rule transpiles and parses for each dialect, and the SQL is right when run."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import sqlglot

from faasguard.cli import main
from faasguard.monitor.export import export, rule_query
from faasguard.monitor.sigma_sql import ATHENA_CLOUDTRAIL, load_rules

from .conftest import record


@pytest.mark.parametrize("dialect", ["trino", "athena", "spark"])
def test_every_rule_parses_in_each_dialect(dialect: str) -> None:
    queries, skipped = export(dialect)
    assert skipped == []
    cloudtrail_rules = [r.rule_id for r in load_rules().rules if r.target == "cloudtrail"]
    assert [q.rule_id for q in queries] == cloudtrail_rules
    for query in queries:
        parsed = sqlglot.parse_one(query.sql, read=dialect)
        assert parsed.find(sqlglot.exp.Select) is not None, query.rule_id
    sample = next(q.sql for q in queries if q.rule_id == "FGM-LAMBDA-004")
    json_fn = "GET_JSON_OBJECT" if dialect == "spark" else "JSON_EXTRACT_SCALAR"
    assert f"{json_fn}(requestparameters, '$.principal')" in sample
    assert "NOT COALESCE(" in sample and "LOWER(eventname) LIKE 'addpermission%'" in sample


def test_exported_query_runs_on_an_athena_shaped_table() -> None:
    # The Athena layout: lower-case columns, useridentity a struct, JSON kept as strings.
    con = duckdb.connect()
    con.execute("""CREATE TABLE cloudtrail_logs (eventid VARCHAR, eventtime VARCHAR, eventsource VARCHAR,
        eventname VARCHAR, awsregion VARCHAR, sourceipaddress VARCHAR, useragent VARCHAR, errorcode VARCHAR,
        errormessage VARCHAR, readonly VARCHAR, eventtype VARCHAR, eventcategory VARCHAR, recipientaccountid VARCHAR,
        requestparameters VARCHAR, responseelements VARCHAR, additionaleventdata VARCHAR,
        useridentity STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR,
          accesskeyid VARCHAR, username VARCHAR, sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR,
          creationdate VARCHAR), sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR,
          accountid VARCHAR, username VARCHAR), ec2roledelivery VARCHAR)))""")
    events = [record("AddPermission20150331v2", requestParameters={"functionName": "f", "principal": "*"}),
              record("AddPermission20150331v2", requestParameters={"functionName": "f", "principal": "*",
                                                                    "sourceArn": "arn:aws:s3:::b"}),
              record("addpermission20150331v2", requestParameters={"functionName": "g", "principal": "*"},
                     errorCode="AccessDenied")]
    for e in events:
        con.execute("INSERT INTO cloudtrail_logs (eventid, eventtime, eventsource, eventname, requestparameters, "
                    "errorcode, useridentity) VALUES (?, ?, ?, ?, ?, ?, {'type': 'IAMUser', 'arn': ?})",
                    [e["eventID"], e["eventTime"], e["eventSource"], e["eventName"],
                     json.dumps(e["requestParameters"]), e.get("errorCode"), e["userIdentity"]["arn"]])
    rule = next(r for r in load_rules(target=ATHENA_CLOUDTRAIL).rules if r.rule_id == "FGM-LAMBDA-004")
    rows = con.execute(rule_query(rule, "cloudtrail_logs")).fetchall()
    assert [(r[0], r[2], r[6]) for r in rows] == [("FGM-LAMBDA-004", events[0]["eventID"], "f")]


def test_cli_export_sql(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rules.sql"
    assert main(["monitor", "export-sql", "--dialect", "spark", "--table", "ct", "-o", str(out)]) == 0
    text = out.read_text()
    assert text.count("-- FGM-") == len([r for r in load_rules().rules if r.target == "cloudtrail"])
    assert "FROM ct AS c" in text
    assert main(["monitor", "export-sql", "--dialect", "mysql"]) == 2
    assert "unknown dialect 'mysql'" in capsys.readouterr().err
