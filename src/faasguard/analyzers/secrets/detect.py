"""Finding secrets in text: the known formats, then generic ``name = value`` assignments.

Works on a whole file at once (one regex pass per pattern, C speed) and maps offsets to lines.
"""

from __future__ import annotations

import bisect
import re
import string
from dataclasses import dataclass
from functools import lru_cache

from faasguard.analyzers.secrets.entropy import looks_random, shannon
from faasguard.analyzers.secrets.patterns import AWS_PAIR_WINDOW, GENERIC, PATTERNS, PROVIDER, Pattern
from faasguard.analyzers.secrets.placeholders import is_placeholder
from faasguard.model import Severity


@dataclass(frozen=True)
class Hit:
    pattern_id: str
    name: str
    rule_id: str
    severity: Severity
    line: int
    column: int
    secret: str  # never leaves the analyzer: hashed and masked before it becomes a finding
    confidence: str = "high"
    variable: str = ""  # the assigned name, for generic hits


# --- secret-looking names ----------------------------------------------------------------------------

_STRONG = frozenset({"password", "passwd", "pwd", "secret", "passphrase"})
# "pass" alone is too common (nginx proxy_pass, bypass): only after these words
_PASS_OWNERS = frozenset({"db", "user", "admin", "smtp", "mysql", "postgres", "pg", "redis", "ftp", "root", "mail",
                          "ldap", "app", "rabbit", "rabbitmq", "mongo", "sql", "basic", "http"})
_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key"), ("client", "secret"), ("auth", "token"),
                    ("secret", "key"), ("access", "token"), ("refresh", "token"), ("signing", "key"),
                    ("encryption", "key"), ("master", "key"), ("auth", "key"), ("app", "secret"),
                    ("consumer", "secret"), ("webhook", "secret"), ("bearer", "token"), ("session", "token")})
_WEAK = frozenset({"token", "apikey", "credential", "credentials", "auth", "secretkey", "accesskey",
                   "privatekey", "clientsecret", "authtoken", "accesstoken", "apitoken"})
# A name ending in one of these describes the secret (its name, path, length ...), it is not the secret.
_NOT_VALUE = frozenset({
    "name", "names", "arn", "id", "ids", "file", "filename", "path", "url", "uri", "endpoint", "header", "field",
    "length", "len", "policy", "type", "prefix", "param", "parameter", "env", "var", "ref", "location", "dir",
    "min", "max", "count", "expiry", "expires", "expiration", "ttl", "timeout", "version", "rotation", "label",
    "regex", "pattern", "format", "mode", "enabled", "required", "provider", "manager", "store", "ssm", "source",
    "kind", "hash", "hashed", "digest", "salt", "rounds", "reset", "confirm", "confirmation", "input", "prompt",
    "validator", "validation", "strength", "changed", "question", "hint", "class", "cls", "fn", "func",
    "handler", "service", "client", "arg", "args", "key_id", "region", "bucket", "table", "queue", "attribute",
    "generator", "placeholder", "error", "errors", "message", "msg", "text", "help", "description", "usage",
    "spec", "algorithm", "size", "status", "reason", "selection", "expression", "method", "scheme", "template",
})
_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def name_tokens(name: str) -> list[str]:
    return [t.lower() for t in _SPLIT.split(name) if t]


@lru_cache(maxsize=8192)
def secret_name_strength(name: str) -> int:
    """2: clearly a secret (``DB_PASSWORD``, ``clientSecret``); 1: maybe (``token``, ``auth``); 0: no."""
    tokens = name_tokens(name)
    if not tokens or tokens[-1] in _NOT_VALUE:
        return 0
    if any(t in _STRONG for t in tokens) or tokens == ["pass"]:
        return 2
    if any(a in _PASS_OWNERS and b == "pass" for a, b in zip(tokens, tokens[1:], strict=False)):
        return 2
    if any((a, b) in _PAIRS for a, b in zip(tokens, tokens[1:], strict=False)):
        return 2
    return 1 if any(t in _WEAK for t in tokens) else 0


