"""The secrets analyzer: known formats and secret-named assignments in every file of the
application's tree (FG-SEC-002..005). Environment values in the model are the config rule
FG-SEC-001's job; their lines are skipped here so one secret gives one finding.

A finding never holds the secret: ``evidence`` has a masked preview (a few leading characters
and "…") and a sha256 prefix; the fingerprint key uses the hash, so baselines survive edits
elsewhere in the file and never store the value.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator
from pathlib import Path

from faasguard.analyzers.base import RuleMeta, ScanContext
from faasguard.analyzers.secrets.detect import Detector, Hit
from faasguard.analyzers.secrets.patterns import GENERIC, PRIVATE_KEY, PROVIDER, URL_CREDENTIALS
from faasguard.analyzers.secrets.walker import read_text, walk
from faasguard.model import Application, Finding, Location, ScanError, Severity

CATEGORY = "secrets"
REFS = ("CWE-798", "OWASP-SLS-A3", "CSA-SAS-7")
_REMEDIATION = ("Remove the secret from the file and from git history, rotate it, and load it at run time from "
                "AWS Secrets Manager or SSM Parameter Store (SecureString). If it is not a secret, mark the line "
                "with `# pragma: allowlist secret`.")

RULES = {
    PROVIDER: RuleMeta(PROVIDER, "Credential in a known provider format", Severity.HIGH, CATEGORY, ("CWE-798",),
                       REFS, _REMEDIATION, "A token or key whose format is specific to a provider (AWS, GitHub, "
                       "GitLab, Slack, Stripe, Twilio, SendGrid, Google, Azure, JWT)."),
    PRIVATE_KEY: RuleMeta(PRIVATE_KEY, "Private key in the source tree", Severity.CRITICAL, CATEGORY, ("CWE-321",),
                          REFS, _REMEDIATION, "A PEM/OpenSSH private key with a body."),
    URL_CREDENTIALS: RuleMeta(URL_CREDENTIALS, "Password in a URL or connection string", Severity.HIGH, CATEGORY,
                              ("CWE-798",), REFS, _REMEDIATION,
                              "A database URL or basic-auth URL with a literal password."),
    GENERIC: RuleMeta(GENERIC, "Secret assigned to a secret-named variable", Severity.MEDIUM, CATEGORY,
                      ("CWE-798",), REFS, _REMEDIATION,
                      "A literal assigned to a name like password/secret/token/api_key that looks like a real "
                      "value (not a placeholder, reference or template)."),
}


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def mask(secret: str) -> str:
    """First 4 characters and an ellipsis; fewer for short values, so a short password is not half shown."""
    shown = min(4, len(secret) // 4)
    return secret[:shown] + "…"


def _owner(file: str, code_dirs: dict[str, str]) -> str | None:
    owners = {fn for d, fn in code_dirs.items() if d in ("", ".") or file == d or file.startswith(d + "/")}
    return owners.pop() if len(owners) == 1 else None


class SecretsAnalyzer:
    name = "secrets"

    def __init__(self) -> None:
        self.detector = Detector()

    def rules(self) -> list[RuleMeta]:
        return list(RULES.values())

    def analyze(self, app: Application, ctx: ScanContext) -> Iterator[Finding | ScanError]:
        root: Path = ctx.shared.get("secrets.root") or ctx.shared.setdefault("secrets.root", ctx.root.resolve())
        app_root = (ctx.root / app.root).resolve() if app.root not in ("", ".") else root
        if not app_root.is_dir():
            return
        done: set[str] = ctx.shared.setdefault("secrets.files", set())
        if "secrets.tree" not in ctx.shared:
            # one walk per scan: a tree can hold hundreds of applications
            ctx.shared["secrets.tree"] = _Tree([rel for _, rel in walk(ctx.root)])
        tree: _Tree = ctx.shared["secrets.tree"]
        if not app_root.is_relative_to(root):
            return
        prefix = "" if app_root == root else app_root.relative_to(root).as_posix() + "/"
        skip = _env_lines(app)
        code_dirs = {fn.code_path.strip("/"): fn.id for fn in app.functions if fn.code_path}
        for file in tree.under(prefix):
            if file in done:
                continue  # nested applications: each file once per scan
            done.add(file)
            path = ctx.root / file
            text = read_text(path)
            if text is None:
                continue
            for hit in self.detector.scan(text, path.name, frozenset(skip.get(file, ()))):
                yield self._finding(app, file, hit, _owner(file, code_dirs))

    def _finding(self, app: Application, file: str, hit: Hit, function: str | None) -> Finding:
        digest = secret_hash(hit.secret)
        preview = mask(hit.secret)
        what = f"{hit.name} ({hit.variable})" if hit.variable else hit.name
        return RULES[hit.rule_id].finding(
            f"{what} in {file}:{hit.line}: {preview} (sha256:{digest})",
            Location(file, hit.line, hit.column), function, key=f"{hit.pattern_id}:{digest}", severity=hit.severity,
            confidence=hit.confidence,
            evidence={"pattern": hit.pattern_id, "preview": preview, "sha256_prefix": digest,
                      "variable": hit.variable or None, "length": len(hit.secret)},
            application=app.name)


class _Tree:
    """The scan's files in walk order, with the files under a directory found by binary search
    (a tree can hold thousands of applications; scanning the whole list for each was quadratic)."""

    def __init__(self, files: list[str]) -> None:
        self.files = files
        self.by_name = sorted((rel, i) for i, rel in enumerate(files))

    def under(self, prefix: str) -> list[str]:
        """Files whose path starts with ``prefix``, in walk order."""
        if not prefix:
            return self.files
        start = bisect.bisect_left(self.by_name, (prefix, -1))
        indexes = []
        for j in range(start, len(self.by_name)):
            rel, i = self.by_name[j]
            if not rel.startswith(prefix):
                break
            indexes.append(i)
        indexes.sort()
        return [self.files[i] for i in indexes]


def _env_lines(app: Application) -> dict[str, set[int]]:
    """Lines of literal environment values (FG-SEC-001 reports those)."""
    out: dict[str, set[int]] = {}
    for fn in app.functions:
        for name, value in fn.environment.items():
            loc = fn.locations.get(f"environment.{name}") or value.location
            if loc is not None and loc.line:
                out.setdefault(loc.file, set()).add(loc.line)
    return out


def scan_path(root: Path) -> list[tuple[str, Hit]]:
    """Every hit under ``root`` without a model (the benchmark and quick checks use it)."""
    detector = Detector()
    out: list[tuple[str, Hit]] = []
    for path, rel in walk(root):
        text = read_text(path)
        if text is not None:
            out.extend((rel, hit) for hit in detector.scan(text, path.name))
    return out
