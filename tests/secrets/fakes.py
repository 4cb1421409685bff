"""Fake, real-shaped secrets built at run time, so no scanner (ours, GitHub's) sees a literal secret
in this repository. Deterministic: the same values every run."""

from __future__ import annotations

import base64
import json
import random
import string

from faasguard.analyzers.secrets.patterns import github_checksum

_rng = random.Random(20261123)
ALNUM = string.ascii_letters + string.digits
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def rnd(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


AWS_KEY_ID = "AK" + "IA" + rnd(16, B32)
AWS_SECRET = rnd(40, ALNUM + "/+")
AWS_SESSION = "IQoJb3JpZ2lu" + "X2Vj" + rnd(180, ALNUM + "/+")
_GH_BODY = rnd(30)
GITHUB = "gh" + "p_" + _GH_BODY + github_checksum(_GH_BODY)
GITHUB_FINE = "github" + "_pat_" + rnd(22) + "_" + rnd(59)
GITLAB = "gl" + "pat-" + rnd(20)
SLACK_TOKEN = "xo" + "xb-" + rnd(11, string.digits) + "-" + rnd(12, string.digits) + "-" + rnd(24)
SLACK_WEBHOOK = ("https://hooks." + "slack.com/services/T" + rnd(10, string.ascii_uppercase + string.digits)
                 + "/B" + rnd(10, string.ascii_uppercase + string.digits) + "/" + rnd(24))
STRIPE = "sk" + "_live_" + rnd(24)
TWILIO = "S" + "K" + rnd(32, "0123456789abcdef")
SENDGRID = "S" + "G." + rnd(22) + "." + rnd(43)
GOOGLE_API = "AI" + "za" + rnd(35)
PEM_BODY = "\n".join(rnd(64, ALNUM + "+/") for _ in range(6))
PRIVATE_KEY = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + PEM_BODY + "\n-----END RSA " + "PRIVATE KEY-----"
OPENSSH_KEY = "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + PEM_BODY + "\n-----END OPENSSH " + "PRIVATE KEY-----"
SERVICE_ACCOUNT = json.dumps({
    "type": "service_account", "project_id": "demo-project", "private_key_id": rnd(40, "0123456789abcdef"),
    "private_key": "-----BEGIN " + "PRIVATE KEY-----\n" + PEM_BODY + "\n-----END " + "PRIVATE KEY-----\n",
    "client_email": "svc@demo-project.iam.gserviceaccount.com"}, indent=2)
AZURE_KEY = base64.b64encode(bytes(_rng.randrange(256) for _ in range(64))).decode()
AZURE_CONN = ("DefaultEndpointsProtocol=https;AccountName=demostore;Account" + "Key=" + AZURE_KEY
              + ";EndpointSuffix=core.windows.net")
JWT = b64url({"alg": "HS256", "typ": "JWT"}) + "." + b64url({"sub": "1234", "name": "Demo"}) + "." + rnd(43)
DB_PASSWORD = rnd(14)
DATABASE_URL = "postgres" + "ql://app:" + DB_PASSWORD + "@db.internal:5432/orders"
BASIC_PASSWORD = rnd(12)
BASIC_AUTH_URL = "https://deploy:" + BASIC_PASSWORD + "@artifacts.example.org/simple/"
GENERIC = rnd(32)

ALL = {
    "AWS_KEY_ID": AWS_KEY_ID, "AWS_SECRET": AWS_SECRET, "AWS_SESSION": AWS_SESSION, "GITHUB": GITHUB,
    "GITHUB_FINE": GITHUB_FINE, "GITLAB": GITLAB, "SLACK_TOKEN": SLACK_TOKEN, "SLACK_WEBHOOK": SLACK_WEBHOOK,
    "STRIPE": STRIPE, "TWILIO": TWILIO, "SENDGRID": SENDGRID, "GOOGLE_API": GOOGLE_API, "AZURE_KEY": AZURE_KEY,
    "JWT": JWT, "DB_PASSWORD": DB_PASSWORD, "BASIC_PASSWORD": BASIC_PASSWORD, "GENERIC": GENERIC,
    "PEM_BODY_LINE": PEM_BODY.splitlines()[0],
}
