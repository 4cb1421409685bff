"""Small helpers shared by the configuration rules (model queries only, no I/O except data files)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
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


# ---------------------------------------------------------------- per-application index


@dataclass(frozen=True)
class AppIndex:
    """Lookups the rules need, built once per application in one pass, so that rules stay linear
    in the size of the application (10,000-function apps must scan in seconds)."""

    functions: Mapping[str, Function]
    roles: Mapping[str, Role]
    resources: Mapping[str, Resource]
    apis: Mapping[str, Api]
    role_users: Mapping[str, list[Function]]
    resource_users: Mapping[str, list[Function]]
    api_routes: Mapping[str, list[tuple[Function, Trigger]]]

    def role_of(self, fn: Function) -> Role | None:
        return self.roles.get(fn.role_id) if fn.role_id is not None else None

    def resource(self, resource_id: str | None) -> Resource | None:
        return self.resources.get(resource_id) if resource_id is not None else None

    def function(self, function_id: str | None) -> Function | None:
        return self.functions.get(function_id) if function_id is not None else None

    def api(self, api_id: str | None) -> Api | None:
        return self.apis.get(api_id) if api_id is not None else None


_last_index: tuple[Application, AppIndex] | None = None


def index(app: Application) -> AppIndex:
    """The index of ``app`` (cached for the application the rules are currently checking)."""
    global _last_index
    cached = _last_index
    if cached is not None and cached[0] is app:
        return cached[1]
    built = _build_index(app)
    _last_index = (app, built)
    return built


def _build_index(app: Application) -> AppIndex:
    roles = {r.id: r for r in app.roles}
    resources = {r.id: r for r in app.resources}
    role_users: dict[str, dict[str, Function]] = {r.id: {} for r in app.roles}
    by_id = {f.id: f for f in app.functions}
    for r in app.roles:
        for fid in r.functions:
            if fid in by_id:
                role_users[r.id][fid] = by_id[fid]
    role_refs = {r.id: {ref for st in r.statements for ref in _refs(st.resources)} for r in app.roles}
    resource_users: dict[str, dict[str, Function]] = {}
    api_routes: dict[str, list[tuple[Function, Trigger]]] = {}
    for fn in app.functions:
        used: set[str] = set(_refs(fn.environment.values()))
        for t in fn.triggers:
            if t.source_id:
                used.add(t.source_id)
            if t.api_id:
                api_routes.setdefault(t.api_id, []).append((fn, t))
        if fn.role_id is not None and fn.role_id in roles:
            role_users[fn.role_id][fn.id] = fn
            used |= role_refs[fn.role_id]
        for rid in used:
            resource_users.setdefault(rid, {})[fn.id] = fn
    order = {f.id: i for i, f in enumerate(app.functions)}

    def ordered(fns: dict[str, Function]) -> list[Function]:
        return sorted(fns.values(), key=lambda f: order[f.id])

    return AppIndex(functions=by_id, roles=roles, resources=resources, apis={a.id: a for a in app.apis},
                    role_users={k: ordered(v) for k, v in role_users.items()},
                    resource_users={k: ordered(v) for k, v in resource_users.items()},
                    api_routes=api_routes)


# ---------------------------------------------------------------- roles and functions


def role_functions(app: Application, role: Role) -> list[Function]:
    """Functions that assume ``role`` (from the role's list and from each function's role_id)."""
    return list(index(app).role_users.get(role.id, ()))


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
    return list(index(app).api_routes.get(api.id, ()))


def api_subject(app: Application, api: Api) -> tuple[Function | None, str, bool]:
    """For an API finding: the function it belongs to (when the API serves only one), the API's
    name with the functions it serves, and whether any of its routes is public."""
    routes = routes_of(app, api)
    fns = list({fn.id: fn for fn, _ in routes}.values())
    served = f" (serves {', '.join(label(f) for f in fns)})" if fns else ""
    public = any(route_is_public(t) for _, t in routes)
    return (fns[0] if len(fns) == 1 else None), f"{api.name or api.id}{served}", public


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
    return list(index(app).resource_users.get(resource.id, ()))


def trigger_sources(app: Application, *kinds: TriggerKind) -> Iterator[tuple[Function, Trigger, Resource]]:
    """(function, trigger, source resource) for triggers whose source is defined in the app."""
    idx = index(app)
    for fn in app.functions:
        for t in fn.triggers_of(*kinds):
            res = idx.resource(t.source_id)
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
