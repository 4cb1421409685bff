"""Sigma rules to SQL: our own small backend over pySigma's parsed detections.

pySigma parses the YAML, applies the modifiers and resolves the condition into a tree; this module
walks that tree and writes SQL for a :class:`Target` (the local DuckDB store, or the lower-case
Athena CloudTrail table for export). Two deliberate differences from the public Sigma SQL
backends, both of which lose alerts on CloudTrail:

- string equality is case-insensitive (Sigma's semantics): ``lower(field) = 'value'``, unless the
  ``cased`` modifier asks otherwise;
- negation is NULL-safe: ``not filter`` is written ``NOT coalesce((filter), false)``, so an event
  that lacks the filter's field (``NULL``) still alerts instead of vanishing under SQL's
  three-valued logic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule, SigmaCorrelationType
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.types import (
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from faasguard.model.finding import Severity

_LEVELS = {"informational": Severity.INFO, "low": Severity.LOW, "medium": Severity.MEDIUM,
           "high": Severity.HIGH, "critical": Severity.CRITICAL}


class UnsupportedRule(Exception):
    """A rule uses something this backend cannot express (it is skipped, with this reason)."""


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- targets: where a Sigma field lives -----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """How Sigma fields map to SQL in one place (a table and its column layout).

    ``columns`` maps a Sigma field (case-insensitive) to a scalar column expression;
    ``json_roots`` maps a field prefix (``requestParameters``) to a column holding JSON, so
    ``requestParameters.policyArn`` becomes a JSON path lookup.
    """

    name: str
    table: str
    columns: dict[str, str]
    json_roots: dict[str, str]
    json_extract: Callable[[str, str], str]
    keyword_columns: tuple[str, ...]
    event_id: str
    event_time: str
    function: str
    principal: str
    struct_roots: dict[str, str] = field(default_factory=dict)  # prefix -> struct column (field access)
    lower_struct_fields: bool = False

    def field(self, name: str) -> str:
        key = name.lower()
        if key in self._lower_columns:
            return self._lower_columns[key]
        for root, column in self._lower_roots.items():
            if key.startswith(root + "."):
                path = name[len(root) + 1:]
                return self.json_extract(column, "$." + ".".join(_json_key(p) for p in path.split(".")))
            if key == root:
                return f"CAST({column} AS VARCHAR)"
        for root, column in self.struct_roots.items():
            if key.startswith(root.lower() + "."):
                parts = name[len(root) + 1:].split(".")
                if self.lower_struct_fields:  # Athena/Hive lower-cases struct field names
                    parts = [p.lower() for p in parts]
                path = ".".join('"' + p.replace('"', '""') + '"' for p in parts)
                return f"CAST({column}.{path} AS VARCHAR)"
        raise UnsupportedRule(f"unknown field {name!r} for {self.name}")

    @property
    def _lower_columns(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.columns.items()}

    @property
    def _lower_roots(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.json_roots.items()}


def _json_key(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) else '"' + part.replace('"', '\\"') + '"'


_CLOUDTRAIL_FIELDS = {
    "eventID": "event_id", "eventTime": "event_time", "eventSource": "event_source", "eventName": "event_name",
    "eventType": "event_type", "eventCategory": "event_category", "awsRegion": "aws_region",
    "sourceIPAddress": "source_ip", "userAgent": "user_agent", "errorCode": "error_code",
    "errorMessage": "error_message", "readOnly": "CAST(read_only AS VARCHAR)",
    "recipientAccountId": "recipient_account_id",
    "userIdentity.type": "user_type", "userIdentity.arn": "user_arn", "userIdentity.principalId": "principal_id",
    "userIdentity.accountId": "account_id", "userIdentity.accessKeyId": "access_key_id",
    "userIdentity.userName": "user_name", "userIdentity.invokedBy": "invoked_by",
    "userIdentity.sessionContext.sessionIssuer.type": "session_issuer_type",
    "userIdentity.sessionContext.sessionIssuer.arn": "session_issuer_arn",
    "userIdentity.sessionContext.sessionIssuer.userName": "session_issuer_name",
    "userIdentity.sessionContext.attributes.creationDate": "session_created",
    "userIdentity.sessionContext.attributes.mfaAuthenticated": "mfa_authenticated",
    "userIdentity.sessionContext.ec2RoleDelivery": "ec2_role_delivery",
    # faasguard enrichment: which function acted or was acted on, and whether the caller was a
    # function's execution role running inside Lambda.
    "faasguard.function": "function_name",
    "faasguard.sessionName": "session_name",
    "faasguard.functionRole": "CAST(fg_function_role AS VARCHAR)",
    "faasguard.lambdaRuntime": "CAST(fg_lambda_runtime AS VARCHAR)",
}
_CLOUDTRAIL_JSON = {"requestParameters": "request_parameters", "responseElements": "response_elements",
                    "additionalEventData": "additional_event_data", "resources": "resources"}

DUCKDB_CLOUDTRAIL = Target(
    name="cloudtrail (DuckDB store)",
    table="cloudtrail",
    columns=_CLOUDTRAIL_FIELDS,
    json_roots=_CLOUDTRAIL_JSON,
    json_extract=lambda column, path: f"json_extract_string({column}, {sql_string(path)})",
    keyword_columns=("event_name", "user_agent", "error_message", "CAST(request_parameters AS VARCHAR)"),
    event_id="event_id",
    event_time="event_time",
    function="function_name",
    principal="coalesce(session_issuer_arn, user_arn, invoked_by)",
    struct_roots={"userIdentity": "user_identity"},
)

DUCKDB_GUARD = Target(
    name="guard events (DuckDB store)",
    table="guard_events",
    columns={"rule_id": "rule_id", "detector": "detector", "category": "category", "action": "action",
             "kind": "kind", "severity": "severity", "function": "function_name", "field": "field",
             "event_source": "event_source", "request_id": "request_id", "excerpt": "excerpt"},
    json_roots={"data": "data"},
    json_extract=lambda column, path: f"json_extract_string({column}, {sql_string(path)})",
    keyword_columns=("excerpt", "CAST(data AS VARCHAR)"),
    event_id="id",
    event_time="event_time",
    function="function_name",
    principal="CAST(NULL AS VARCHAR)",
)

# The Athena/Trino/Spark CloudTrail table (AWS's documented DDL): lower-case columns, userIdentity
# as a struct, request/response data as JSON strings, eventTime as an ISO-8601 string.
_ATHENA_FIELDS = {
    "eventID": "eventid", "eventTime": "eventtime", "eventSource": "eventsource", "eventName": "eventname",
    "eventType": "eventtype", "eventCategory": "eventcategory", "awsRegion": "awsregion",
    "sourceIPAddress": "sourceipaddress", "userAgent": "useragent", "errorCode": "errorcode",
    "errorMessage": "errormessage", "readOnly": "readonly", "recipientAccountId": "recipientaccountid",
    "userIdentity.type": "useridentity.type", "userIdentity.arn": "useridentity.arn",
    "userIdentity.principalId": "useridentity.principalid", "userIdentity.accountId": "useridentity.accountid",
    "userIdentity.accessKeyId": "useridentity.accesskeyid", "userIdentity.userName": "useridentity.username",
    "userIdentity.invokedBy": "useridentity.invokedby",
    "userIdentity.sessionContext.sessionIssuer.type": "useridentity.sessioncontext.sessionissuer.type",
    "userIdentity.sessionContext.sessionIssuer.arn": "useridentity.sessioncontext.sessionissuer.arn",
    "userIdentity.sessionContext.sessionIssuer.userName": "useridentity.sessioncontext.sessionissuer.username",
    "userIdentity.sessionContext.attributes.creationDate": "useridentity.sessioncontext.attributes.creationdate",
    "userIdentity.sessionContext.attributes.mfaAuthenticated":
        "useridentity.sessioncontext.attributes.mfaauthenticated",
    "userIdentity.sessionContext.ec2RoleDelivery": "useridentity.sessioncontext.ec2roledelivery",
    "faasguard.function": "fg_function",
    "faasguard.sessionName": "fg_session_name",
    "faasguard.functionRole": "CAST(fg_function_role AS VARCHAR)",
    "faasguard.lambdaRuntime": "CAST(fg_lambda_runtime AS VARCHAR)",
}

ATHENA_CLOUDTRAIL = Target(
    name="cloudtrail (Athena table)",
    table="enriched",
    columns=_ATHENA_FIELDS,
    json_roots={"requestParameters": "requestparameters", "responseElements": "responseelements",
                "additionalEventData": "additionaleventdata"},
    json_extract=lambda column, path: f"json_extract_string({column}, {sql_string(path)})",
    keyword_columns=("eventname", "useragent", "errormessage", "requestparameters"),
    event_id="eventid",
    event_time="eventtime",
    function="fg_function",
    principal="coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn, useridentity.invokedby)",
    struct_roots={"userIdentity": "useridentity"},
    lower_struct_fields=True,
)


# --- value and condition translation --------------------------------------------------------------


def _like_pattern(value: SigmaString, lower: bool) -> tuple[str, bool]:
    """A LIKE pattern for ``value`` and whether it needs ``ESCAPE '\\'``."""
    out: list[str] = []
    escaped = False
    for part in value.s:
        if part == SpecialChars.WILDCARD_MULTI:
            out.append("%")
        elif part == SpecialChars.WILDCARD_SINGLE:
            out.append("_")
        elif isinstance(part, str):
            text = part.lower() if lower else part
            if any(ch in text for ch in "%_\\"):
                escaped = True
                text = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            out.append(text)
        else:  # placeholders and other special parts
            raise UnsupportedRule(f"unsupported string part {part!r}")
    return "".join(out), escaped


def _string_condition(column: str, value: SigmaString, cased: bool) -> str:
    subject = column if cased else f"lower({column})"
    if not value.contains_special():
        plain = "".join(part for part in value.s if isinstance(part, str))
        return f"{subject} = {sql_string(plain if cased else plain.lower())}"
    pattern, escaped = _like_pattern(value, lower=not cased)
    return f"{subject} LIKE {sql_string(pattern)}" + (" ESCAPE '\\'" if escaped else "")


def _regex_condition(column: str, value: SigmaRegularExpression) -> str:
    pattern = value.regexp.to_plain() if hasattr(value.regexp, "to_plain") else str(value.regexp)
    flags = ""
    if SigmaRegularExpressionFlag.IGNORECASE in value.flags:
        flags += "i"
    if SigmaRegularExpressionFlag.MULTILINE in value.flags:
        flags += "m"
    if SigmaRegularExpressionFlag.DOTALL in value.flags:
        flags += "s"
    if flags:
        pattern = f"(?{flags})" + pattern
    return f"regexp_matches({column}, {sql_string(pattern)})"


def _value_condition(target: Target, field_name: str | None, value: Any) -> str:
    if field_name is None:  # keyword search over the record's text columns
        if not isinstance(value, SigmaString):
            raise UnsupportedRule("keyword detection with a non-string value")
        pattern, escaped = _like_pattern(value, lower=True)
        if not pattern.startswith("%"):
            pattern = "%" + pattern
        if not pattern.endswith("%"):
            pattern += "%"
        esc = " ESCAPE '\\'" if escaped else ""
        return "(" + " OR ".join(f"lower({c}) LIKE {sql_string(pattern)}{esc}" for c in target.keyword_columns) + ")"
    column = target.field(field_name)
    if isinstance(value, SigmaExists):
        return f"{column} IS {'NOT ' if value.exists else ''}NULL"
    if isinstance(value, SigmaNull):
        return f"{column} IS NULL"
    if isinstance(value, SigmaCasedString):
        return _string_condition(column, value, cased=True)
    if isinstance(value, SigmaString):
        return _string_condition(column, value, cased=False)
    if isinstance(value, SigmaBool):
        return f"lower({column}) = {sql_string(str(value.boolean).lower())}"
    if isinstance(value, SigmaNumber):
        return f"{column} = {sql_string(str(value.number))}"
    if isinstance(value, SigmaRegularExpression):
        return _regex_condition(column, value)
    if isinstance(value, SigmaCIDRExpression):
        patterns = value.expand(wildcard="*")
        parts = [_string_condition(column, SigmaString(p), cased=True) for p in patterns]
        return "(" + " OR ".join(parts) + ")"
    if isinstance(value, SigmaCompareExpression):
        ops = SigmaCompareExpression.CompareOperators
        op = {ops.LT: "<", ops.LTE: "<=", ops.GT: ">", ops.GTE: ">="}[value.op]
        return f"try_cast({column} AS DOUBLE) {op} {value.number.number}"
    if isinstance(value, SigmaFieldReference):
        return f"lower({column}) = lower({target.field(value.field)})"
    raise UnsupportedRule(f"unsupported value type {type(value).__name__}")


def condition_sql(target: Target, node: Any) -> str:
    """SQL for one node of a parsed Sigma condition."""
    if isinstance(node, ConditionAND):
        return "(" + " AND ".join(condition_sql(target, a) for a in node.args) + ")"
    if isinstance(node, ConditionOR):
        return "(" + " OR ".join(condition_sql(target, a) for a in node.args) + ")"
    if isinstance(node, ConditionNOT):
        # NULL-safe: a missing field makes the inner test NULL; NOT NULL would drop the event.
        return f"(NOT coalesce({condition_sql(target, node.args[0])}, false))"
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return _value_condition(target, node.field, node.value)
    if isinstance(node, ConditionValueExpression):
        return _value_condition(target, None, node.value)
    raise UnsupportedRule(f"unsupported condition element {type(node).__name__}")


# --- compiled rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Aggregation:
    """A correlation over the base rules' matches (tumbling windows of ``seconds``)."""

    kind: str  # "event_count" | "value_count"
    group_by: tuple[str, ...]  # SQL expressions
    seconds: int
    op: str
    threshold: int
    value_field: str | None  # SQL expression counted distinct (value_count)


