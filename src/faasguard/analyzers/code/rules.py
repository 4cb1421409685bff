"""Rule metadata for every rule id the code analyzer emits (FG-CODE-0xx data flow,
FG-CODE-1xx lint, FG-PATH-0xx attack paths)."""

from __future__ import annotations

from faasguard.analyzers.base import RuleMeta
from faasguard.model import Severity

OWASP_SLS_INJECTION = "OWASP-SLS-A1"
CSA_INJECTION = "CSA-SAS-1"
_REFS = (OWASP_SLS_INJECTION, CSA_INJECTION)


def _m(id_: str, title: str, severity: Severity, cwe: tuple[str, ...], remediation: str,
       category: str = "code", refs: tuple[str, ...] = _REFS) -> RuleMeta:
    return RuleMeta(id_, title, severity, category, cwe, refs, remediation)


# One rule per sink kind; the key is the sink kind used by sinks.py and taint.py.
TAINT_RULES: dict[str, RuleMeta] = {
    "command": _m("FG-CODE-001", "Event data reaches an OS command", Severity.HIGH, ("CWE-78",),
                  "Pass a list of arguments with a constant program and shell=False, or quote with "
                  "shlex.quote; better, validate the value against an allow-list."),
    "code": _m("FG-CODE-002", "Event data reaches code evaluation", Severity.HIGH, ("CWE-94", "CWE-95"),
               "Never eval/exec/compile/import names from requests; map allowed names to functions, "
               "or use ast.literal_eval for literals."),
    "sql": _m("FG-CODE-003", "Event data builds an SQL statement", Severity.HIGH, ("CWE-89",),
              "Use parameter binding (cursor.execute(sql, params), SQLAlchemy bound parameters) "
              "instead of building SQL text from input."),
    "nosql": _m("FG-CODE-004", "Event data controls a NoSQL query", Severity.MEDIUM, ("CWE-943",),
                "Build filters from typed values (str()/int()), never from parsed client JSON; use "
                "boto3 Key()/Attr() conditions and constant expression strings for DynamoDB."),
    "deserialization": _m("FG-CODE-005", "Event data is deserialized unsafely", Severity.HIGH, ("CWE-502",),
                          "Use json or yaml.safe_load for data from outside; never pickle/marshal/"
                          "dill/jsonpickle untrusted bytes."),
    "ssrf": _m("FG-CODE-006", "Event data chooses the URL of an outbound request", Severity.HIGH,
               ("CWE-918",), "Check the parsed host against an allow-list (and the scheme), or build "
                             "the URL from constants and an identifier."),
    "path": _m("FG-CODE-007", "Event data chooses a file path", Severity.MEDIUM, ("CWE-22",),
               "Keep only os.path.basename() of the name (or a generated one), and check the resolved "
               "path stays under the intended directory."),
    "xxe": _m("FG-CODE-008", "Untrusted XML parsed with external entities enabled", Severity.MEDIUM,
              ("CWE-611",), "Use defusedxml, or lxml with XMLParser(resolve_entities=False, no_network=True)."),
    "template": _m("FG-CODE-009", "Event data is compiled as a template", Severity.HIGH, ("CWE-1336",),
                   "Render a constant template and pass the input as a variable."),
    "redirect": _m("FG-CODE-010", "Event data chooses a redirect target", Severity.MEDIUM, ("CWE-601",),
                   "Redirect only to relative paths or to hosts on an allow-list."),
    "header": _m("FG-CODE-011", "Event data written into a response header", Severity.LOW, ("CWE-113",),
                 "Do not reflect request values into response headers; check them against an allow-list."),
    "regex": _m("FG-CODE-012", "Event data used as a regular expression", Severity.MEDIUM, ("CWE-1333",),
                "Escape the input with re.escape, or match it against a constant pattern."),
    "error": _m("FG-CODE-013", "Exception text returned to the client", Severity.LOW, ("CWE-209",),
                "Log the exception and return a generic message with a request id."),
    "sensitive_log": _m("FG-CODE-014", "Whole event or a secret written to the logs", Severity.MEDIUM,
                        ("CWE-532",), "Log selected, non-sensitive fields; never the raw event, "
                                      "tokens or secret values."),
    "log": _m("FG-CODE-015", "Event data written raw to the logs", Severity.LOW, ("CWE-117",),
              "Log structured data (json.dumps / structured logger fields) so newlines cannot forge "
              "log entries."),
}

LINT_RULES: dict[str, RuleMeta] = {
    "tls": _m("FG-CODE-101", "TLS certificate verification disabled", Severity.HIGH, ("CWE-295",),
              "Remove verify=False / unverified SSL contexts; pass a CA bundle if a private CA is used.",
              refs=("OWASP-SLS-A3",)),
    "timeout": _m("FG-CODE-102", "Outbound HTTP call without a timeout", Severity.LOW, ("CWE-400",),
                  "Pass timeout= shorter than the function's own timeout, so a slow peer cannot hold "
                  "the function (and its bill) until Lambda kills it.", refs=("OWASP-SLS-A6",)),
    "hardcoded_key": _m("FG-CODE-103", "Hard-coded AWS credentials in a client call", Severity.HIGH,
                        ("CWE-798",), "Remove the keys: the function's execution role provides "
                                      "credentials; read other secrets from Secrets Manager/SSM.",
                        refs=("OWASP-SLS-A7",)),
    "weak_hash": _m("FG-CODE-104", "Fast or weak hash used for a password", Severity.MEDIUM,
                    ("CWE-916", "CWE-328"), "Use a password hash (hashlib.scrypt, argon2, bcrypt) "
                                            "with a per-user salt.", refs=("OWASP-SLS-A7",)),
    "tmp_file": _m("FG-CODE-105", "Predictable /tmp file name reused across invocations", Severity.LOW,
                   ("CWE-377",), "Use tempfile.NamedTemporaryFile/mkstemp: /tmp survives between "
                                 "invocations of a warm container.", refs=("OWASP-SLS-A6",)),
    "weak_random": _m("FG-CODE-106", "Non-cryptographic random used for a secret value", Severity.MEDIUM,
                      ("CWE-330",), "Use the secrets module (secrets.token_urlsafe, secrets.choice).",
                      refs=("OWASP-SLS-A7",)),
}

PATH_RULE = RuleMeta(
    "FG-PATH-001", "Attack path: untrusted trigger to dangerous sink with the role's permissions",
    Severity.HIGH, "attack-path", ("CWE-78", "CWE-94", "CWE-918", "CWE-22", "CWE-502"),
    ("OWASP-SLS-A1", "OWASP-SLS-A5", "CSA-SAS-1", "CSA-SAS-4"),
    "Remove the injection (see the code finding at the sink) and cut the role down to what the "
    "function needs: an attacker who reaches the sink acts with every permission of the role.",
)

ALL_RULES: tuple[RuleMeta, ...] = (*TAINT_RULES.values(), *LINT_RULES.values(), PATH_RULE)
