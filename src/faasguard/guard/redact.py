"""Secrets never reach the logs: masking of secret-named environment variable values, AWS
keys and session tokens, JWTs, passwords in URLs and ``password=...`` pairs.

``redact(text)`` is used on every security event the guard writes; ``RedactingFilter`` is a
``logging.Filter`` for the function's own log records; ``install_stdout_guard()`` wraps
``sys.stdout``/``sys.stderr`` so ``print`` is masked too.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any, TextIO


MASK = "***"
_SECRET_NAME = re.compile(
    r"(?:SECRET|TOKEN|PASSWORD|PASSWD|PASS|PWD|API_?KEY|PRIVATE|CREDENTIAL|AUTH|SIGNING|SESSION|"
    r"ACCESS_KEY|CLIENT_KEY|DSN|CONN(?:ECTION)?_?STR)",
    re.IGNORECASE,
)
_NOT_SECRET_NAMES = frozenset({"AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
                               "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
                               "AWS_EXECUTION_ENV", "AWS_LAMBDA_RUNTIME_API", "AWS_ACCESS_KEY_ID"})
# (pattern, replacement): whole-match masks, and key=value pairs that keep their key
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA|ANPA|AGPA)[0-9A-Z]{16}\b"), MASK),  # AWS access key ids
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK),  # JWTs
    (re.compile(r"(://[^/\s:@]{1,128}:)[^/\s@]{1,256}(@)"), r"\1" + MASK + r"\2"),  # user:password@ in URLs
    (re.compile(r"(?i)(\b(?:aws_secret_access_key|aws_session_token|secret_access_key|session_token|"
                r"password|passwd|pwd|client_secret|api_key|apikey|access_token|refresh_token)[\"']?\s{0,3}"
                r"[:=]\s{0,3}[\"']?)[^\s\"'&;,]{1,2000}"), r"\1" + MASK),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]{0,5000}?-----END [A-Z ]*PRIVATE KEY-----"), MASK),
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bxox[abposr]-[A-Za-z0-9-]{10,}\b|"
                r"\bsk_live_[A-Za-z0-9]{16,}\b"), MASK),
)
_MIN_SECRET_CHARS = 6


class Redactor:
    """Masks known secret values and secret-shaped strings."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        values = {
            value
            for name, value in env.items()
            if name not in _NOT_SECRET_NAMES and _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_CHARS
        }
        # longest first, so a secret containing another is masked whole
        self._values = sorted(values, key=len, reverse=True)
        self._values_re = re.compile("|".join(re.escape(v) for v in self._values)) if self._values else None

    def redact(self, text: str) -> str:
        if not text:
            return text
        out = text
        if self._values_re is not None:
            out = self._values_re.sub(MASK, out)
        for pattern, replacement in _PATTERNS:
            out = pattern.sub(replacement, out)
        return out

    def redact_any(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self.redact_any(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact_any(v) for v in value)
        return value


_default: Redactor | None = None


def default_redactor() -> Redactor:
    global _default
    if _default is None:
        _default = Redactor()
    return _default


def refresh() -> None:
    """Re-read the environment (e.g. after the handler's init set new secrets)."""
    global _default
    _default = Redactor()


def redact(text: str) -> str:
    return default_redactor().redact(text)


def make_logging_filter() -> Any:
    """A ``logging.Filter`` that masks messages and arguments (``logging`` imported on demand)."""
    import logging

    class RedactingFilter(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            try:
                message = record.getMessage()
                masked = redact(message)
                if masked != message:
                    record.msg = masked
                    record.args = None
            except Exception:  # noqa: BLE001 - a log line must never fail because of the guard
                pass
            return True

    return RedactingFilter()


def install_logging_filter() -> None:
    """Attach the filter to the root logger and its handlers (the Lambda runtime's included)."""
    import logging

    root = logging.getLogger()
    if any(type(f).__name__ == "RedactingFilter" for f in root.filters):
        return
    filt = make_logging_filter()
    root.addFilter(filt)
    for handler in root.handlers:
        handler.addFilter(filt)


class RedactingStream:
    """A text stream wrapper that masks secrets in everything written through it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            masked = redact(text) if isinstance(text, str) else text
        except Exception:  # noqa: BLE001
            masked = text
        self._stream.write(masked)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def install_stdout_guard() -> None:
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)
