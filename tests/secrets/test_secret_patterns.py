"""Every secret pattern: a real-shaped true positive and a near-miss negative."""

from __future__ import annotations

import pytest
from fakes import (
    AWS_KEY_ID,
    AWS_SECRET,
    AWS_SESSION,
    AZURE_CONN,
    BASIC_AUTH_URL,
    DATABASE_URL,
    GENERIC,
    GITHUB,
    GITHUB_FINE,
    GITLAB,
    GOOGLE_API,
    JWT,
    OPENSSH_KEY,
    PRIVATE_KEY,
    SENDGRID,
    SERVICE_ACCOUNT,
    SLACK_TOKEN,
    SLACK_WEBHOOK,
    STRIPE,
    TWILIO,
    b64url,
    rnd,
)

from faasguard.analyzers.secrets.detect import Detector, secret_name_strength
from faasguard.analyzers.secrets.patterns import PATTERNS, github_checksum
from faasguard.analyzers.secrets.placeholders import is_placeholder

DETECTOR = Detector()


def ids(text: str, file: str = "config.yaml") -> list[tuple[str, int]]:
    return [(h.pattern_id, h.line) for h in DETECTOR.scan(text, file)]


# (pattern id, text with a real-shaped secret, near-miss text that must not fire)
CASES = [
    ("aws-access-key-id", f"key: {AWS_KEY_ID}\n",
     "key: AKIA" + "IOSFODNN7" + "EXAMPLE\nother: AKIA" + "0123456789ABCDEF\n"),  # AWS doc example; 0,1,8,9 not base32
    ("aws-secret-access-key", f"aws_secret_access_key = {AWS_SECRET}\n",
     f"aws_secret_access_key = {AWS_SECRET[:39]}\n"),  # 39 chars
    ("aws-session-token", f"token: {AWS_SESSION}\n", "token: IQoJb3JpZ2lu" + "X2Vj" + rnd(40) + "\n"),  # too short
    ("github-token", f"gh = {GITHUB}\n", "gh = ghp_" + rnd(35) + "\n"),  # 35 characters
    ("github-fine-grained-token", f"pat: {GITHUB_FINE}\n", "pat: github_pat_" + rnd(22) + "_" + rnd(30) + "\n"),
    ("gitlab-token", f"gl: {GITLAB}\n", "gl: glpat-" + rnd(12) + "\n"),
    ("slack-token", f"slack: {SLACK_TOKEN}\n", "slack: xoxb-" + rnd(24) + "\n"),  # no numeric ids
    ("slack-webhook", f"hook: {SLACK_WEBHOOK}\n", "hook: https://hooks.slack.com/services/T000/B000/short\n"),
    ("stripe-key", f"stripe: {STRIPE}\n", "stripe: sk_" + "test_" + rnd(24) + "\n"),  # test-mode key
    ("twilio-api-key", f"twilio: {TWILIO}\n", "twilio: SK" + rnd(32, "0123456789ABCDEF") + "\n"),  # upper-case hex
    ("sendgrid-key", f"sg: {SENDGRID}\n", "sg: SG." + rnd(22) + "." + rnd(20) + "\n"),
    ("google-api-key", f"maps: {GOOGLE_API}\n", "maps: AIza" + rnd(20) + "\n"),
    ("gcp-service-account", SERVICE_ACCOUNT,
     '{"type": "service_account", "private_key": "-----BEGIN ' + 'PRIVATE KEY-----\\n...\\n"}'),
    ("azure-storage-key", AZURE_CONN + "\n", "conn: AccountKey=" + "A" * 85 + "==\n"),  # not 64 random bytes
    ("private-key", PRIVATE_KEY + "\n", "-----BEGIN RSA " + "PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n"),
    ("jwt", f"auth: {JWT}\n", "auth: eyJ" + rnd(20) + ".eyJ" + rnd(20) + "." + rnd(20) + "\n"),  # not JSON inside
    ("database-url", f"url: {DATABASE_URL}\n", "url: postgresql://app:${DB_PASSWORD}@db.internal:5432/orders\n"),
    ("url-basic-auth", f"index: {BASIC_AUTH_URL}\n", "index: https://deploy@artifacts.example.org/simple/\n"),
]


def test_every_pattern_has_a_case() -> None:
    assert {p.id for p in PATTERNS} == {c[0] for c in CASES}


@pytest.mark.parametrize(("pattern_id", "positive", "near_miss"), CASES, ids=[c[0] for c in CASES])
def test_pattern_positive_and_near_miss(pattern_id: str, positive: str, near_miss: str) -> None:
    found = [pid for pid, _ in ids(positive)]
    assert pattern_id in found
    assert pattern_id not in [pid for pid, _ in ids(near_miss)]


def test_openssh_private_key() -> None:
    assert ids("# deploy key\n" + OPENSSH_KEY) == [("private-key", 2)]


def test_public_key_and_certificate_are_not_private() -> None:
    assert ids("-----BEGIN PUBLIC KEY-----\n" + rnd(64) + "\n-----BEGIN CERTIFICATE-----\n" + rnd(64)) == []


def test_aws_pair_is_one_critical_finding() -> None:
    text = f'aws_access_key_id = "{AWS_KEY_ID}"\naws_secret_access_key = "{AWS_SECRET}"\n'
    hits = DETECTOR.scan(text, "settings.py")
    assert [(h.pattern_id, h.line, h.severity.value) for h in hits] == [("aws-access-key-pair", 1, "critical")]