@dataclass(frozen=True)
class CompiledRule:
    rule_id: str
    title: str
    severity: Severity
    description: str
    tags: tuple[str, ...]
    target: str  # "cloudtrail" | "guard"
    where: str  # SQL predicate over the target table
    source: str  # file the rule came from
    references: tuple[str, ...] = ()
    falsepositives: tuple[str, ...] = ()
    aggregation: Aggregation | None = None
    auto_response: tuple[str, ...] = ()


@dataclass
class RuleSet:
    rules: list[CompiledRule] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (rule, reason)


def _rule_id(rule: SigmaRule | SigmaCorrelationRule) -> str:
    custom = getattr(rule, "custom_attributes", None) or {}
    explicit = custom.get("faasguard_id") or custom.get("faasguard-id")
    if explicit:
        return str(explicit)
    if rule.id:
        return str(rule.id)
    return re.sub(r"[^a-z0-9]+", "-", (rule.title or "rule").lower()).strip("-")


def _target_of(rule: SigmaRule) -> tuple[str, Target] | None:
    src = rule.logsource
    product = (src.product or "").lower()
    service = (src.service or "").lower()
    if product == "aws" and service in ("cloudtrail", ""):
        return "cloudtrail", DUCKDB_CLOUDTRAIL
    if product == "faasguard" and service == "guard":
        return "guard", DUCKDB_GUARD
    return None


