"""Export the CloudTrail rules as SQL for where users keep CloudTrail (Athena/Trino, Spark SQL).

The rules are compiled against AWS's documented Athena CloudTrail table (lower-case columns,
``useridentity`` as a struct, request/response data as JSON strings), written in DuckDB's dialect
and transpiled by sqlglot. The enrichment the local store does (which roles are functions'
execution roles, whether a call came from the Lambda runtime) is expressed as CTEs over the same
table, so the exported queries need nothing but the CloudTrail table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlglot

from faasguard.monitor.sigma_sql import ATHENA_CLOUDTRAIL, CompiledRule, load_rules, sql_string

DIALECTS = {"trino": "trino", "athena": "athena", "spark": "spark", "duckdb": "duckdb"}

_EVENT_TIME = "TRY_CAST(REPLACE(REPLACE(eventtime, 'T', ' '), 'Z', '') AS TIMESTAMP)"

_ENRICHMENT = """
WITH fg_function_roles AS (
  SELECT DISTINCT role_arn, function_name FROM (
    SELECT coalesce(json_extract_string(responseelements, '$.role'),
                    json_extract_string(requestparameters, '$.role')) AS role_arn,
           json_extract_string(requestparameters, '$.functionName') AS function_name
    FROM {table}
    WHERE eventsource = 'lambda.amazonaws.com' AND errorcode IS NULL
      AND (eventname LIKE 'CreateFunction%' OR eventname LIKE 'UpdateFunctionConfiguration%')
    UNION ALL
    SELECT useridentity.sessioncontext.sessionissuer.arn, split_part(useridentity.arn, '/', 3)
    FROM {table} WHERE useragent LIKE '%exec-env/AWS_Lambda%'
  ) WHERE role_arn IS NOT NULL
),
enriched AS (
  SELECT c.*,
         {event_time} AS fg_event_time,
         CASE WHEN useridentity.type = 'AssumedRole' THEN split_part(useridentity.arn, '/', 3) END AS fg_session_name,
         useridentity.sessioncontext.sessionissuer.arn IN (SELECT role_arn FROM fg_function_roles) AS fg_function_role,
         (useragent LIKE '%exec-env/AWS_Lambda%' OR useragent LIKE '%AWS_Lambda_%') AS fg_lambda_runtime,
         CASE
           WHEN eventsource = 'lambda.amazonaws.com' AND json_extract_string(requestparameters, '$.functionName')
                LIKE '%:function:%'
             THEN split_part(split_part(json_extract_string(requestparameters, '$.functionName'), ':function:', 2),
                             ':', 1)
           WHEN eventsource = 'lambda.amazonaws.com'
             THEN split_part(json_extract_string(requestparameters, '$.functionName'), ':', 1)
           WHEN useridentity.sessioncontext.sessionissuer.arn IN (SELECT role_arn FROM fg_function_roles)
             THEN split_part(useridentity.arn, '/', 3)
         END AS fg_function
  FROM {table} AS c
)
"""


class ExportError(Exception):
    pass


@dataclass(frozen=True)
class ExportedRule:
    rule_id: str
    title: str
    sql: str


def rule_query(rule: CompiledRule, table: str) -> str:
    """One rule as a DuckDB-dialect query over the Athena table layout."""
    target = ATHENA_CLOUDTRAIL
    head = _ENRICHMENT.format(table=table, event_time=_EVENT_TIME)
    meta = f"{sql_string(rule.rule_id)} AS rule_id, {sql_string(rule.severity.value)} AS severity"
    if rule.aggregation is None:
        return (f"{head}SELECT {meta}, eventid, eventtime, eventsource, eventname, fg_function AS function,"
                f" {target.principal} AS principal, sourceipaddress, useragent FROM enriched WHERE {rule.where}")
    agg = rule.aggregation
    groups = list(agg.group_by) + [f"floor(epoch(fg_event_time) / {agg.seconds})"]
    measure = f"count(DISTINCT {agg.value_field})" if agg.kind == "value_count" and agg.value_field else "count(*)"
    group_cols = ", ".join(groups)
    return (f"{head}SELECT {meta}, {group_cols}, min(eventtime) AS first_seen,"
            f" max(eventtime) AS last_seen, count(*) AS events, {measure} AS measure,"
            f" array_agg(eventid) AS event_ids FROM enriched WHERE {rule.where}"
            f" GROUP BY {group_cols} HAVING {measure} {agg.op} {agg.threshold}")


def export(dialect: str, table: str = "cloudtrail_logs", rule_dirs: Sequence[str | Path] = (),
           include_builtin: bool = True) -> tuple[list[ExportedRule], list[tuple[str, str]]]:
    """Every CloudTrail rule as SQL in ``dialect``; returns (queries, skipped rules with reasons)."""
    if dialect not in DIALECTS:
        raise ExportError(f"unknown dialect {dialect!r} (expected one of {', '.join(DIALECTS)})")
    ruleset = load_rules(rule_dirs, include_builtin=include_builtin, target=ATHENA_CLOUDTRAIL)
    skipped = list(ruleset.skipped)
    out: list[ExportedRule] = []
    for rule in ruleset.rules:
        if rule.target != "cloudtrail":
            continue
        try:
            sql = sqlglot.transpile(rule_query(rule, table), read="duckdb", write=DIALECTS[dialect], pretty=True)[0]
        except sqlglot.errors.SqlglotError as exc:
            skipped.append((rule.rule_id, f"cannot transpile: {exc}"))
            continue
        out.append(ExportedRule(rule.rule_id, rule.title, sql))
    return out, skipped


def render(queries: Sequence[ExportedRule], dialect: str) -> str:
    parts = []
    for query in queries:
        parts.append(f"-- {query.rule_id}: {query.title} ({dialect})\n{query.sql};\n")
    return "\n".join(parts)