# --- generic assignments --------------------------------------------------------------------------------
# Found from the keyword outwards: a fast search for the keywords, then the identifier around each
# one and an anchored match of what follows it (a look-behind-first regex is several times slower).

_KEYWORD = re.compile(r"pass|pwd|secret|token|key|auth|credential")  # run on ASCII-lowered text (5x faster than re.I)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # keeps offsets, unlike str.lower
_ID_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")
# name = "value" / name: 'value' / "name": "value" / name => "value"   (any file)
_QUOTED_VALUE = re.compile(r"[\"']?[ \t]*(?::=|=>|==|=|:)[ \t]*[rbuf]?(?P<q>[\"'`])(?P<value>[^\"'`\n]{1,300})(?P=q)")
# NAME=value / name: value / ENV NAME value   (config files: .env, ini, yaml, toml, properties, Dockerfile)
_BARE_VALUE = re.compile(r"[ \t]*(?:=|:|[ \t])[ \t]*(?P<value>[^\s\"'`#][^\s#]{0,299})[ \t]*(?:#.*)?$", re.M)
_BARE_LINE_START = re.compile(r"[ \t]*(?:(?:export|ENV|ARG|set)[ \t]+|-[ \t]+)?")


def _generic_score(name: str, value: str, bare: bool) -> str | None:
    """Confidence of a generic hit, or None when it is not worth reporting."""
    strength = secret_name_strength(name)
    if strength == 0 or is_placeholder(value) or value == name:
        return None
    if " " in value.strip() or len(value) > 200:
        return None  # prose, not a credential
    if re.fullmatch(r"[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)+", value):
        return None  # an enum constant or an id (SYMMETRIC_DEFAULT, FG-SEC-003)
    if bare and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(\(\))?", value):
        return None  # an attribute path, e.g. "settings.DB_PASSWORD"
    if looks_random(value, min_length=20) and shannon(value) >= 4.0:
        return "high"
    if strength == 2 and len(value) >= 8 and shannon(value) >= 2.5:
        return "medium"
    if strength >= 1 and looks_random(value):
        return "medium"
    return None


_NEWLINE = re.compile("\n")
_COMMENT_LINE = re.compile(r"[ \t]*(?:#|//|--|;|\*|/\*|<!--|rem\b|REM\b)")


_WORD = frozenset(string.ascii_letters + string.digits + "_-")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,30})$")


def _scheme_before(text: str, offset: int) -> str:
    """``postgresql+psycopg2`` before ``://`` -> ``postgresql``; ``mongodb+srv`` -> ``mongodb``."""
    m = _SCHEME.search(text, max(0, offset - 32), offset)
    return m.group(1).lower().split("+")[0] if m else ""


def _line_start(newlines: list[int], line: int) -> int:
    return newlines[line - 2] + 1 if line >= 2 else 0
CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".go", ".rb", ".php", ".cs", ".kt",
                 ".scala", ".rs", ".swift", ".groovy")