def _targets_for(kind: str, target: Target | None) -> Target:
    if target is not None:
        return target
    return DUCKDB_GUARD if kind == "guard" else DUCKDB_CLOUDTRAIL


def _where(rule: SigmaRule, target: Target) -> str:
    parts = [condition_sql(target, cond.parsed) for cond in rule.detection.parsed_condition]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _meta(rule: SigmaRule | SigmaCorrelationRule) -> dict[str, Any]:
    custom = getattr(rule, "custom_attributes", None) or {}
    level = rule.level.name.lower() if rule.level else "medium"
    response = custom.get("faasguard_response") or ()
    return {
        "rule_id": _rule_id(rule),
        "title": rule.title or _rule_id(rule),
        "severity": _LEVELS.get(level, Severity.MEDIUM),
        "description": (rule.description or "").strip(),
        "tags": tuple(f"{t.namespace}.{t.name}" for t in rule.tags),
        "references": tuple(rule.references or ()),
        "falsepositives": tuple(str(f) for f in (rule.falsepositives or ())),
        "auto_response": tuple(response) if isinstance(response, list) else (str(response),) if response else (),
    }


def compile_collection(collection: SigmaCollection, source: str, target: Target | None = None,
                       ruleset: RuleSet | None = None) -> RuleSet:
    """Compile every rule of ``collection``; rules for other log sources are skipped with a reason."""
    out = ruleset or RuleSet()
    try:
        collection.resolve_rule_references()
    except SigmaError as exc:
        out.skipped.append((source, f"unresolved rule reference: {exc}"))
    compiled_by_name: dict[str, CompiledRule] = {}
    correlated: set[int] = set()
    for item in collection.rules:
        if isinstance(item, SigmaCorrelationRule):
            for ref in item.rules or []:
                if ref.rule is not None:
                    correlated.add(id(ref.rule))
    for item in collection.rules:
        if isinstance(item, SigmaCorrelationRule):
            continue
        label = f"{source}: {item.title}"
        if item.errors:
            out.skipped.append((label, "; ".join(str(e) for e in item.errors)))
            continue
        found = _target_of(item)
        if found is None:
            out.skipped.append((label, f"log source {item.logsource.product}/{item.logsource.service} "
                                       "is not monitored"))
            continue
        kind, default_target = found
        tgt = _targets_for(kind, target) if kind == "cloudtrail" else default_target
        try:
            compiled = CompiledRule(target=kind, where=_where(item, tgt), source=source, **_meta(item))
        except (UnsupportedRule, SigmaError) as exc:
            out.skipped.append((label, str(exc)))
            continue
        if item.name:
            compiled_by_name[item.name] = compiled
        if id(item) not in correlated:
            out.rules.append(compiled)
    for item in collection.rules:
        if isinstance(item, SigmaCorrelationRule):
            label = f"{source}: {item.title}"
            try:
                out.rules.append(_compile_correlation(item, compiled_by_name, source, target))
            except (UnsupportedRule, SigmaError, KeyError) as exc:
                out.skipped.append((label, str(exc)))
    return out


