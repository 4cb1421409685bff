"""Secrets in code, IaC, .env, config files, notebooks and Dockerfiles (FG-SEC-002..005).

Patterns are data (``patterns.py``); generic assignments are scored by name and value shape
(``detect.py``); placeholders and references are recognised (``placeholders.py``). The
environment rule FG-SEC-001 lives in ``faasguard.analyzers.rules.secrets``.
"""

from faasguard.analyzers.registry import register_analyzer
from faasguard.analyzers.secrets.analyzer import SecretsAnalyzer, mask, secret_hash

register_analyzer(SecretsAnalyzer)

__all__ = ["SecretsAnalyzer", "mask", "secret_hash"]
