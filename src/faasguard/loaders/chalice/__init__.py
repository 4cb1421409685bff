"""Chalice apps -> application model.

``.chalice/config.json`` gives the stages and settings (environment variables, timeouts, memory,
VPC, IAM role or policy file, ``autogen_policy``, per-function ``lambda_functions`` overrides);
``app.py`` is read statically (``ast``, never imported) for the functions Chalice deploys:

- every ``@app.route`` is served by one ``api_handler`` function behind a REST API;
- ``@app.lambda_function``, ``@app.on_s3_event``, ``@app.on_sns_message``, ``@app.on_sqs_message``,
  ``@app.schedule``, ``@app.on_cw_event``, ``@app.on_dynamodb_record``, ``@app.on_kinesis_record``
  and the WebSocket handlers each become their own function with its trigger;
- ``@app.authorizer`` functions and the built-in IAM / Cognito / custom authorizers decide a
  route's trust.

The stage is ``--stage`` when given, else ``dev`` (Chalice's default).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard.loaders.base import LoadOptions, LoadResult
from faasguard.loaders.document import Document, DocumentError, key_position, line_of, load_document, read_text
from faasguard.loaders.trust import default_trust, http_trust
from faasguard.model import (
    Api,
    ApiKind,
    Application,
    Authorizer,
    AuthorizerKind,
    Cors,
    ErrorKind,
    Function,
    Location,
    ManagedPolicyRef,
    Role,
    ScanError,
    Statement,
    Trigger,
    TriggerKind,
    Value,
    VpcConfig,
)

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
DEFAULT_STAGE = "dev"
# Chalice's own defaults (chalice/config.py)
DEFAULT_TIMEOUT = 60
DEFAULT_MEMORY = 128
# Chalice deploys with the Python version it runs under; no file states it, so the rule about an
# unstated runtime reports the default (the runtime key has no line).
DEFAULT_RUNTIME = "python3.12"

_EVENT_DECORATORS = {
    "on_s3_event": TriggerKind.S3, "on_sns_message": TriggerKind.SNS, "on_sqs_message": TriggerKind.SQS,
    "schedule": TriggerKind.SCHEDULE, "on_cw_event": TriggerKind.EVENTBRIDGE,
    "on_dynamodb_record": TriggerKind.DYNAMODB_STREAM, "on_kinesis_record": TriggerKind.KINESIS,
    "on_ws_connect": TriggerKind.WEBSOCKET, "on_ws_message": TriggerKind.WEBSOCKET,
    "on_ws_disconnect": TriggerKind.WEBSOCKET, "lambda_function": None,
}
_SOURCE_ARGS = {"on_s3_event": "bucket", "on_sns_message": "topic", "on_sqs_message": "queue",
                "schedule": "expression", "on_dynamodb_record": "stream_arn", "on_kinesis_record": "stream"}
_BUILTIN_AUTHORIZERS = {"IAMAuthorizer": AuthorizerKind.IAM, "CognitoUserPoolAuthorizer": AuthorizerKind.COGNITO,
                        "CustomAuthorizer": AuthorizerKind.LAMBDA}


def is_chalice_config(doc: Document) -> bool:
    return doc.path.name == "config.json" and doc.path.parent.name == ".chalice"


class ChaliceLoader:
    name = "chalice"

    def claims(self, doc: Document) -> bool:
        return is_chalice_config(doc)

    def load(self, doc: Document, root: Path, options: LoadOptions) -> LoadResult:
        result = LoadResult()
        data = doc.data
        if not isinstance(data, Mapping):
            result.errors.append(ScanError(doc.file, "Chalice config.json should be a JSON object", ErrorKind.PARSE, 1))
            return result
        app_dir = doc.path.parent.parent
        app_file = app_dir / "app.py"
        rel_dir = _rel(app_dir, root)
        app_rel = f"{rel_dir}/app.py" if rel_dir != "." else "app.py"
        if not app_file.is_file():
            result.errors.append(ScanError(doc.file, "Chalice app.py not found next to .chalice/; its functions "
                                           "were not scanned", ErrorKind.CODE_NOT_FOUND, 1))
            return result
        try:
            source = read_text(app_file)
            tree = ast.parse(source, filename=app_rel)
        except DocumentError as exc:
            result.errors.append(ScanError(app_rel, exc.message, exc.kind, exc.line))
            return result
        except (SyntaxError, ValueError) as exc:
            result.errors.append(ScanError(app_rel, f"invalid Python: {getattr(exc, 'msg', exc)}", ErrorKind.PARSE,
                                           int(getattr(exc, "lineno", 0) or 0)))
            return result
        stage = options.stage or DEFAULT_STAGE
        builder = _Builder(doc, data, stage, root, rel_dir, app_rel, result.errors)
        app = builder.build(tree)
        result.applications.append(app)
        result.consumed |= builder.consumed
        return result


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return "."


@dataclass
class _Decorated:
    name: str  # the Python function's name
    method: str  # the app method: route / lambda_function / on_s3_event ...
    call: ast.Call | None
    line: int


@dataclass
class _Builder:
    doc: Document
    config: Mapping[str, Any]
    stage: str
    root: Path
    rel_dir: str
    app_rel: str
    errors: list[ScanError]
    consumed: set[Path] = field(default_factory=set)

    # ---- config -----------------------------------------------------------------------------

    def _stage_cfg(self) -> Mapping[str, Any]:
        stages = self.config.get("stages")
        cfg = stages.get(self.stage) if isinstance(stages, Mapping) else None
        return cfg if isinstance(cfg, Mapping) else {}

    def setting(self, key: str, function: str | None = None) -> tuple[Any, Location | None]:
        """A setting with Chalice's precedence: per-function (in the stage), stage, top level."""
        layers: list[tuple[Mapping[str, Any], tuple[str | int, ...]]] = []
        stage_cfg = self._stage_cfg()
        if function is not None:
            fns = stage_cfg.get("lambda_functions")
            per_fn = fns.get(function) if isinstance(fns, Mapping) else None
            if isinstance(per_fn, Mapping):
                layers.append((per_fn, ("stages", self.stage, "lambda_functions", function)))
            top_fns = self.config.get("lambda_functions")
            top_fn = top_fns.get(function) if isinstance(top_fns, Mapping) else None
            if isinstance(top_fn, Mapping):
                layers.append((top_fn, ("lambda_functions", function)))
        layers.append((stage_cfg, ("stages", self.stage)))
        layers.append((self.config, ()))
        for mapping, pointer in layers:
            if key in mapping:
                line, col = key_position(mapping, key)
                return mapping[key], Location(self.doc.file, line, col, pointer=(*pointer, key))
        return None, None

    def environment(self, function: str | None, fn_fields: dict[str, Any], locations: dict[str, Location]) -> None:
        merged: dict[str, Value] = {}
        # environment variables merge across levels (top < stage < function)
        stage_cfg = self._stage_cfg()
        levels: list[tuple[Any, tuple[str | int, ...]]] = [(self.config, ()), (stage_cfg, ("stages", self.stage))]
        if function is not None:
            fns = stage_cfg.get("lambda_functions")
            per_fn = fns.get(function) if isinstance(fns, Mapping) else None
            levels.append((per_fn, ("stages", self.stage, "lambda_functions", function)))
        for mapping, pointer in levels:
            env = mapping.get("environment_variables") if isinstance(mapping, Mapping) else None
            if not isinstance(env, Mapping):
                continue
            line, col = key_position(mapping, "environment_variables")
            locations["environment"] = Location(self.doc.file, line, col, pointer=(*pointer, "environment_variables"))
            for name, value in env.items():
                kline, kcol = key_position(env, str(name))
                where = Location(self.doc.file, kline, kcol, pointer=(*pointer, "environment_variables", str(name)))
                merged[str(name)] = Value.of(value if isinstance(value, (str, int, float, bool)) or value is None
                                             else str(value), where)
                locations[f"environment.{name}"] = where
        if merged:
            fn_fields["environment"] = merged

    # ---- app.py -----------------------------------------------------------------------------

    def build(self, tree: ast.Module) -> Application:
        app_var, app_name_in_code, app_line = _chalice_app(tree)
        app_name = str(self.config.get("app_name") or app_name_in_code or Path(self.rel_dir).name or "chalice")
        decorated, authorizers = _decorated(tree, app_var or "app")
        role_id, role = self._role(app_name)
        functions: list[Function] = []
        routes = [d for d in decorated if d.method == "route"]
        app_loc = Location(self.app_rel, app_line or 1)
        api: Api | None = None
        if routes:
            api = Api("RestAPI", ApiKind.REST, app_loc, name=app_name, implicit=True,
                      endpoint_type=(self.setting("api_gateway_endpoint_type")[0] or "EDGE"),
                      access_logging=False, execution_logging=False, tracing=bool(self.setting("xray")[0]),
                      usage_plan=False, waf=None)
            triggers = tuple(t for d in routes for t in self._route_triggers(d, authorizers))
            functions.append(self._function("api_handler", f"{app_name}-{self.stage}", app_loc,
                                            f"{app_var or 'app'}", triggers, role_id, "api_handler"))
        for d in decorated:
            if d.method in ("route", "authorizer"):
                continue
            trigger = self._event_trigger(d)
            name = _kwarg_text(d.call, "name") or d.name
            functions.append(self._function(d.name, f"{app_name}-{self.stage}-{name}", Location(self.app_rel, d.line),
                                            d.name, (trigger,) if trigger else (), role_id, name))
        for name, line in authorizers.items():
            functions.append(self._function(name, f"{app_name}-{self.stage}-{name}", Location(self.app_rel, line),
                                            name, (), role_id, name))
        if role is not None:
            role = Role(role.id, role.location, role.name, role.statements, role.managed_policies, (),
                        tuple(f.id for f in functions), role.external, role.arn, None, "chalice")
        files = [self.doc.file, self.app_rel]
        return Application(name=app_name, source_kind="chalice", root=self.rel_dir, files=tuple(files),
                           location=Location(self.doc.file, 1), stage=self.stage,
                           functions=tuple(functions), roles=(role,) if role else (), apis=(api,) if api else ())

    def _function(self, fid: str, name: str, where: Location, attr: str, triggers: tuple[Trigger, ...],
                  role_id: str | None, config_name: str) -> Function:
        locations: dict[str, Location] = {"handler": where}
        fields: dict[str, Any] = {}
        for key, field_name, default in (("lambda_timeout", "timeout", DEFAULT_TIMEOUT),
                                         ("lambda_memory_size", "memory", DEFAULT_MEMORY),
                                         ("reserved_concurrency", "reserved_concurrency", None)):
            value, loc = self.setting(key, config_name)
            fields[field_name] = value if isinstance(value, int) and not isinstance(value, bool) else default
            if loc is not None:
                locations[field_name] = loc
        self.environment(config_name, fields, locations)
        subnets, sloc = self.setting("subnet_ids", config_name)
        groups, _ = self.setting("security_group_ids", config_name)
        if subnets or groups:
            fields["vpc"] = VpcConfig(tuple(Value.of(str(s)) for s in _list(subnets)),
                                      tuple(Value.of(str(g)) for g in _list(groups)), sloc)
            if sloc is not None:
                locations["vpc"] = sloc
        xray, xloc = self.setting("xray", config_name)
        if xray is True:
            fields["tracing"] = "Active"
        if xloc is not None:
            locations["tracing"] = xloc
        layers, lloc = self.setting("layers", config_name)
        if layers:
            fields["layers"] = tuple(Value.of(str(arn), lloc) for arn in _list(layers))
            if lloc is not None:
                locations["layers"] = lloc
        module = Path(self.app_rel).stem
        return Function(id=fid, name=name, location=where, runtime=DEFAULT_RUNTIME, handler=f"{module}.{attr}",
                        code_path=self.rel_dir, role_id=role_id, triggers=triggers, source_kind="chalice",
                        locations=locations, **fields)

    def _role(self, app_name: str) -> tuple[str | None, Role | None]:
        manage, _ = self.setting("manage_iam_role")
        arn, arn_loc = self.setting("iam_role_arn")
        if manage is False and isinstance(arn, str):
            value = Value.of(arn, arn_loc)
            return arn, Role(arn, arn_loc or Location(self.doc.file, 1), name=arn.rsplit("/", 1)[-1], external=True,
                             arn=value, source_kind="chalice")
        role_id = f"{app_name}-{self.stage}"
        autogen, autogen_loc = self.setting("autogen_policy")
        policy_file, policy_loc = self.setting("iam_policy_file")
        where = autogen_loc or Location(self.doc.file, 1)
        statements: tuple[Statement, ...] = ()
        if autogen is False or isinstance(policy_file, str):
            name = policy_file if isinstance(policy_file, str) else f"policy-{self.stage}.json"
            statements = self._policy_file(name, policy_loc or where)
        managed = (ManagedPolicyRef(BASIC_EXECUTION, where),) if not statements else ()
        return role_id, Role(role_id, where, name=role_id, statements=statements, managed_policies=managed,
                             source_kind="chalice")

    def _policy_file(self, name: str, where: Location) -> tuple[Statement, ...]:
        path = self.doc.path.parent / name
        rel = f"{self.rel_dir}/.chalice/{name}" if self.rel_dir != "." else f".chalice/{name}"
        try:
            policy = load_document(path, rel)
        except DocumentError as exc:
            self.errors.append(ScanError(rel, f"IAM policy file: {exc.message}", exc.kind, exc.line or where.line))
            return ()
        self.consumed.add(path)
        return tuple(_statements(policy, name))

    # ---- triggers -----------------------------------------------------------------------------

    def _route_triggers(self, d: _Decorated, authorizers: dict[str, int]) -> list[Trigger]:
        call = d.call
        path = _arg_text(call, 0) or "/"
        methods = _kwarg_list(call, "methods") or ["GET"]
        where = Location(self.app_rel, d.line)
        authorizer = None
        auth_node = _kwarg(call, "authorizer")
        if auth_node is not None:
            authorizer = _authorizer(auth_node, authorizers, where)
        api_key = _kwarg_bool(call, "api_key_required")
        cors_node = _kwarg(call, "cors")
        cors = None
        if isinstance(cors_node, ast.Constant) and cors_node.value is True:
            cors = Cors(allow_origins=("*",), location=where)
        elif isinstance(cors_node, ast.Call):
            origin = _kwarg_text(cors_node, "allow_origin") or "*"
            cors = Cors(allow_origins=(origin,), allow_credentials=_kwarg_bool(cors_node, "allow_credentials"),
                        location=where)
        private = (self.setting("api_gateway_endpoint_type")[0] or "").upper() == "PRIVATE"
        return [Trigger(TriggerKind.REST_API, http_trust(authorizer, api_key, private), where, api_id="RestAPI",
                        method=m.upper(), path=path, authorizer=authorizer, api_key_required=api_key, cors=cors,
                        properties={"view": d.name, "content_types": _kwarg_list(d.call, "content_types")})
                for m in methods]

    def _event_trigger(self, d: _Decorated) -> Trigger | None:
        kind = _EVENT_DECORATORS.get(d.method)
        if kind is None:
            return None
        where = Location(self.app_rel, d.line)
        source_key = _SOURCE_ARGS.get(d.method)
        source = None
        if source_key is not None:
            text = _kwarg_text(d.call, source_key) or (_arg_text(d.call, 0) if d.method == "schedule" else None)
            source = Value.of(text, where) if text else None
        props: dict[str, Any] = {"decorator": d.method}
        if d.method == "schedule":
            props["schedule"] = source.text() if source else None
        if d.method == "on_ws_message":
            props["route"] = "$default"
        elif d.method == "on_ws_connect":
            props["route"] = "$connect"
        elif d.method == "on_ws_disconnect":
            props["route"] = "$disconnect"
        batch = _kwarg_int(d.call, "batch_size")
        return Trigger(kind, default_trust(kind), where, source=source, batch_size=batch,
                       path=props.get("route"), properties=props)


