"""The ${...} resolver on its own: sources, fallbacks, nesting, cycles, file includes, env opt-in."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from faasguard.loaders import LoadOptions
from faasguard.loaders.document import load_document
from faasguard.loaders.serverless.variables import (
    MAX_EXPANDED_NODES,
    MAX_VARIABLE_DEPTH,
    FileMark,
    Resolver,
    iter_values,
    split_template,
)
from faasguard.model import ErrorKind, Value, ValueKind


def resolve(tmp_path: Path, text: str, files: dict[str, str] | None = None, root: Path | None = None,
            **options: object) -> tuple[dict, Resolver]:
    project = tmp_path / "svc"
    project.mkdir(exist_ok=True)
    (project / "serverless.yml").write_text(text)
    for rel, content in (files or {}).items():
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    scan_root = (root or project).resolve()
    path = (project / "serverless.yml").resolve()
    doc = load_document(path, path.relative_to(scan_root).as_posix())
    resolver = Resolver(doc, scan_root, LoadOptions(**options))  # type: ignore[arg-type]
    return resolver.resolve_all(), resolver


def test_split_template_leaves_cloudformation_subs_alone():
    assert split_template("plain") is None
    assert split_template("arn:${AWS::Partition}:s3:::${Bucket}") is None
    parts = split_template("a-${self:x}-${AWS::Region}")
    assert [(p.text, p.is_var) for p in parts] == [("a-", False), ("self:x", True), ("-${AWS::Region}", False)]


def test_self_nested_and_recursive(tmp_path):
    data, r = resolve(tmp_path, """service: s
provider:
  name: aws
  stage: ${opt:stage, 'dev'}
custom:
  dev: {table: dev-table}
  prod: {table: prod-table}
  table: ${self:custom.${sls:stage}.table}
  alias: ${self:custom.table}
  list: [a, b]
  second: ${self:custom.list.1}
  number: 42
  numberText: n-${self:custom.number}
""")
    custom = data["custom"]
    assert (custom["table"], custom["alias"], custom["second"]) == ("dev-table", "dev-table", "b")
    assert custom["number"] == 42 and custom["numberText"] == "n-42"
    assert r.errors == []


def test_stage_option_changes_resolution(tmp_path):
    data, _ = resolve(tmp_path, "service: s\nprovider: {name: aws, stage: '${opt:stage, \"dev\"}'}\n"
                                "custom:\n  dev: {t: d}\n  prod: {t: p}\n  t: ${self:custom.${sls:stage}.t}\n",
                      stage="prod")
    assert data["custom"]["t"] == "p" and data["provider"]["stage"] == "prod"


def test_default_stage_is_dev(tmp_path):
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  s: ${sls:stage}\n  o: ${opt:stage, 'x'}\n")
    assert data["custom"]["s"] == "dev" and data["custom"]["o"] == "x" and r.stage == "dev"


def test_params_by_stage_then_default_and_cli_variables(tmp_path):
    text = """service: s
provider: aws
params:
  default: {table: default-table, only: d}
  prod: {table: prod-table}
custom:
  table: ${param:table}
  only: ${param:only}
  missing: ${param:nothere}
  opt: ${opt:color, 'blue'}
"""
    data, _ = resolve(tmp_path, text)
    assert (data["custom"]["table"], data["custom"]["only"]) == ("default-table", "d")
    missing = data["custom"]["missing"]
    assert isinstance(missing, Value) and missing.kind is ValueKind.PARAMETER and missing.ref == "nothere"
    data, _ = resolve(tmp_path, text, stage="prod", variables={"only": "cli", "color": "red"})
    assert (data["custom"]["table"], data["custom"]["only"], data["custom"]["opt"]) == ("prod-table", "cli", "red")


def test_env_is_not_read_without_opt_in(tmp_path, monkeypatch):
    monkeypatch.setenv("FG_TEST_SECRET", "s3cr3t")
    text = "service: s\nprovider: aws\ncustom:\n  a: ${env:FG_TEST_SECRET}\n  b: ${env:FG_TEST_SECRET, 'fallback'}\n" \
           "  c: prefix-${env:FG_TEST_SECRET}\n"
    data, _ = resolve(tmp_path, text)
    a, b, c = data["custom"]["a"], data["custom"]["b"], data["custom"]["c"]
    assert isinstance(a, Value) and a.kind is ValueKind.ENV and a.ref == "FG_TEST_SECRET"
    assert a.location is not None and a.location.line == 4
    assert b == "fallback"
    assert isinstance(c, Value) and c.kind is ValueKind.ENV and c.raw == "prefix-${env:FG_TEST_SECRET}"
    assert "s3cr3t" not in repr(data)
    data, _ = resolve(tmp_path, text, allow_env=True)
    assert (data["custom"]["a"], data["custom"]["b"], data["custom"]["c"]) == ("s3cr3t", "s3cr3t", "prefix-s3cr3t")


def test_remote_sources_are_typed_references(tmp_path):
    data, _ = resolve(tmp_path, """service: s
