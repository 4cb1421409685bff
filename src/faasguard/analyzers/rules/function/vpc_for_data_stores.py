"""FG-FN-007: a function that reaches a VPC data store (database, cache) is not attached to a VPC."""

from __future__ import annotations

import re
from collections.abc import Iterator

from faasguard.analyzers.base import Rule
from faasguard.analyzers.registry import register_rule
from faasguard.analyzers.rules._common import index, label
from faasguard.model import Application, Finding, Function, Severity

# Environment names that point at a network database or cache.
_DATASTORE_ENV = re.compile(
    r"(^|_)(DB|DATABASE|RDS|PG|POSTGRES(QL)?|MYSQL|MARIADB|AURORA|REDIS|MEMCACHED?|ELASTICACHE|MONGO(DB)?|"
    r"DOCDB|DOCUMENTDB|NEPTUNE|OPENSEARCH|ELASTICSEARCH|CASSANDRA|KEYSPACES)_?(HOST(NAME)?|ENDPOINT|URL|URI|"
    r"ADDRESS|CLUSTER_ENDPOINT|PORT)$",
    re.IGNORECASE,
)
_DATASTORE_URL_ENV = re.compile(r"^(DATABASE_URL|REDIS_URL|MONGO(DB)?_URI|MONGO(DB)?_URL|PGHOST|MYSQL_HOST)$",
                                re.IGNORECASE)
# Actions that only make sense from inside the VPC (connecting to RDS / ElastiCache with IAM auth).
_DATASTORE_ACTIONS = ("rds-db:connect", "elasticache:connect", "dax:")
# Resource types of network data stores.
_DATASTORE_TYPES = ("AWS::RDS::", "AWS::ElastiCache::", "AWS::DocDB::", "AWS::Neptune::", "AWS::Redshift::",
                    "AWS::OpenSearchService::", "AWS::Elasticsearch::", "AWS::MemoryDB::", "aws_db_",
                    "aws_rds_", "aws_elasticache_", "aws_docdb_", "aws_neptune_", "aws_redshift_",
                    "aws_opensearch_", "aws_memorydb_")


def _reasons(app: Application, fn: Function) -> list[str]:
    reasons = [f"environment {n}" for n in sorted(fn.environment)
               if _DATASTORE_ENV.search(n) or _DATASTORE_URL_ENV.match(n)]
    for name, value in sorted(fn.environment.items()):
        res = index(app).resource(value.ref or None)
        if res is not None and res.type.startswith(_DATASTORE_TYPES) and f"environment {name}" not in reasons:
            reasons.append(f"environment {name} -> {res.id}")
    role = index(app).role_of(fn)
    if role is not None:
        for st in role.allow_statements:
            for action in st.actions:
                if action.lower().startswith(_DATASTORE_ACTIONS):
                    reasons.append(f"IAM action {action}")
    return reasons


@register_rule
class DataStoreFunctionWithoutVpc(Rule):
    """Databases and caches (RDS, Aurora, ElastiCache, DocumentDB ...) should not be reachable from
    the internet. A function that talks to one from outside a VPC implies the data store has a
    public endpoint. Attaching the function to the VPC lets the store stay private (informational:
    the store may be a managed public service by design)."""

    id = "FG-FN-007"
    title = "Function reaches a network data store but is not in a VPC"
    severity = Severity.INFO
    category = "network"
    cwe = ("CWE-668",)
    references = ("CSA-SAS-3", "AWS-FSBP-Lambda.3")
    remediation = ("Attach the function to the data store's VPC (serverless: vpc; SAM/CFN: VpcConfig with "
                   "private subnets and a security group allowed by the store) and keep the store private.")

    def check(self, app: Application) -> Iterator[Finding]:
        for fn in app.functions:
            if fn.vpc is not None and (fn.vpc.subnet_ids or fn.vpc.security_group_ids):
                continue
            reasons = _reasons(app, fn)
            if reasons:
                yield self.finding(fn, fn.loc("vpc"),
                                   f"{label(fn)}: reaches a data store ({'; '.join(reasons[:3])}) but is not "
                                   f"attached to a VPC", key="vpc")
