"""Sanitizers: calls whose result no longer carries client data for some (or every) sink kind.

``ALL`` clears every kind (the value became a number, a bool, a UUID, a hash). A set of kinds
clears only those (``shlex.quote`` makes a value safe for a shell, not for SQL).
Allow-list checks (``if x in ALLOWED``, ``re.fullmatch(CONST, x)``, ``x.isdigit()``) are handled
by the engine on ``if``/``assert`` conditions.
"""

from __future__ import annotations

ALL = frozenset({"*"})

SANITIZERS: dict[str, frozenset[str]] = {
    **{name: ALL for name in (
        "int", "float", "bool", "complex", "len", "ord", "hash", "id", "isinstance", "issubclass", "callable",
        "hasattr", "round", "abs", "uuid.UUID", "decimal.Decimal", "datetime.datetime.fromisoformat",
        "datetime.date.fromisoformat", "datetime.datetime.strptime", "datetime.datetime.fromtimestamp",
        "time.time", "math.floor", "math.ceil",
        "hashlib.md5", "hashlib.sha1", "hashlib.sha256", "hashlib.sha512", "hashlib.sha224", "hashlib.sha384",
        "hashlib.blake2b", "hashlib.blake2s", "hashlib.new", "hmac.new", "hmac.compare_digest", "hmac.digest",
        "secrets.compare_digest", "base64.b64encode", "base64.urlsafe_b64encode", "binascii.hexlify",
        "ast.literal_eval")},
    "ipaddress.ip_address": frozenset({"command", "code", "sql", "nosql", "path", "template", "regex", "log",
                                       "header", "redirect"}),
    "ipaddress.ip_network": frozenset({"command", "code", "sql", "nosql", "path", "template", "regex", "log"}),
    "shlex.quote": frozenset({"command"}),
    "pipes.quote": frozenset({"command"}),
    "shlex.join": frozenset({"command"}),
    "os.path.basename": frozenset({"path"}),
    "werkzeug.utils.secure_filename": frozenset({"path"}),
    "werkzeug.security.safe_join": frozenset({"path"}),
    "flask.safe_join": frozenset({"path"}),
    "re.escape": frozenset({"regex"}),
    "regex.escape": frozenset({"regex"}),
    "html.escape": frozenset({"template", "header", "log"}),
    "markupsafe.escape": frozenset({"template", "header"}),
    "json.dumps": frozenset({"log", "header"}),
    "urllib.parse.quote": frozenset({"header", "log", "redirect", "path", "command"}),
    "urllib.parse.quote_plus": frozenset({"header", "log", "redirect", "path", "command"}),
    "psycopg2.sql.Identifier": frozenset({"sql"}),
    "psycopg2.sql.Literal": frozenset({"sql"}),
    "psycopg.sql.Identifier": frozenset({"sql"}),
    "psycopg.sql.Literal": frozenset({"sql"}),
    "sqlalchemy.bindparam": frozenset({"sql"}),
    # DynamoDB condition objects are values, not expression text.
    "boto3.dynamodb.conditions.Key": frozenset({"nosql"}),
    "boto3.dynamodb.conditions.Attr": frozenset({"nosql"}),
}

# Methods on any value whose result is a bool/number or a fixed-form string.
CLEAN_METHODS = frozenset({
    "startswith", "endswith", "isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum", "isidentifier",
    "isascii", "islower", "isupper", "isspace", "count", "index", "find", "rfind", "hexdigest", "digest",
    "exists", "is_file", "is_dir", "__len__", "total_seconds", "timestamp", "isoformat", "bit_length",
})

# Methods that validate the receiver when used as an if/assert condition.
VALIDATING_METHODS = frozenset({"isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum", "isidentifier"})
VALIDATING_FUNCTIONS = frozenset({"re.fullmatch", "re.match", "regex.fullmatch", "regex.match"})


def clears(name: str) -> frozenset[str] | None:
    return SANITIZERS.get(name)
