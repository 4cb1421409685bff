"""Known secret formats, as data. Each pattern has a positive and a near-miss test
(tests/secrets/test_secret_patterns.py).

``secret`` names the regex group holding the secret itself (what gets hashed, never shown).
``check`` is a format check where the provider defines one (a checksum, a decodable header);
a match that fails it is dropped (``gate``) or kept with lower confidence.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from faasguard.model import Severity

PROVIDER = "FG-SEC-002"
PRIVATE_KEY = "FG-SEC-003"
URL_CREDENTIALS = "FG-SEC-004"
GENERIC = "FG-SEC-005"


@dataclass(frozen=True)
class Pattern:
    id: str
    name: str
    rule_id: str
    regex: re.Pattern[str]
    severity: Severity
    keywords: tuple[str, ...]  # cheap pre-filter: the file must contain one (lower-cased)
    secret: str = "secret"
    check: Callable[[str], bool] | None = None
    gate: bool = True  # False: a failed check lowers confidence instead of dropping the match
    boundary: bool = False  # the secret must not continue a word on its left (checked in Python: a
    # look-behind first in the regex would stop the engine's fast literal-prefix search)
    schemes: frozenset[str] = frozenset()  # URL patterns: the scheme before "://" must be one of these


_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_checksum(body: str) -> str:
    """The 6-character base62 CRC32 that ends GitHub's ``ghp_``-style tokens."""
    crc = zlib.crc32(body.encode())
    out = ""
    while crc:
        crc, rem = divmod(crc, 62)
        out = _B62[rem] + out
    return out.rjust(6, "0")


def _github_ok(token: str) -> bool:
    body = token[4:]
    return github_checksum(body[:30]) == body[30:]


def _b64json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def _jwt_ok(token: str) -> bool:
    try:
        header = _b64json(token.split(".")[0])
        payload = _b64json(token.split(".")[1])
    except (ValueError, binascii.Error, RecursionError):
        return False
    return isinstance(header, dict) and "alg" in header and isinstance(payload, dict)


def _aws_key_id_ok(key: str) -> bool:
    return all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in key[4:])  # base32 alphabet


def _has_key_body(match: str) -> bool:
    body = re.sub(r"\\n|\s", "", match.split("-----", 2)[-1])
    return re.search(r"[A-Za-z0-9+/=]{40,}", body) is not None


def _url_password_ok(password: str) -> bool:
    from faasguard.analyzers.secrets.placeholders import is_placeholder

    return not is_placeholder(password) and not password.startswith(("$", "%", "{", "<"))


def _azure_key_ok(key: str) -> bool:
    try:
        return len(base64.b64decode(key, validate=True)) in (32, 64)
    except (ValueError, binascii.Error):
        return False


_END = r"(?![A-Za-z0-9_-])"
# user:password@host after "://"; the scheme is checked in Python (a literal start keeps the scan fast)
_URL_CREDENTIALS = re.compile(r"://(?P<user>[^\s:/@'\"]{1,100}):(?P<secret>[^\s@'\"/]{3,200})@[A-Za-z0-9.\[\]-]+")
DB_SCHEMES = frozenset({"postgres", "postgresql", "mysql", "mariadb", "mongodb", "redis", "rediss", "amqp", "amqps",
                        "mssql", "sqlserver", "oracle", "cockroachdb", "clickhouse"})
WEB_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "ssh", "git", "svn"})

