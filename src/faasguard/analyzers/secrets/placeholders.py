"""Values that are obviously not real secrets: placeholders, examples, references, templates."""

from __future__ import annotations

import re

_PLACEHOLDER_WORDS = (
    "example", "changeme", "change_me", "change-me", "changeit", "placeholder", "your_", "your-", "yourkey",
    "yoursecret", "yourpassword", "<your", "dummy", "sample", "fake", "redacted", "replace", "insert",
    "todo", "fixme", "xxxx", "****", "....", "not-a-real", "notreal", "not_real", "lorem", "s3cr3t",
    # a value that spells out what it stands for ("testBrokerPassword", "super_secret_key") is a sample
    "password", "passwd", "secret", "apikey", "api_key", "api-key", "mykey", "my-key", "my_key",
)
_EXACT = frozenset({
    "password", "passwd", "secret", "token", "apikey", "api_key", "none", "null", "nil", "undefined",
    "true", "false", "test", "testing", "admin", "root", "user", "username", "pass", "empty", "default",
    "string", "str", "value", "key", "foo", "bar", "baz", "foobar", "abc", "secret_key", "access_key",
    "private_key", "client_secret", "auth_token", "access_token", "abc123", "123abc", "abcd1234",
})  # weak real passwords (hunter2, admin) are NOT placeholders: they are real, and bad
# ${VAR}, {{ var }}, {var} and {f(x)} (format strings), $(cmd), %(name)s, <name>, [name], $VAR,
# env(...), process.env.X, os.environ[...]
_TEMPLATE = re.compile(
    r"^\$\{.*\}$|\{\{.*\}\}|\{[A-Za-z_][A-Za-z0-9_.]*(?:\([^(){}]*\))?\}"
    r"|^\$\(.*\)$|%\(\w+\)s|^<[^<>]*>$|^\[[^\[\]]*\]$|^\$[A-Za-z_][A-Za-z0-9_]*$|"
    r"^(?:process\.env|os\.environ|os\.getenv|env\(|getenv\(|System\.getenv|ENV\[)|^#\{.*\}$",
)
_FILE = re.compile(r"\.(?:json|pem|key|p12|pfx|txt|ya?ml|crt|cer|der|jks|keystore)$")
_REFERENCE = re.compile(r"\{\{resolve:|\$\{(?:ssm|secretsmanager|aws|env|opt|self|file|cf|s3|param|sls)\b|"
                        r"^arn:aws[\w-]*:", re.I)


def is_reference(value: str) -> bool:
    """A pointer to a secret store or a deploy-time variable, not a value."""
    return bool(_REFERENCE.search(value.strip()))


def is_placeholder(value: str) -> bool:
    v = value.strip().strip("'\"`")
    low = v.lower()
    if not v or low in _EXACT or is_reference(v) or _TEMPLATE.search(v):
        return True
    if v.startswith(("$", "\\$", "~/", "./", "../")) or _FILE.search(low):
        return True  # a template variable ($context.x, $input) or a path to a key file, not the key
    if any(word in low for word in _PLACEHOLDER_WORDS):
        return True
    if len(set(low)) <= 2:  # "aaaaaaaa", "xxxxxx", "00000000"
        return True
    return _is_sequence(low)


def _is_sequence(low: str) -> bool:
    alnum = "".join(c for c in low if c.isalnum())
    return len(alnum) >= 6 and (alnum in "0123456789abcdefghijklmnopqrstuvwxyz" * 2
                                or alnum in "qwertyuiopasdfghjklzxcvbnm")
