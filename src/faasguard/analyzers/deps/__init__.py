"""Dependencies per function: manifests, vulnerabilities from the local OSV index, reachability.

See ``analyzer.py`` for the rule ids and docs/secrets-deps.md for the behaviour without data.
"""

from faasguard.analyzers.deps.analyzer import UNAUDITED_MARKER, DepsAnalyzer, unaudited_count
from faasguard.analyzers.registry import register_analyzer

register_analyzer(DepsAnalyzer)

__all__ = ["UNAUDITED_MARKER", "DepsAnalyzer", "unaudited_count"]
