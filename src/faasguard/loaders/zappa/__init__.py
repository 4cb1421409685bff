"""Zappa apps -> application model.

``zappa_settings.json`` (or ``.yaml`` / ``.yml``) holds one mapping per stage; ``extends`` makes a
stage inherit another's settings. A Zappa deployment is one Lambda function running the WSGI app
named by ``app_function`` (behind an API Gateway REST API unless ``apigateway_enabled`` is false)
plus the ``events`` it subscribes to. The stage is ``--stage`` when given, else the first stage.

People leave comments and trailing commas in these JSON files (Zappa itself reads them with a
lenient loader), so :func:`read_settings` strips ``//`` / ``#`` / ``/* */`` comments and trailing
commas, keeping every line where it was. What still can't be parsed is reported with its line,
and the app is still modelled from the ``app_function`` values found in the text, so the code
analysis runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faasguard.loaders.base import LoadOptions, LoadResult
from faasguard.loaders.document import Document, DocumentError, key_position, line_of, parse_text, read_text
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
    Role,
    ScanError,
    Statement,
    Trigger,
    TriggerKind,
    Value,
    VpcConfig,
)

DEFAULT_RUNTIME = "python3.12"  # Zappa uses the deploying Python's version when runtime is not set
DEFAULT_TIMEOUT = 30
DEFAULT_MEMORY = 512
SETTINGS_NAMES = ("zappa_settings.json", "zappa_settings.yaml", "zappa_settings.yml")
# The policy Zappa attaches to the role it creates when no attach_policy is given (zappa/core.py
# ATTACH_POLICY): every action of several data services, on every resource.
_DEFAULT_POLICY = (
    (("logs:*",), "arn:aws:logs:*:*:*"),
    (("lambda:InvokeFunction",), "*"),
    (("xray:PutTraceSegments", "xray:PutTelemetryRecords"), "*"),
    (("ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
      "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface",
      "ec2:ModifyNetworkInterfaceAttribute", "ec2:ResetNetworkInterfaceAttribute"), "*"),
    (("s3:*",), "arn:aws:s3:::*"),
    (("kinesis:*",), "arn:aws:kinesis:*:*:*"),
    (("sns:*",), "arn:aws:sns:*:*:*"),
    (("sqs:*",), "arn:aws:sqs:*:*:*"),
    (("dynamodb:*",), "arn:aws:dynamodb:*:*:*"),
    (("route53:*",), "*"),
)
_ARN_KINDS = ((":s3:", TriggerKind.S3), (":sns:", TriggerKind.SNS), (":sqs:", TriggerKind.SQS),
              (":dynamodb:", TriggerKind.DYNAMODB_STREAM), (":kinesis:", TriggerKind.KINESIS),
              (":events:", TriggerKind.EVENTBRIDGE))


@dataclass(frozen=True)
class PartialSettings:
    """Settings that could not be parsed: the error, and the app functions found in the text."""

    message: str
    line: int
    app_functions: tuple[tuple[str, int], ...]  # (app_function, line)


def is_settings_name(name: str) -> bool:
    return name in SETTINGS_NAMES


def strip_lenient_json(text: str) -> str:
    """Blank out comments and trailing commas outside strings; lines and columns are kept."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
            continue
        if c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i) or c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:end]))
            i = end
        elif c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            # a comma followed (after blanks / comments already blanked later) by } or ]
            rest = _skip_comments(text, j)
            out.append(" " if rest < n and text[rest] in "}]" else c)
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _skip_comments(text: str, j: int) -> int:
    n = len(text)
    while j < n:
        if text[j] in " \t\r\n":
            j += 1
        elif text.startswith("//", j) or text[j] == "#":
            end = text.find("\n", j)
            j = n if end < 0 else end
        elif text.startswith("/*", j):
            end = text.find("*/", j + 2)
            j = n if end < 0 else end + 2
        else:
            break
    return j


_APP_FUNCTION = re.compile(r'"app_function"\s*:\s*"([^"]+)"')