def _compile_correlation(rule: SigmaCorrelationRule, base: dict[str, CompiledRule], source: str,
                         target: Target | None) -> CompiledRule:
    if rule.type not in (SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT):
        raise UnsupportedRule(f"correlation type {rule.type.name.lower()} is not supported")
    names = [ref.reference for ref in rule.rules or []]
    bases = [base[n] for n in names]
    kinds = {b.target for b in bases}
    if len(kinds) != 1:
        raise UnsupportedRule("correlated rules must read the same log source")
    kind = kinds.pop()
    tgt = _targets_for(kind, target)
    ops = {"LT": "<", "LTE": "<=", "GT": ">", "GTE": ">=", "EQ": "="}
    cond = rule.condition
    if not isinstance(cond, SigmaCorrelationCondition):
        raise UnsupportedRule("extended (and/or) correlation conditions are not supported")
    if isinstance(cond.fieldref, list):
        raise UnsupportedRule("value_count over several fields is not supported")
    aggregation = Aggregation(
        kind=rule.type.name.lower(),
        group_by=tuple(tgt.field(g) for g in (rule.group_by or ())),
        seconds=int(rule.timespan.seconds) if rule.timespan else 86_400,
        op=ops[cond.op.name],
        threshold=int(cond.count),
        value_field=tgt.field(cond.fieldref) if cond.fieldref else None,
    )
    where = "(" + " OR ".join(b.where for b in bases) + ")"
    return CompiledRule(target=kind, where=where, source=source, aggregation=aggregation, **_meta(rule))