provider: aws
custom:
  ssm: ${ssm:/app/db-password}
  ssmRegion: ${ssm(eu-west-1):/app/key}
  secret: ${ssm:/aws/reference/secretsmanager/prod/db}
  cf: ${cf:other-stack.BucketName}
  output: ${output:other-service.url}
  aws: ${aws:accountId}
  s3: ${s3:bucket/key}
  instance: ${sls:instanceId}
  unknown: ${vault:secret/data}
  arn: arn:aws:s3:::${self:custom.bucket}/*
  mixed: arn:aws:iam::${aws:accountId}:role/${self:custom.bucket}
  bucket: my-bucket
""")
    c = data["custom"]
    expected = {
        "ssm": (ValueKind.SSM, "/app/db-password"), "ssmRegion": (ValueKind.SSM, "/app/key"),
        "secret": (ValueKind.SECRETS_MANAGER, "/aws/reference/secretsmanager/prod/db"),
        "cf": (ValueKind.STACK_OUTPUT, "other-stack.BucketName"),
        "output": (ValueKind.STACK_OUTPUT, "other-service.url"), "aws": (ValueKind.REMOTE, "aws:accountId"),
        "s3": (ValueKind.REMOTE, "s3:bucket/key"), "instance": (ValueKind.REMOTE, "sls:instanceId"),
        "unknown": (ValueKind.UNRESOLVED, "vault:secret/data"),
    }
    assert {k: (c[k].kind, c[k].ref) for k in expected} == expected
    assert c["ssm"].raw == "${ssm:/app/db-password}" and c["ssm"].location.line == 4
    assert c["arn"] == "arn:aws:s3:::my-bucket/*"
    assert isinstance(c["mixed"], Value) and c["mixed"].kind is ValueKind.REMOTE
    assert c["mixed"].raw == "arn:aws:iam::${aws:accountId}:role/my-bucket"


def test_fallback_chain_and_str_to_bool(tmp_path):
    data, r = resolve(tmp_path, """service: s
provider: aws
custom:
  chain: ${opt:nope, self:custom.missing, env:NOPE, 'last'}
  chainSelf: ${opt:nope, self:custom.target}
  nestedFallback: ${opt:nope, ${self:custom.target}}
  target: t
  num: ${opt:nope, 5}
  on1: ${strToBool(true)}
  off1: ${strToBool(${self:custom.falseText})}
  falseText: 'false'
  nulled: ${self:custom.none, 'was-null'}
  none: null
""")
    c = data["custom"]
    assert (c["chain"], c["chainSelf"], c["nestedFallback"], c["num"]) == ("last", "t", "t", 5)
    assert (c["on1"], c["off1"], c["nulled"]) == (True, False, "was-null")
    assert r.errors == []


def test_unresolvable_is_a_value_not_a_crash(tmp_path):
    data, _ = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  x: ${self:custom.nothing}\n"
                                "  y: ${opt:nothing}\n  z: ${file(./absent.yml)}\n  w: ${self:custom.dict}-x\n"
                                "  dict: {a: 1}\n")
    for key in "xyz":
        value = data["custom"][key]
        assert isinstance(value, Value) and value.kind is ValueKind.UNRESOLVED, key
    assert data["custom"]["x"].raw == "${self:custom.nothing}"
    assert data["custom"]["w"].kind is ValueKind.UNRESOLVED


def test_cycles_are_detected(tmp_path):
    data, r = resolve(tmp_path, """service: s
provider: aws
custom:
  a: ${self:custom.b}
  b: ${self:custom.a}
  self: ${self:custom}
  deep: ${self:custom.deep.x}
""")
    assert isinstance(data["custom"]["a"], Value) and data["custom"]["a"].kind is ValueKind.UNRESOLVED
    assert isinstance(data["custom"]["deep"], Value)
    messages = {(e.line, e.message) for e in r.errors}
    assert (5, "variable cycle through 'custom.a'") in messages
    assert any("cycle" in m and line == 6 for line, m in messages)


def test_deep_recursion_is_bounded(tmp_path):
    lines = [f"  v{i}: ${{self:custom.v{i + 1}}}" for i in range(MAX_VARIABLE_DEPTH + 20)]
    lines.append(f"  v{MAX_VARIABLE_DEPTH + 20}: end")
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n" + "\n".join(lines) + "\n")
    assert isinstance(data["custom"]["v0"], Value)
    assert any(e.kind is ErrorKind.UNSAFE and "levels deep" in e.message for e in r.errors)
    # a chain shorter than the bound resolves
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n"
                      + "\n".join(f"  v{i}: ${{self:custom.v{i + 1}}}" for i in range(10)) + "\n  v10: end\n")
    assert data["custom"]["v0"] == "end" and r.errors == []


def test_file_includes_keep_their_own_lines(tmp_path):
    data, r = resolve(tmp_path, """service: s
provider: aws
custom:
  bucket: b1
  config: ${file(./config/app.yml)}
  only: ${file(./config/app.yml):nested.value}
  json: ${file(./config/data.json):key}
  stageFile: ${file(./config/${sls:stage}.yml):name}
""", files={
        "config/app.yml": "a: 1\nref: ${self:custom.bucket}\nsibling: ${self:custom.config.a}\n"
                          "nested:\n  value: hello\n",
        "config/data.json": '{\n  "key": "from-json"\n}\n',
        "config/dev.yml": "name: dev-name\n",
    })
    config = data["custom"]["config"]
    assert dict(config) == {"a": 1, "ref": "b1", "sibling": 1, "nested": {"value": "hello"}}
    key = next(k for k in config if k == "nested")
    assert isinstance(key.start_mark, FileMark)
    assert (key.start_mark.file, key.start_mark.line + 1) == ("config/app.yml", 4)
    only = data["custom"]["only"]
    assert only == "hello" and (only.start_mark.file, only.start_mark.line + 1) == ("config/app.yml", 5)
    assert data["custom"]["json"] == "from-json" and data["custom"]["json"].start_mark.file == "config/data.json"
    assert data["custom"]["stageFile"] == "dev-name"
    assert sorted(d.file for d in r.included.values()) == ["config/app.yml", "config/data.json", "config/dev.yml"]
    assert r.errors == []


def test_file_outside_the_root_is_refused(tmp_path):
    (tmp_path / "secret.yml").write_text("password: hunter2\n")
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  x: ${file(../secret.yml):password}\n"
                                "  y: ${file(/etc/hostname)}\n  z: ${file(../secret.yml), 'safe'}\n")
    assert isinstance(data["custom"]["x"], Value) and isinstance(data["custom"]["y"], Value)
    assert data["custom"]["z"] == "safe"
    assert "hunter2" not in repr(data)
    refused = [(e.line, e.kind) for e in r.errors if "outside the scanned directory" in e.message]
    assert refused == [(4, ErrorKind.UNSAFE), (5, ErrorKind.UNSAFE), (6, ErrorKind.UNSAFE)]
    assert r.included == {}


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlink_pointing_outside_is_refused(tmp_path):
    outside = tmp_path / "outside.yml"
    outside.write_text("password: hunter2\n")
    project = tmp_path / "svc"
    project.mkdir()
    (project / "link.yml").symlink_to(outside)
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  x: ${file(./link.yml):password}\n")
    assert isinstance(data["custom"]["x"], Value)
    assert [e.kind for e in r.errors] == [ErrorKind.UNSAFE]


def test_file_inside_a_wider_scan_root_is_allowed(tmp_path):
    (tmp_path / "shared.yml").write_text("region: eu-west-1\n")
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  r: ${file(../shared.yml):region}\n",
                      root=tmp_path)
    assert data["custom"]["r"] == "eu-west-1" and r.errors == []


def test_javascript_files_are_never_executed(tmp_path):
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  x: ${file(./config.js):value}\n",
                      files={"config.js": "throw new Error('ran')\n"})
    assert isinstance(data["custom"]["x"], Value) and data["custom"]["x"].kind is ValueKind.UNRESOLVED
    assert [e.kind for e in r.errors] == [ErrorKind.UNSUPPORTED]


def test_broken_included_file_is_an_error(tmp_path):
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  x: ${file(./bad.yml)}\n",
                      files={"bad.yml": "a: [unclosed\n"})
    assert isinstance(data["custom"]["x"], Value)
    assert [(e.file, e.kind) for e in r.errors] == [("bad.yml", ErrorKind.PARSE)]


def test_include_cycle_between_files(tmp_path):
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  x: ${file(./a.yml)}\n",
                      files={"a.yml": "inner: ${file(./b.yml)}\n", "b.yml": "back: ${file(./a.yml)}\n"})
    assert isinstance(data["custom"]["x"]["inner"], Value | dict)
    assert any("cycle" in e.message or "levels deep" in e.message for e in r.errors)


def test_provider_stage_and_region_have_framework_defaults(tmp_path):
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  t: table-${opt:stage, self:provider.stage}\n"
                                "  r: ${self:provider.region}\n")
    assert (data["custom"]["t"], data["custom"]["r"]) == ("table-dev", "us-east-1")
    data, _ = resolve(tmp_path, "service: s\nprovider: {name: aws, stage: '${opt:stage}'}\n"
                                "custom:\n  t: table-${self:provider.stage}\n", stage="qa")
    assert data["custom"]["t"] == "table-qa"


def test_unknown_nested_part_makes_the_whole_variable_unknown(tmp_path):
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n"
                                "  a: ${file(./config/${env:WHICH}.yml):key}\n"
                                "  b: ${file(./config/${env:WHICH}.yml):key, 'fallback'}\n"
                                "  c: ${self:custom.${ssm:/x}}\n")
    a = data["custom"]["a"]
    assert isinstance(a, Value) and a.kind is ValueKind.ENV and a.raw == "${file(./config/${env:WHICH}.yml):key}"
    assert data["custom"]["b"] == "fallback"
    c = data["custom"]["c"]
    assert isinstance(c, Value) and c.kind is ValueKind.SSM and c.raw == "${self:custom.${ssm:/x}}"
    assert r.included == {}


def test_exponential_variable_expansion_is_bounded(tmp_path):
    levels = ["  l0: [x, y]"] + [f"  l{i}:\n    - ${{self:custom.l{i - 1}}}\n    - ${{self:custom.l{i - 1}}}"
                                 for i in range(1, 40)]
    started = time.perf_counter()
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n" + "\n".join(levels) + "\n")
    assert time.perf_counter() - started < 30
    top = data["custom"]["l39"]
    assert any(v.kind is ValueKind.UNRESOLVED for v in iter_values(top))
    assert top.weight <= MAX_EXPANDED_NODES
    assert [e.kind for e in r.errors] == [ErrorKind.UNSAFE]
    assert "expand to more than" in r.errors[0].message


def test_exponential_file_includes_are_bounded(tmp_path):
    files = {f"f{i}.yml": f"a: ${{file(./f{i + 1}.yml)}}\nb: ${{file(./f{i + 1}.yml)}}\n" for i in range(30)}
    files["f30.yml"] = "leaf: 1\n"
    started = time.perf_counter()
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  x: ${file(./f0.yml)}\n", files=files)
    assert time.perf_counter() - started < 30
    assert any(v.kind is ValueKind.UNRESOLVED for v in iter_values(data["custom"]["x"]))
    assert [e.kind for e in r.errors] == [ErrorKind.UNSAFE]


def test_v4_stage_params(tmp_path):
    text = """service: s
provider: aws
stages:
  default:
    params: {domain: dev.example.com, only: d}
  prod:
    params: {domain: example.com}
custom:
  domain: ${param:domain}
  only: ${param:only}
"""
    data, _ = resolve(tmp_path, text)
    assert (data["custom"]["domain"], data["custom"]["only"]) == ("dev.example.com", "d")
    data, _ = resolve(tmp_path, text, stage="prod")
    assert (data["custom"]["domain"], data["custom"]["only"]) == ("example.com", "d")


def test_other_files_are_read_as_text(tmp_path):
    key = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"
    data, r = resolve(tmp_path, "service: s\nprovider: aws\ncustom:\n  key: ${file(./public_key)}\n",
                      files={"public_key": key})
    assert data["custom"]["key"] == key and data["custom"]["key"].start_mark.file == "public_key"
    assert [d.file for d in r.included.values()] == ["public_key"] and r.errors == []
