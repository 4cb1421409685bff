"""Non-data-flow code rules that matter in functions (FG-CODE-1xx): one AST walk per file."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from faasguard.analyzers.code.modules import ModuleInfo

_HTTP_FUNCS = {f"requests.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request")}
_HTTP_FUNCS |= {"urllib.request.urlopen"}
_VERIFY_CALLS = _HTTP_FUNCS | {f"httpx.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "request",
                                                      "Client", "AsyncClient", "stream")} | {
    "requests.Session", "aiohttp.TCPConnector"}
_UNVERIFIED_CTX = {"ssl._create_unverified_context", "ssl._create_stdlib_context"}
_WEAK_HASHES = {"hashlib.md5", "hashlib.sha1", "hashlib.sha224", "hashlib.sha256", "hashlib.sha384",
                "hashlib.sha512", "hashlib.new", "hashlib.blake2b", "hashlib.blake2s"}
_PASSWORD = re.compile(r"pass(word|wd|phrase)?$|^pwd$|_pwd$|^pw$", re.I)
_SECRETISH = re.compile(r"(token|secret|password|passwd|nonce|otp|salt|api_?key|session_?id|reset_?code|"
                        r"verification_?code|csrf)", re.I)
_RANDOM = {f"random.{f}" for f in ("random", "randint", "randrange", "choice", "choices", "sample", "getrandbits",
                                     "shuffle", "uniform")}
_AWS_KEY_KWARGS = ("aws_secret_access_key", "aws_access_key_id", "aws_session_token")
_CLIENT_CALLS = {"boto3.client", "boto3.resource", "boto3.Session", "boto3.session.Session"}


@dataclass(frozen=True)
class LintHit:
    rule: str  # key of rules.LINT_RULES, or "log_event" (FG-CODE-014)
    line: int
    column: int
    message: str
    key: str


def _qual(expr: ast.expr, mod: ModuleInfo) -> str | None:
    parts: list[str] = []
    node = expr
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([mod.imports.get(node.id, node.id), *reversed(parts)])


def _names_in(node: ast.AST) -> list[str]:
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.append(n.id)
        elif isinstance(n, ast.Attribute):
            out.append(n.attr)
        elif isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, str):
            out.append(n.slice.value)
    return out


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _tmp_literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/tmp/") \
            and len(node.value) > 5:
        return node.value
    return None


_RELEVANT_MODULES = ("requests", "urllib", "httpx", "aiohttp", "ssl", "boto3", "hashlib", "random", "tempfile",
                     "aws_lambda_powertools")


def _worth_walking(mod: ModuleInfo) -> bool:
    """Only files that import something the checks are about, or name a /tmp path, are walked:
    walking every node of every file in Python is the costly part of linting."""
    if any(target.split(".")[0] in _RELEVANT_MODULES for target in mod.imports.values()):
        return True
    return any("/tmp/" in line or "verify" in line for line in mod.lines)


def lint_module(mod: ModuleInfo) -> Iterator[LintHit]:  # noqa: C901 - a flat list of checks
    if not _worth_walking(mod):
        return
    for node in ast.walk(mod.tree):
        if isinstance(node, ast.Call):
            q = _qual(node.func, mod) or ""
            kwargs = {kw.arg: kw.value for kw in node.keywords if kw.arg}
            # TLS verification off
            if "verify" in kwargs and _is_false(kwargs["verify"]) and (
                    q in _VERIFY_CALLS or isinstance(node.func, ast.Attribute)):
                yield LintHit("tls", node.lineno, node.col_offset + 1,
                              f"{q or ast.unparse(node.func)}(verify=False) accepts any certificate", f"verify:{q}")
            if "ssl" in kwargs and _is_false(kwargs["ssl"]) and q.startswith("aiohttp"):
                yield LintHit("tls", node.lineno, node.col_offset + 1, f"{q}(ssl=False) disables TLS checks",
                              f"ssl:{q}")
            if q in _UNVERIFIED_CTX:
                yield LintHit("tls", node.lineno, node.col_offset + 1, f"{q}() builds a context without "
                              "certificate checks", f"ctx:{q}")
            # outbound HTTP without timeout
            if q in _HTTP_FUNCS and "timeout" not in kwargs and not any(kw.arg is None for kw in node.keywords):
                yield LintHit("timeout", node.lineno, node.col_offset + 1,
                              f"{q}() without timeout= waits until the function itself times out", f"timeout:{q}")
            # hard-coded AWS keys
            client_call = isinstance(node.func, ast.Attribute) and node.func.attr in ("client", "resource")
            if q in _CLIENT_CALLS or client_call:
                for name in _AWS_KEY_KWARGS:
                    value = kwargs.get(name)
                    if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.strip():
                        yield LintHit("hardcoded_key", value.lineno, value.col_offset + 1,
                                      f"{name} is a string literal in {q or ast.unparse(node.func)}()", f"key:{name}")
            # fast hashes over passwords
            if q in _WEAK_HASHES and any(_PASSWORD.search(n) for a in node.args for n in _names_in(a)):
                yield LintHit("weak_hash", node.lineno, node.col_offset + 1,
                              f"{q}() over a password: fast hashes are brute-forced offline", f"hash:{q}")
            # predictable /tmp names
            if q in ("open", "io.open") and node.args:
                path = _tmp_literal(node.args[0])
                mode = node.args[1] if len(node.args) > 1 else kwargs.get("mode")
                writes = isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(
                    c in mode.value for c in "wax+")
                if path and writes:
                    yield LintHit("tmp_file", node.lineno, node.col_offset + 1,
                                  f"fixed file name {path} is shared by every invocation of a warm container",
                                  f"tmp:{path}")
            if q == "tempfile.mktemp":
                yield LintHit("tmp_file", node.lineno, node.col_offset + 1,
                              "tempfile.mktemp() returns a name another process can take first", "tmp:mktemp")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                # Powertools: @logger.inject_lambda_context(log_event=True) logs every whole event
                if isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) \
                        and deco.func.attr == "inject_lambda_context" and any(
                            kw.arg == "log_event" and isinstance(kw.value, ast.Constant) and kw.value.value is True
                            for kw in deco.keywords):
                    yield LintHit("log_event", deco.lineno, deco.col_offset + 1,
                                  f"{node.name}: inject_lambda_context(log_event=True) writes every event to the logs",
                                  f"log_event:{node.name}")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is None:
                continue
            if len(targets) == 1 and isinstance(targets[0], ast.Attribute) and targets[0].attr == "verify_mode" \
                    and _qual(value, mod) == "ssl.CERT_NONE":
                yield LintHit("tls", node.lineno, node.col_offset + 1, "ssl.CERT_NONE disables certificate checks",
                              "cert_none")
            names = [n for t in targets for n in _names_in(t)]
            if not any(_SECRETISH.search(n) for n in names):
                continue
            for sub in ast.walk(value):
                if isinstance(sub, ast.Call) and (_qual(sub.func, mod) or "") in _RANDOM:
                    yield LintHit("weak_random", node.lineno, node.col_offset + 1,
                                  f"{names[0]} comes from the random module, which is predictable",
                                  f"random:{names[0]}")
                    break