def test_github_checksum_lowers_confidence_when_wrong() -> None:
    body = rnd(30)
    good = "ghp_" + body + github_checksum(body)
    bad = "ghp_" + body + ("000000" if github_checksum(body) != "000000" else "111111")
    assert [h.confidence for h in DETECTOR.scan(f"a: {good}\nb: {bad}\n", "x.yaml")] == ["high", "medium"]


def test_jwt_with_alg_none_still_a_token() -> None:
    token = b64url({"alg": "none"}) + "." + b64url({"sub": "x", "admin": True}) + "."
    assert ids(f"t: {token}\n") == [("jwt", 1)]


# --- generic assignments ---------------------------------------------------------------------------

@pytest.mark.parametrize(("file", "text", "line"), [
    ("settings.py", f'DB_PASSWORD = "{rnd(12)}"\n', 1),
    ("app.js", f"const apiKey = '{GENERIC}';\n", 1),
    (".env", f"# local\nSTRIPE_WEBHOOK_SECRET={rnd(24)}\n", 2),
    ("config.ini", f"[db]\npassword = {rnd(10)}\n", 2),
    ("Dockerfile", f"FROM python:3.12\nENV API_TOKEN {GENERIC}\n", 2),
    ("Dockerfile", f"FROM python:3.12\nARG client_secret={GENERIC}\n", 2),
    ("values.yaml", f"app:\n  auth_token: {GENERIC}\n", 2),
    ("pyproject.toml", f'[tool.x]\nsecret_key = "{GENERIC}"\n', 2),
    ("nb.ipynb", '{"cells": [{"source": ["password = \\"' + rnd(14) + '\\"\\n"]}]}\n', 1),
])
def test_generic_positive(file: str, text: str, line: int) -> None:
    assert ids(text, file) == [("generic-secret", line)]


@pytest.mark.parametrize(("file", "text"), [
    ("settings.py", 'DB_PASSWORD = "changeme"\n'),
    ("settings.py", 'password = os.environ["DB_PASSWORD"]\n'),
    ("settings.py", "password = settings.DB_PASSWORD\n"),
    ("app.js", "const token = process.env.TOKEN;\n"),
    (".env", "API_KEY=<your-api-key>\n"),
    (".env", "API_KEY=${API_KEY}\n"),
    (".env", "API_KEY=xxxxxxxxxxxxxxxx\n"),
    ("values.yaml", "db:\n  password: '{{ .Values.dbPassword }}'\n"),
    ("values.yaml", "db:\n  password_secret_name: prod/db/password\n"),
    ("serverless.yml", "  DB_PASSWORD: ${ssm:/prod/db/password}\n"),
    ("template.yaml", "  Password: '{{resolve:secretsmanager:prod/db:SecretString:password}}'\n"),
    ("settings.py", 'PASSWORD_MIN_LENGTH = "12"\n'),
    ("settings.py", 'token_url = "https://auth.example.org/oauth/token"\n'),
    ("settings.py", 'auth_token = "abc"\n'),  # too short and not random
    ("config.ini", "[x]\npassword = Enter your password here\n"),
    ("settings.py", 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'),  # AWS docs' sample
    ("settings.py", 'password = f"{prefix}-{suffix}"\npassword = "{db_password}"\n'),
    ("rules.py", 'PRIVATE_KEY = "FG-SEC-003"\n'),
    # false positives seen on the shared IaC corpus
    ("nginx.conf", "location / {\n  proxy_pass http://backend:8080;\n}\n"),
    ("main.tf", 'resource "aws_kms_key" "k" {\n  customer_master_key_spec = "SYMMETRIC_DEFAULT"\n}\n'),
    ("main.tf", 'resource "x" "y" {\n  password = jsonencode({ a = var.b })\n}\n'),
    ("serverless.yml", "provider:\n  credentials: ~/.gcloud/keyfile.json\n"),
    ("variables.tf", '# Example of valid password: "MyDBPassword123!"\n'),
    ("template.yaml", '  RequestTemplates:\n    auth: "$context.authorizer.principalId"\n'),
    ("template.yaml", '  Sub: \'{"username":"testBrokerUser","password":"testBrokerPassword"}\'\n'),
])
def test_generic_near_miss(file: str, text: str) -> None:
    assert ids(text, file) == []


def test_name_strength() -> None:
    assert [secret_name_strength(n) for n in ("DB_PASSWORD", "clientSecret", "apiKey", "token", "token_url",
                                              "primary_key", "SECRET_ARN", "authToken")] == [2, 2, 2, 1, 0, 0, 0, 2]


def test_placeholders() -> None:
    assert all(is_placeholder(v) for v in ("changeme", "<token>", "${X}", "{{ x }}", "your-api-key", "xxxx",
                                           "AKIAIOSFODNN7EXAMPLE", "os.environ['X']", "$TOKEN"))
    assert not any(is_placeholder(v) for v in ("hunter2", rnd(16), "Tr0ub4dor&3"))


def test_skip_lines_are_left_to_the_env_rule() -> None:
    text = f"Environment:\n  Variables:\n    API_KEY: {GENERIC}\n"
    assert ids(text) == [("generic-secret", 3)]
    assert DETECTOR.scan(text, "template.yaml", frozenset({3})) == []