def _chalice_app(tree: ast.Module) -> tuple[str | None, str | None, int]:
    """``app = Chalice(app_name='x')``: the variable, the app name and the line."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            fname = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if fname == "Chalice" and node.targets and isinstance(node.targets[0], ast.Name):
                return node.targets[0].id, _kwarg_text(node.value, "app_name") or _arg_text(node.value, 0), \
                    node.lineno
    return None, None, 0


def _decorated(tree: ast.Module, app_var: str) -> tuple[list[_Decorated], dict[str, int]]:
    out: list[_Decorated] = []
    authorizers: dict[str, int] = {}
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for deco in node.decorator_list:
            call = deco if isinstance(deco, ast.Call) else None
            func = deco.func if isinstance(deco, ast.Call) else deco
            if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == app_var):
                continue
            method = func.attr
            if method == "authorizer":
                authorizers[node.name] = deco.lineno
            elif method == "route" or method in _EVENT_DECORATORS:
                out.append(_Decorated(node.name, method, call, deco.lineno))
    return out, authorizers


def _authorizer(node: ast.expr, authorizers: dict[str, int], where: Location) -> Authorizer:
    if isinstance(node, ast.Name) and node.id in authorizers:
        return Authorizer(AuthorizerKind.LAMBDA, node.id, where)
    if isinstance(node, ast.Call):
        func = node.func
        fname = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if fname in _BUILTIN_AUTHORIZERS:
            return Authorizer(_BUILTIN_AUTHORIZERS[fname], fname, where)
    name = node.id if isinstance(node, ast.Name) else "authorizer"
    return Authorizer(AuthorizerKind.OTHER, name, where)


def _kwarg(call: ast.Call | None, name: str) -> ast.expr | None:
    if call is None:
        return None
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _kwarg_text(call: ast.Call | None, name: str) -> str | None:
    node = _kwarg(call, name)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _kwarg_bool(call: ast.Call | None, name: str) -> bool | None:
    node = _kwarg(call, name)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, bool) else None


def _kwarg_int(call: ast.Call | None, name: str) -> int | None:
    node = _kwarg(call, name)
    ok = isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool)
    return node.value if ok else None  # type: ignore[union-attr]


def _kwarg_list(call: ast.Call | None, name: str) -> list[str]:
    node = _kwarg(call, name)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _arg_text(call: ast.Call | None, index: int) -> str | None:
    if call is None or len(call.args) <= index:
        return None
    node = call.args[index]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _statements(doc: Document, policy_name: str) -> list[Statement]:
    data = doc.data
    items = data.get("Statement") if isinstance(data, Mapping) else None
    items = items if isinstance(items, list) else [items] if isinstance(items, Mapping) else []
    out: list[Statement] = []
    for i, st in enumerate(items):
        if not isinstance(st, Mapping):
            continue
        conditions = st.get("Condition")
        out.append(Statement(
            effect=str(st.get("Effect") or "Allow"), location=Location(doc.file, line_of(st), pointer=("Statement", i)),
            actions=tuple(str(a) for a in _list(st.get("Action"))),
            not_actions=tuple(str(a) for a in _list(st.get("NotAction"))),
            resources=tuple(Value.of(str(r)) for r in _list(st.get("Resource"))),
            not_resources=tuple(Value.of(str(r)) for r in _list(st.get("NotResource"))),
            conditions=dict(conditions) if isinstance(conditions, Mapping) else {},
            sid=str(st.get("Sid") or ""), policy_name=policy_name))
    return out


__all__ = ["ChaliceLoader", "is_chalice_config"]