def builtin_rules_dir() -> Path:
    return Path(__file__).resolve().parent / "rules"


def _rule_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".yml", ".yaml")))
        elif path.is_file():
            files.append(path)
    return files


def load_rules(extra_dirs: Sequence[str | Path] = (), include_builtin: bool = True,
               target: Target | None = None) -> RuleSet:
    """Our rule set plus users' Sigma folders (e.g. SigmaHQ's rules/cloud/aws)."""
    dirs = ([builtin_rules_dir()] if include_builtin else []) + [Path(d) for d in extra_dirs]
    ruleset = RuleSet()
    for file in _rule_files(dirs):
        try:
            text = file.read_text(encoding="utf-8")
            collection = SigmaCollection.from_yaml(text, collect_errors=True)
        except (OSError, UnicodeError, SigmaError, ValueError, yaml.YAMLError) as exc:
            ruleset.skipped.append((str(file), f"cannot parse: {str(exc).splitlines()[0]}"))
            continue
        for err in getattr(collection, "errors", []) or []:
            ruleset.skipped.append((str(file), str(err)))
        compile_collection(collection, str(file), target, ruleset)
    seen: set[str] = set()
    unique: list[CompiledRule] = []
    for rule in ruleset.rules:
        if rule.rule_id in seen:
            ruleset.skipped.append((rule.source, f"duplicate rule id {rule.rule_id}"))
            continue
        seen.add(rule.rule_id)
        unique.append(rule)
    ruleset.rules = unique
    return ruleset


def compile_yaml(text: str, target: Target | None = None, source: str = "<text>") -> RuleSet:
    return compile_collection(SigmaCollection.from_yaml(text, collect_errors=True), source, target)
