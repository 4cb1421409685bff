"""The monitor's embedded DuckDB store: schema, connection and the enriched CloudTrail view.

One file holds everything: events from every source, ingest progress (for resumable ingest),
alerts already sent (for de-duplication) and the response actions taken, with who/when/why.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SCHEMA_VERSION = 1

# CloudTrail's documented userIdentity element, parsed once by the JSON reader into a struct.
USER_IDENTITY_TYPE = (
    "STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, accessKeyId VARCHAR,"
    " userName VARCHAR, invokedBy VARCHAR, identityProvider VARCHAR, credentialId VARCHAR,"
    " sessionContext STRUCT(sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR,"
    " accountId VARCHAR, userName VARCHAR), attributes STRUCT(creationDate VARCHAR, mfaAuthenticated VARCHAR),"
    " ec2RoleDelivery VARCHAR, sourceIdentity VARCHAR, webIdFederationData STRUCT(federatedProvider VARCHAR)),"
    " onBehalfOf STRUCT(userId VARCHAR, identityStoreArn VARCHAR))"
)

# CloudTrail records. userIdentity is stored as a struct (DuckDB keeps each of its fields as its own
# column, so it is flattened once, at ingest); the view below gives its fields flat names.
# Free-form request/response data stays JSON.
CLOUDTRAIL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"),
    ("event_time", "TIMESTAMP"),
    ("event_source", "VARCHAR"),
    ("event_name", "VARCHAR"),
    ("event_type", "VARCHAR"),
    ("event_category", "VARCHAR"),
    ("aws_region", "VARCHAR"),
    ("source_ip", "VARCHAR"),
    ("user_agent", "VARCHAR"),
    ("error_code", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("read_only", "BOOLEAN"),
    ("recipient_account_id", "VARCHAR"),
    ("session_name", "VARCHAR"),
    ("target_function", "VARCHAR"),
    ("user_identity", USER_IDENTITY_TYPE),
    ("request_parameters", "JSON"),
    ("response_elements", "JSON"),
    ("additional_event_data", "JSON"),
    ("resources", "JSON"),
    ("source_file", "VARCHAR"),
)

_DDL = [
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS cloudtrail_events ("
    + ", ".join(f"{name} {kind}" for name, kind in CLOUDTRAIL_COLUMNS)
    + ")",
    # Execution roles of Lambda functions, learned from CreateFunction/UpdateFunctionConfiguration
    # and from sessions that carry Lambda's user agent; a role session name is the function name.
    "CREATE TABLE IF NOT EXISTS function_roles (role_arn VARCHAR PRIMARY KEY, function_name VARCHAR,"
    " learned_from VARCHAR)",
    "CREATE TABLE IF NOT EXISTS lambda_invocations (id VARCHAR PRIMARY KEY, function_name VARCHAR,"
    " request_id VARCHAR, start_time TIMESTAMP, duration_ms DOUBLE, billed_ms DOUBLE, memory_mb INTEGER,"
    " max_memory_mb INTEGER, init_ms DOUBLE, status VARCHAR, source_file VARCHAR)",
    "CREATE TABLE IF NOT EXISTS lambda_log_lines (id VARCHAR PRIMARY KEY, function_name VARCHAR,"
    " request_id VARCHAR, log_time TIMESTAMP, level VARCHAR, message VARCHAR, data JSON, source_file VARCHAR)",
    "CREATE TABLE IF NOT EXISTS guard_events (id VARCHAR PRIMARY KEY, event_time TIMESTAMP,"
    " function_name VARCHAR, request_id VARCHAR, event_source VARCHAR, field VARCHAR, detector VARCHAR,"
    " category VARCHAR, rule_id VARCHAR, severity VARCHAR, action VARCHAR, kind VARCHAR, excerpt VARCHAR,"
    " data JSON, source_file VARCHAR)",
    "CREATE TABLE IF NOT EXISTS ingest_progress (file_key VARCHAR PRIMARY KEY, path VARCHAR, size BIGINT,"
    " kind VARCHAR, byte_offset BIGINT, done BOOLEAN, events BIGINT, updated_at TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS alerts_sent (fingerprint VARCHAR, sink VARCHAR, rule_id VARCHAR,"
    " sent_at TIMESTAMP, count BIGINT, PRIMARY KEY (fingerprint, sink))",
    "CREATE SEQUENCE IF NOT EXISTS action_seq START 1",
    "CREATE TABLE IF NOT EXISTS response_actions (id BIGINT PRIMARY KEY, action VARCHAR, target VARCHAR,"
    " region VARCHAR, actor VARCHAR, reason VARCHAR, rule_id VARCHAR, taken_at TIMESTAMP, undo JSON,"
    " status VARCHAR, released_at TIMESTAMP, released_by VARCHAR, detail VARCHAR)",
]

# What rules see: the stored record plus who acted. ``function_name`` is the function a Lambda
# API call targets, or else the function whose execution role made the call.
_IDENTITY_FIELDS = (
    ("user_type", "type"), ("user_arn", "arn"), ("principal_id", "principalId"), ("account_id", "accountId"),
    ("access_key_id", "accessKeyId"), ("user_name", "userName"), ("invoked_by", "invokedBy"),
    ("session_issuer_type", "sessionContext.sessionIssuer.type"),
    ("session_issuer_arn", "sessionContext.sessionIssuer.arn"),
    ("session_issuer_name", "sessionContext.sessionIssuer.userName"),
    ("session_created", "sessionContext.attributes.creationDate"),
    ("mfa_authenticated", "sessionContext.attributes.mfaAuthenticated"),
    ("ec2_role_delivery", "sessionContext.ec2RoleDelivery"),
)
IDENTITY_COLUMNS = ", ".join(f"e.user_identity.{path} AS {name}" for name, path in _IDENTITY_FIELDS)

CLOUDTRAIL_VIEW = """
CREATE OR REPLACE VIEW cloudtrail AS
SELECT e.*, """ + IDENTITY_COLUMNS + """,
       coalesce(e.target_function, CASE WHEN fr.role_arn IS NOT NULL THEN e.session_name END) AS function_name,
       CASE WHEN fr.role_arn IS NOT NULL THEN e.session_name END AS actor_function,
       (fr.role_arn IS NOT NULL) AS fg_function_role,
       (e.user_agent LIKE '%exec-env/AWS_Lambda%' OR e.user_agent LIKE '%AWS_Lambda_%') AS fg_lambda_runtime
FROM cloudtrail_events e
LEFT JOIN function_roles fr ON e.user_identity.sessionContext.sessionIssuer.arn = fr.role_arn
"""


class StoreError(Exception):
    """The store could not be opened (locked by another process, not a DuckDB file, ...)."""


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the store at ``path``."""
    target = Path(path)
    if read_only and not target.exists():
        raise StoreError(f"{target}: no such store (run `faasguard monitor ingest` first)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(target), read_only=read_only)
    except (duckdb.Error, OSError) as exc:
        raise StoreError(f"{target}: cannot open the store: {exc}") from None
    if not read_only:
        for statement in _DDL:
            con.execute(statement)
        con.execute(CLOUDTRAIL_VIEW)
        con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return con


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory store (tests, one-off evaluation)."""
    con = duckdb.connect(":memory:")
    for statement in _DDL:
        con.execute(statement)
    con.execute(CLOUDTRAIL_VIEW)
    return con