class Detector:
    """Every detector over one file's text."""

    def __init__(self, patterns: tuple[Pattern, ...] = PATTERNS) -> None:
        self.patterns = patterns

    def scan(self, text: str, file_name: str, skip_lines: frozenset[int] = frozenset()) -> list[Hit]:
        if file_name.endswith(".ipynb"):
            # notebook cells are JSON strings: unescape quotes so assignments read as in code
            text = text.replace('\\"', '"').replace("\\n", "  ")
        newlines = [m.start() for m in _NEWLINE.finditer(text)]

        def position(offset: int) -> tuple[int, int]:
            line = bisect.bisect_left(newlines, offset)
            column = offset - (newlines[line - 1] + 1 if line else 0)
            return line + 1, column + 1

        lowered = text.lower()
        hits: list[Hit] = []
        taken: set[tuple[int, str]] = set()  # (line, secret): one finding per secret per line
        for pattern in self.patterns:
            if not any(k in lowered for k in pattern.keywords):
                continue
            for m in pattern.regex.finditer(text):
                secret = m.group(pattern.secret)
                if pattern.boundary and m.start() > 0 and text[m.start() - 1] in _WORD:
                    continue
                if pattern.schemes and _scheme_before(text, m.start()) not in pattern.schemes:
                    continue
                confidence = "high"
                if pattern.check is not None and not pattern.check(secret):
                    if pattern.gate:
                        continue
                    confidence = "medium"
                if pattern.rule_id == PROVIDER and is_placeholder(secret):
                    continue
                line, column = position(m.start(pattern.secret))
                if line in skip_lines or any(line == ln and (secret in s or s in secret) for ln, s in taken):
                    continue
                taken.add((line, secret))
                hits.append(Hit(pattern.id, pattern.name, pattern.rule_id, pattern.severity, line, column, secret,
                                confidence))
        # HCL values outside quotes are expressions (var.x, jsonencode(...)), like code
        code = file_name.endswith((*CODE_SUFFIXES, ".ipynb", ".tf", ".hcl", ".tfvars"))
        for name, value, offset, bare in _assignments(text, code):
            line, column = position(offset)
            if line in skip_lines or any(ln == line and (value in s or s in value) for ln, s in taken):
                continue
            if _COMMENT_LINE.match(text, _line_start(newlines, line)):
                continue  # documentation ("# e.g. password: ..."); known formats still fire in comments
            score = _generic_score(name, value, bare)
            if score is None:
                continue
            taken.add((line, value))
            hits.append(Hit("generic-secret", "Secret assigned to a variable", GENERIC, Severity.MEDIUM, line,
                            column, value, score, variable=name))
        return _pair_aws(hits)


def _assignments(text: str, code: bool) -> list[tuple[str, str, int, bool]]:
    """(name, value, offset of the value, bare) for every secret-named assignment."""
    out = []
    seen_ends: set[int] = set()
    n = len(text)
    for km in _KEYWORD.finditer(text.translate(_ASCII_LOWER)):
        start, end = km.start(), km.end()
        while start > 0 and text[start - 1] in _ID_CHARS:
            start -= 1
        while end < n and text[end] in _ID_CHARS:
            end += 1
        if end in seen_ends:
            continue
        seen_ends.add(end)
        name = text[start:end]
        if not (name[0].isalpha() or name[0] == "_") or secret_name_strength(name) == 0:
            continue
        m = _QUOTED_VALUE.match(text, end)
        bare = False
        if m is None and not code:
            line_start = text.rfind("\n", 0, start) + 1
            if _BARE_LINE_START.fullmatch(text, line_start, start):
                m = _BARE_VALUE.match(text, end)
                bare = True
        if m is not None:
            out.append((name, m.group("value").strip(), m.start("value"), bare))
    return out


def _pair_aws(hits: list[Hit]) -> list[Hit]:
    """An AWS key id with a secret key nearby is one critical credential, reported once."""
    ids = [h for h in hits if h.pattern_id == "aws-access-key-id"]
    secrets = [h for h in hits if h.pattern_id == "aws-secret-access-key"
               or (h.rule_id == GENERIC and len(h.secret) == 40 and "aws" in h.variable.lower())]
    out = list(hits)
    for key_id in ids:
        partner = next((s for s in secrets if abs(s.line - key_id.line) <= AWS_PAIR_WINDOW), None)
        if partner is None:
            continue
        out.remove(key_id)
        if partner in out:
            out.remove(partner)
        out.append(Hit("aws-access-key-pair", "AWS access key id and secret key", PROVIDER, Severity.CRITICAL,
                       key_id.line, key_id.column, key_id.secret + ":" + partner.secret))
    return sorted(out, key=lambda h: (h.line, h.column))
