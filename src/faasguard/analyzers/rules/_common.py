"""Small helpers shared by the configuration rules (model queries only, no I/O except data files)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

from faasguard.model import (
    Api,
    Application,
    Function,
    Resource,
    Role,
    Statement,
    Trigger,
    TriggerKind,
    Trust,
    Value,
    ValueKind,
)

# Reference ids used by the rules: CSA "The 12 Most Critical Risks for Serverless Applications"
# (2019) as CSA-SAS-n, OWASP Serverless Top 10 as OWASP-SLS-An, AWS Foundational Security Best
# Practices controls as AWS-FSBP-<control>, CIS AWS Foundations Benchmark as CIS-AWS-<n>.

API_GATEWAY_KINDS = frozenset({TriggerKind.REST_API, TriggerKind.HTTP_API, TriggerKind.WEBSOCKET})
ROUTE_KINDS = API_GATEWAY_KINDS | {TriggerKind.ALB}


def label(fn: Function) -> str:
    """How a message names a function: its id (SAM/CFN logical id, serverless function key, Terraform
    address) is what the user wrote, while the deployed name is often generated."""
    return fn.id or fn.name


def load_data(name: str) -> Any:
    """A JSON file from ``faasguard/analyzers/rules/data``."""
    return _load_data(name)


@cache
def _load_data(name: str) -> Any:
    path = importlib_resources.files("faasguard.analyzers.rules").joinpath("data", name)
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- roles and functions


def role_functions(app: Application, role: Role) -> list[Function]:
    """Functions that assume ``role`` (from the role's list and from each function's role_id)."""
    ids = set(role.functions) | {f.id for f in app.functions if f.role_id == role.id}
    return [f for f in app.functions if f.id in ids]


def role_subject(app: Application, role: Role) -> tuple[Function | None, str]:
    """The function a role finding belongs to (when only one uses it) and the text naming them."""
    fns = role_functions(app, role)
    names = ", ".join(label(f) for f in fns)
    role_name = role.name or role.id
    if len(fns) == 1:
        return fns[0], f"{label(fns[0])} (role {role_name})"
    if fns:
        return None, f"role {role_name} (used by {names})"
    return None, f"role {role_name}"


def any_public(fns: Iterable[Function]) -> bool:
    return any(f.is_public for f in fns)


# ---------------------------------------------------------------- APIs


def routes_of(app: Application, api: Api) -> list[tuple[Function, Trigger]]:
    return [(fn, t) for fn in app.functions for t in fn.triggers if t.api_id == api.id]


def route_is_public(trigger: Trigger) -> bool:
    return trigger.trust is Trust.PUBLIC and trigger.authorizer is None and not trigger.api_key_required


def api_is_private(api: Api) -> bool:
    return (api.endpoint_type or "").upper() == "PRIVATE"


# ---------------------------------------------------------------- resources used by functions


def _refs(values: Iterable[Value | None]) -> Iterator[str]:
    for v in values:
        if v is not None and v.kind is ValueKind.RESOURCE_ATTRIBUTE and v.ref:
            yield v.ref


def statement_refs(statement: Statement) -> set[str]:
    return set(_refs(statement.resources))


def functions_using(app: Application, resource: Resource) -> list[Function]:
    """Functions triggered by ``resource`` or referring to it in their environment or role."""
    users: list[Function] = []
    for fn in app.functions:
        uses = any(t.source_id == resource.id for t in fn.triggers)
        uses = uses or resource.id in set(_refs(fn.environment.values()))
        if not uses:
            role = app.role_of(fn)
            if role is not None:
                uses = any(resource.id in statement_refs(s) for s in role.statements)
        if uses:
            users.append(fn)
    return users


def trigger_sources(app: Application, *kinds: TriggerKind) -> Iterator[tuple[Function, Trigger, Resource]]:
    """(function, trigger, source resource) for triggers whose source is defined in the app."""
    for fn in app.functions:
        for t in fn.triggers_of(*kinds):
            res = app.resource(t.source_id)
            if res is not None:
                yield fn, t, res


# ---------------------------------------------------------------- values and names


_ACCOUNT_IN_ARN = re.compile(r"^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12}):")


def arn_account(text: str | None) -> str | None:
    if not text:
        return None
    m = _ACCOUNT_IN_ARN.match(text.strip())
    return m.group(1) if m else None


def literal_texts(values: Iterable[Value | None]) -> Iterator[str]:
    for v in values:
        if v is not None:
            text = v.text()
            if text:
                yield text


_SENSITIVE_NAME = re.compile(
    r"(PASSW(OR)?D|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|"
    r"CLIENT_?SECRET|SIGNING_?KEY|ENCRYPTION_?KEY|CONN(ECTION)?_?STR(ING)?|DSN$|DATABASE_URL)",
    re.IGNORECASE,
)
# Names that hold a pointer to a secret rather than the secret itself.
_POINTER_SUFFIX = re.compile(r"(_ARN|_NAME|_ID|_PATH|_PARAM|_PARAMETER|_TABLE|_BUCKET|_KEY_ID|_REGION|_TTL"
                             r"|_HEADER|_ENDPOINT|_URI_PARAM|_EXPIRY|_EXPIRES?|_LENGTH|_SIZE)$",
                             re.IGNORECASE)


def is_sensitive_name(name: str) -> bool:
    """Whether an environment variable name suggests it holds a credential."""
    return bool(_SENSITIVE_NAME.search(name)) and not _POINTER_SUFFIX.search(name)