PATTERNS: tuple[Pattern, ...] = (
    Pattern("aws-access-key-id", "AWS access key id", PROVIDER,
            re.compile(r"(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})" + _END),
            Severity.HIGH, ("akia", "asia", "abia", "acca"), boundary=True, check=_aws_key_id_ok),
    Pattern("aws-secret-access-key", "AWS secret access key", PROVIDER,
            re.compile(r"(?i)aws_?secret_?(?:access_?)?key[\"']?\s*(?:[:=]|=>|:=)\s*[\"']?"
                       r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"),
            Severity.CRITICAL, ("secret",)),
    Pattern("aws-session-token", "AWS session token", PROVIDER,
            re.compile(r"(?P<secret>(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9/+=]{100,})"),
            Severity.HIGH, ("iqojb3jpz2lux2vj", "fwogzxivyxdze")),
    Pattern("github-token", "GitHub token", PROVIDER,
            re.compile(r"(?P<secret>gh[pousr]_[A-Za-z0-9]{36})" + _END),
            Severity.HIGH, ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), boundary=True, check=_github_ok, gate=False),
    Pattern("github-fine-grained-token", "GitHub fine-grained token", PROVIDER,
            re.compile(r"(?P<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + _END),
            Severity.HIGH, ("github_pat_",), boundary=True),
    Pattern("gitlab-token", "GitLab token", PROVIDER,
            re.compile(r"(?P<secret>gl(?:pat|dt|rt|ptt|oas)-[A-Za-z0-9_-]{20,})" + _END),
            Severity.HIGH, ("glpat-", "gldt-", "glrt-", "glptt-", "gloas-"), boundary=True),
    Pattern("slack-token", "Slack token", PROVIDER,
            re.compile(r"(?P<secret>xox[abposr]-\d{8,14}-\d{8,14}(?:-\d{8,14})?-[A-Za-z0-9]{24,34})"
                       + _END),
            Severity.HIGH, ("xox",), boundary=True),
    Pattern("slack-webhook", "Slack incoming webhook", PROVIDER,
            re.compile(r"(?P<secret>https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{8,12}/"
                       r"B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})" + _END),
            Severity.MEDIUM, ("hooks.slack.com",)),
    Pattern("stripe-key", "Stripe live secret key", PROVIDER,
            re.compile(r"(?P<secret>(?:sk|rk)_live_[A-Za-z0-9]{24,99})" + _END),
            Severity.CRITICAL, ("_live_",), boundary=True),
    Pattern("twilio-api-key", "Twilio API key", PROVIDER,
            re.compile(r"(?P<secret>SK[0-9a-f]{32})" + _END), Severity.HIGH, ("sk",), boundary=True),
    Pattern("sendgrid-key", "SendGrid API key", PROVIDER,
            re.compile(r"(?P<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})" + _END),
            Severity.HIGH, ("sg.",), boundary=True),
    Pattern("google-api-key", "Google API key", PROVIDER,
            re.compile(r"(?P<secret>AIza[0-9A-Za-z_-]{35})" + _END), Severity.HIGH, ("aiza",), boundary=True),
    Pattern("gcp-service-account", "Google service-account key", PROVIDER,
            re.compile(r"\"private_key\"\s*:\s*\"(?P<secret>-----BEGIN PRIVATE KEY-----[^\"]{40,})\""),
            Severity.CRITICAL, ("service_account",), check=_has_key_body),
    Pattern("azure-storage-key", "Azure storage/service bus key", PROVIDER,
            re.compile(r"(?:AccountKey|SharedAccessKey)\s*=\s*(?P<secret>[A-Za-z0-9+/]{43,86}={0,2})"
                       r"(?![A-Za-z0-9+/=])"),
            Severity.CRITICAL, ("accountkey", "sharedaccesskey"), check=_azure_key_ok),
    Pattern("private-key", "Private key", PRIVATE_KEY,
            re.compile(r"(?P<secret>-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
                       r"[\s\S]{0,400})"),
            Severity.CRITICAL, ("private key",), check=_has_key_body),
    Pattern("jwt", "JSON Web Token", PROVIDER,
            re.compile(r"(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)" + _END),
            Severity.MEDIUM, ("eyj",), boundary=True, check=_jwt_ok),
    Pattern("database-url", "Database URL with a password", URL_CREDENTIALS, _URL_CREDENTIALS,
            Severity.HIGH, ("://",), check=_url_password_ok, schemes=DB_SCHEMES),
    Pattern("url-basic-auth", "Password in a URL (basic auth)", URL_CREDENTIALS, _URL_CREDENTIALS,
            Severity.HIGH, ("://",), check=_url_password_ok, schemes=WEB_SCHEMES),
)

# A pair (AWS key id + secret key) within this many lines is reported as one critical finding.
AWS_PAIR_WINDOW = 5