def read_settings(path: Path, file: str) -> Document:
    """Parse zappa settings leniently. A JSON file that still fails gives a ``PartialSettings``
    document (never raises for JSON syntax); YAML goes through the normal decoder."""
    text = read_text(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return parse_text(text, file, path)
    cleaned = strip_lenient_json(text)
    try:
        json.loads(cleaned)  # strictly JSON (parse_text would fall back to YAML)
        return parse_text(cleaned, file, path)
    except (ValueError, DocumentError) as exc:
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else getattr(exc, "line", 0)
        message = f"invalid JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        found = tuple((m.group(1), text.count("\n", 0, m.start()) + 1) for m in _APP_FUNCTION.finditer(text))
        return Document(PartialSettings(message, line, found), file, path, text)


class ZappaLoader:
    name = "zappa"

    def claims(self, doc: Document) -> bool:
        return is_settings_name(doc.path.name) and isinstance(doc.data, (Mapping, PartialSettings))

    def load(self, doc: Document, root: Path, options: LoadOptions) -> LoadResult:
        result = LoadResult()
        try:
            app_dir = doc.path.parent.resolve().relative_to(root.resolve()).as_posix() or "."
        except ValueError:
            app_dir = "."
        data = doc.data
        if isinstance(data, PartialSettings):
            result.errors.append(ScanError(doc.file, f"Zappa settings: {data.message}; only app_function was read",
                                           ErrorKind.PARSE, data.line))
            if data.app_functions:
                result.applications.append(_partial_app(doc, data, app_dir, options))
            return result
        stages = [k for k, v in data.items() if isinstance(v, Mapping)]
        if not stages:
            result.errors.append(ScanError(doc.file, "Zappa settings hold no stage", ErrorKind.PARSE, 1))
            return result
        stage = options.stage if options.stage is not None and options.stage in stages else stages[0]
        settings, origins = _merged(data, stage)
        if not isinstance(settings.get("app_function"), str):
            result.errors.append(ScanError(doc.file, f"Zappa stage {stage}: no app_function; nothing to scan",
                                           ErrorKind.PARSE, line_of(data[stage]) or 1))
            return result
        result.applications.append(_Stage(doc, data, stage, settings, origins, app_dir).application())
        return result


def _merged(data: Mapping[str, Any], stage: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The stage's settings with ``extends`` applied; origins: setting -> the stage that sets it."""
    chain: list[str] = []
    current: str | None = stage
    while isinstance(current, str) and current in data and current not in chain and len(chain) < 10:
        chain.append(current)
        parent = data[current].get("extends") if isinstance(data[current], Mapping) else None
        current = parent if isinstance(parent, str) else None
    settings: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name in reversed(chain):
        for key, value in data[name].items():
            settings[str(key)] = value
            origins[str(key)] = name
    return settings, origins


def _partial_app(doc: Document, data: PartialSettings, app_dir: str, options: LoadOptions) -> Application:
    functions = []
    for i, (handler, line) in enumerate(data.app_functions):
        where = Location(doc.file, line)
        fid = "app" if i == 0 else f"app{i + 1}"
        functions.append(Function(id=fid, name=fid, location=where, runtime=DEFAULT_RUNTIME, handler=handler,
                                  code_path=app_dir, timeout=DEFAULT_TIMEOUT, memory=DEFAULT_MEMORY,
                                  source_kind="zappa", locations={"handler": where}))
    return Application(name=Path(app_dir).name if app_dir != "." else doc.path.parent.name, source_kind="zappa",
                       root=app_dir, files=(doc.file,), location=Location(doc.file, 1), stage=options.stage,
                       functions=tuple(functions))


@dataclass
class _Stage:
    doc: Document
    data: Mapping[str, Any]
    stage: str
    settings: dict[str, Any]
    origins: dict[str, str]
    app_dir: str

    def loc(self, key: str) -> Location:
        owner = self.origins.get(key, self.stage)
        mapping = self.data.get(owner)
        line, col = key_position(mapping, key) if isinstance(mapping, Mapping) else (0, 0)
        return Location(self.doc.file, line, col, pointer=(owner, key))

    def stage_loc(self) -> Location:
        line, col = key_position(self.data, self.stage)
        return Location(self.doc.file, line, col, pointer=(self.stage,))

    def get(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def application(self) -> Application:
        project = str(self.get("project_name") or (Path(self.app_dir).name if self.app_dir != "."
                                                   else self.doc.path.parent.name))
        fname = f"{project}-{self.stage}"
        where = self.loc("app_function")
        locations: dict[str, Location] = {"handler": where}
        fields: dict[str, Any] = {}
        for key, field, default in (("timeout_seconds", "timeout", DEFAULT_TIMEOUT),
                                    ("memory_size", "memory", DEFAULT_MEMORY), ("runtime", "runtime", DEFAULT_RUNTIME)):
            value = self.get(key)
            number = isinstance(value, int) and not isinstance(value, bool)
            ok = isinstance(value, str) if field == "runtime" else number
            fields[field] = value if ok else default
            if key in self.settings:
                locations[field] = self.loc(key)
        if isinstance(self.get("concurrency"), int):
            fields["reserved_concurrency"] = self.get("concurrency")
            locations["reserved_concurrency"] = self.loc("concurrency")
        env: dict[str, Value] = {}
        for key in ("aws_environment_variables", "environment_variables"):
            variables = self.get(key)
            if not isinstance(variables, Mapping):
                continue
            locations["environment"] = self.loc(key)
            for name, value in variables.items():
                line, col = key_position(variables, str(name))
                at = Location(self.doc.file, line, col, pointer=(self.origins.get(key, self.stage), key, str(name)))
                env[str(name)] = Value.of(value if isinstance(value, (str, int, float, bool)) or value is None
                                          else str(value), at)
                locations[f"environment.{name}"] = at
        vpc = self.get("vpc_config")
        if isinstance(vpc, Mapping):
            fields["vpc"] = VpcConfig(tuple(Value.of(str(s)) for s in _list(vpc.get("SubnetIds"))),
                                      tuple(Value.of(str(g)) for g in _list(vpc.get("SecurityGroupIds"))),
                                      self.loc("vpc_config"))
            locations["vpc"] = self.loc("vpc_config")
        if self.get("xray_tracing") is True:
            fields["tracing"] = "Active"
        if "xray_tracing" in self.settings:
            locations["tracing"] = self.loc("xray_tracing")
        if isinstance(self.get("dead_letter_arn"), str):
            fields["dead_letter"] = Value.of(self.get("dead_letter_arn"), self.loc("dead_letter_arn"))
            locations["dead_letter"] = self.loc("dead_letter_arn")
        if isinstance(self.get("layers"), list):
            fields["layers"] = tuple(Value.of(str(x), self.loc("layers")) for x in self.get("layers"))
            locations["layers"] = self.loc("layers")
        role_id, role = self._role(fname)
        api, triggers = self._http(fname)
        triggers += self._events()
        fn = Function(id=fname, name=fname, location=self.stage_loc(), handler=str(self.get("app_function")),
                      code_path=self.app_dir, environment=env, role_id=role_id, triggers=tuple(triggers),
                      source_kind="zappa", locations=locations, **fields)
        roles = (Role(role.id, role.location, role.name, role.statements, role.managed_policies, (), (fname,),
                      role.external, role.arn, None, "zappa"),) if role else ()
        return Application(name=project, source_kind="zappa", root=self.app_dir, files=(self.doc.file,),
                           location=Location(self.doc.file, 1), stage=self.stage,
                           region=self.get("aws_region") if isinstance(self.get("aws_region"), str) else None,
                           functions=(fn,), roles=roles, apis=(api,) if api else ())

    def _role(self, fname: str) -> tuple[str | None, Role | None]:
        arn = self.get("role_arn")
        if isinstance(arn, str):
            return arn, Role(arn, self.loc("role_arn"), name=arn.rsplit("/", 1)[-1], external=True,
                             arn=Value.of(arn, self.loc("role_arn")), source_kind="zappa")
        name = self.get("role_name") if isinstance(self.get("role_name"), str) else f"{fname}-ZappaLambdaExecutionRole"
        if self.get("manage_roles") is False:
            where = self.loc("manage_roles")
            return name, Role(name, where, name=name, external=True, arn=Value.of(name, where), source_kind="zappa")
        if isinstance(self.get("attach_policy"), str):
            statements = self._policy_file(str(self.get("attach_policy")), self.loc("attach_policy"))
        else:  # Zappa's default policy, which the stage could replace with attach_policy
            where = self.stage_loc()
            statements = tuple(Statement("Allow", where, actions=actions, resources=(Value.of(res),),
                                         policy_name="zappa-permissions") for actions, res in _DEFAULT_POLICY)
        return name, Role(name, self.stage_loc(), name=name, statements=statements, source_kind="zappa")

    def _policy_file(self, name: str, where: Location) -> tuple[Statement, ...]:
        from faasguard.loaders.chalice import _statements
        from faasguard.loaders.document import load_document

        path = self.doc.path.parent / name
        rel = f"{self.app_dir}/{name}" if self.app_dir != "." else name
        try:
            return tuple(_statements(load_document(path, rel), name))
        except DocumentError:
            return ()

    def _http(self, fname: str) -> tuple[Api | None, list[Trigger]]:
        if self.get("apigateway_enabled", True) is False:
            return None, []
        where = self.loc("app_function")
        authorizer = None
        if self.get("iam_authorization") is True:
            authorizer = Authorizer(AuthorizerKind.IAM, "AWS_IAM", self.loc("iam_authorization"))
        elif isinstance(self.get("authorizer"), Mapping):
            authorizer = Authorizer(AuthorizerKind.LAMBDA, str(self.get("authorizer").get("function") or ""),
                                    self.loc("authorizer"))
        api_key = self.get("api_key_required") is True
        cors = Cors(allow_origins=("*",), location=self.loc("cors")) if self.get("cors") is True else None
        endpoint = self.get("endpoint_configuration")
        endpoint_type = str(endpoint[0]) if isinstance(endpoint, list) and endpoint else "EDGE"
        api = Api(f"{fname}-api", ApiKind.REST, self.stage_loc(), name=fname, implicit=True,
                  endpoint_type=endpoint_type, access_logging=False,
                  execution_logging=self.get("cloudwatch_log_level", "OFF") in ("INFO", "ERROR"),
                  tracing=self.get("xray_tracing") is True, usage_plan=api_key or None, waf=None,
                  locations={"access_logging": self.stage_loc()})
        trust = http_trust(authorizer, api_key, endpoint_type.upper() == "PRIVATE")
        return api, [Trigger(TriggerKind.REST_API, trust, where, api_id=api.id, method="ANY", path="/{proxy+}",
                             authorizer=authorizer, api_key_required=api_key or None, cors=cors)]

    def _events(self) -> list[Trigger]:
        events = self.get("events")
        out: list[Trigger] = []
        if not isinstance(events, list):
            return out
        for i, event in enumerate(events):
            if not isinstance(event, Mapping):
                continue
            where = Location(self.doc.file, line_of(event) or self.loc("events").line,
                             pointer=(self.origins.get("events", self.stage), "events", i))
            props = {"function": event.get("function")}
            if "expression" in event:
                out.append(Trigger(TriggerKind.SCHEDULE, default_trust(TriggerKind.SCHEDULE), where,
                                   properties={**props, "schedule": event.get("expression")}))
                continue
            source = event.get("event_source")
            if not isinstance(source, Mapping):
                continue
            arn = str(source.get("arn") or "")
            kind = next((k for marker, k in _ARN_KINDS if marker in arn), TriggerKind.OTHER)
            out.append(Trigger(kind, default_trust(kind), where, source=Value.of(arn, where),
                               batch_size=source.get("batch_size") if isinstance(source.get("batch_size"), int)
                               else None, properties={**props, "events": source.get("events")}))
        return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


__all__ = ["PartialSettings", "ZappaLoader", "is_settings_name", "read_settings", "strip_lenient_json"]
