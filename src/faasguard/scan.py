"""The scan pipeline: load -> rules and analyzers -> suppressions and baseline -> result.

Reporters only format a ``ScanResult``; they never decide severity or filter.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from faasguard import __version__
from faasguard.analyzers.base import RuleMeta, ScanContext
from faasguard.loaders import LoadOptions, load_tree
from faasguard.loaders.discovery import Candidate, walk
from faasguard.model import Application, ErrorKind, Finding, ScanError, Severity
from faasguard.suppress import SuppressedFinding, Suppressor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanOptions:
    load: LoadOptions = field(default_factory=LoadOptions)
    checks: tuple[str, ...] = ()  # only these rule ids (prefixes allowed: "FG-IAM")
    skip_checks: tuple[str, ...] = ()
    inline_suppressions: bool = True
    baseline: frozenset[str] = frozenset()  # fingerprints accepted earlier
    analyzer_options: dict[str, object] = field(default_factory=dict)
    jobs: int = 0  # worker processes; 0 = automatic (one per core for large trees)


@dataclass
class ScanResult:
    root: Path
    applications: list[Application]
    findings: list[Finding]
    errors: list[ScanError]
    suppressed: list[SuppressedFinding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    rules: dict[str, RuleMeta] = field(default_factory=dict)
    duration_s: float = 0.0
    version: str = __version__

    @property
    def function_count(self) -> int:
        return sum(len(app.functions) for app in self.applications)

    def at_or_above(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.at_least(severity)]


def _selected(rule_id: str, checks: Sequence[str], skips: Sequence[str]) -> bool:
    def match(patterns: Sequence[str]) -> bool:
        return any(rule_id == p or rule_id.startswith(p.rstrip("*")) for p in patterns)

    if checks and not match(checks):
        return False
    return not (skips and match(skips))


def _sort_key(f: Finding) -> tuple[int, str, int, str]:
    loc = f.location
    return (-f.severity.rank, loc.file if loc else "", loc.line if loc else 0, f.rule_id)


@dataclass
class _Part:
    """What one worker found: per application its findings, plus errors and consumed files."""

    apps: list[tuple[Application, list[Finding]]]
    errors: list[ScanError]
    consumed: set[Path]
    metas: dict[str, RuleMeta]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A scan allocates millions of small, acyclic objects (parsed trees, model values, findings);
    the cyclic collector would rescan them again and again (about 45% of a large scan's time)
    while finding next to nothing to free. Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scan_part(root: Path, options: ScanOptions, files: list[Candidate] | None,
               progress: Callable[[str], None] | None = None) -> _Part:
    with _gc_paused():  # also in forked workers, whatever state they start in
        return _scan_files(root, options, files, progress)


def _scan_files(root: Path, options: ScanOptions, files: list[Candidate] | None,
                progress: Callable[[str], None] | None) -> _Part:
    from faasguard.analyzers import registry

    scan_root = root if root.is_dir() else root.parent
    loaded = load_tree(root, options.load, files=files)
    errors = list(loaded.errors)
    metas: dict[str, RuleMeta] = {}
    rules = [r for r in registry.rules() if _selected(r.id, options.checks, options.skip_checks)]
    analyzers = registry.analyzers()
    ctx = ScanContext(root=scan_root, options=dict(options.analyzer_options))
    apps: list[tuple[Application, list[Finding]]] = []
    for app in loaded.applications:
        if progress:
            progress(app.name)
        findings: list[Finding] = []
        for rule in rules:
            findings.extend(_with_app(f, app) for f in
                            _run_safely(rule.id, app, partial(rule.check, app), errors))
        for analyzer in analyzers:
            for item in _run_safely(analyzer.name, app, partial(analyzer.analyze, app, ctx), errors):
                if isinstance(item, ScanError):
                    errors.append(item)
                elif _selected(item.rule_id, options.checks, options.skip_checks):
                    findings.append(_with_app(item, app))
                    # analyzers may emit ids they did not declare; still describe them
                    metas.setdefault(item.rule_id, RuleMeta(item.rule_id, item.title, item.severity,
                                                            item.category, item.cwe, item.references,
                                                            item.remediation))
        apps.append((app, findings))
    return _Part(apps, errors, set(loaded.consumed), metas)


def _jobs(options: ScanOptions, candidates: int) -> int:
    if options.jobs > 0:
        return options.jobs
    # processes pay off only for trees with many files; each worker forks the loaded interpreter
    return max(1, min(os.cpu_count() or 1, 4)) if candidates >= _PARALLEL_MIN_FILES else 1


_PARALLEL_MIN_FILES = 200
_SLS_WEIGHT = 3  # measured on the IaC corpus: balances the two workers' wall times


def _partition(candidates: list[Candidate], jobs: int) -> list[list[Candidate]]:
    """Split the files into ``jobs`` groups of whole directory subtrees (a serverless.yml and the
    files it includes usually live together), balanced by size. Terraform resolves modules across
    directories, so every .tf file goes to the first group."""
    terraform = [c for c in candidates if c.path.name.endswith((".tf", ".tf.json", ".tfvars"))]
    rest = [c for c in candidates if not c.path.name.endswith((".tf", ".tf.json", ".tfvars"))]
    depth = 1
    while True:
        groups: dict[tuple[str, ...], list[Candidate]] = {}
        for c in rest:
            parts = tuple(c.file.split("/")[:-1])
            groups.setdefault(parts[:depth], []).append(c)
        if len(groups) >= jobs * 4 or depth >= 6:
            break
        depth += 1

    def size(c: Candidate) -> int:
        try:
            nbytes = max(c.path.lstat().st_size, 1)
        except OSError:
            return 1
        # a serverless.yml costs more per byte than a template: variables, includes, its code
        return nbytes * _SLS_WEIGHT if c.path.name.startswith("serverless.") else nbytes

    bins: list[list[Candidate]] = [list(terraform)] + [[] for _ in range(jobs - 1)]
    weights = [sum(size(c) for c in terraform) * 3] + [0] * (jobs - 1)  # HCL parsing is slower
    for group in sorted(groups.values(), key=lambda g: -sum(size(c) for c in g)):
        i = weights.index(min(weights))
        bins[i].extend(group)
        weights[i] += sum(size(c) for c in group)
    return [b for b in bins if b]


def scan(root: Path, options: ScanOptions | None = None,
         progress: Callable[[str], None] | None = None) -> ScanResult:
    """Scan a directory (or one file). Never raises on bad input: problems land in ``errors``.

    Large trees are split into directory subtrees scanned by worker processes (``jobs``); the
    result is the same as a single-process scan.
    """
    with _gc_paused():
        return _scan(root, options, progress)


def _scan(root: Path, options: ScanOptions | None,
          progress: Callable[[str], None] | None) -> ScanResult:
    from faasguard.analyzers import registry

    options = options or ScanOptions()
    started = time.perf_counter()
    root = root.resolve()
    scan_root = root if root.is_dir() else root.parent
    registry.load_all()  # before forking, so workers share the imported rules
    candidates = list(walk(root))
    jobs = _jobs(options, len(candidates))
    chunks = _partition(candidates, jobs) if jobs > 1 else []
    parallel = len(chunks) > 1
    parts = _run_parts(root, options, chunks) if parallel else [_scan_part(root, options, candidates, progress)]

    metas: dict[str, RuleMeta] = {m.id: m for m in registry.all_rule_meta()}
    applications: list[Application] = []
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for i, part in enumerate(parts):
        # a file another worker's serverless.yml pulled in with ${file()} is not an app of its own
        consumed_elsewhere = set().union(*(p.consumed for j, p in enumerate(parts) if j != i))
        dropped = set()
        for app, app_findings in part.apps:
            if (scan_root / app.location.file).resolve() in consumed_elsewhere:
                dropped.add(app.location.file)
                continue
            applications.append(app)
            findings.extend(app_findings)
        errors.extend(e for e in part.errors if e.file not in dropped)
        for key, meta in part.metas.items():
            metas.setdefault(key, meta)

    if not applications:
        # An empty result must never read as a clean scan.
        errors.append(ScanError(root.name if root.is_file() else ".",
                                "no serverless application found (looked for serverless.yml, SAM/"
                                "CloudFormation templates, Terraform, Chalice, Zappa)", ErrorKind.UNSUPPORTED))
    findings = _dedupe(findings)
    suppressor = Suppressor(scan_root, applications, inline=options.inline_suppressions)
    kept, suppressed = suppressor.apply(findings)
    baselined = [f for f in kept if f.fingerprint in options.baseline]
    kept = [f for f in kept if f.fingerprint not in options.baseline]
    kept.sort(key=_sort_key)
    errors = _dedupe_errors(errors)
    errors.sort(key=lambda e: (e.file, e.line, e.message))
    return ScanResult(root=scan_root, applications=applications, findings=kept, errors=errors,
                      suppressed=suppressed, baselined=baselined, rules=metas,
                      duration_s=time.perf_counter() - started)


def _run_parts(root: Path, options: ScanOptions, chunks: list[list[Candidate]]) -> list[_Part]:
    """Scan the chunks in forked worker processes; if processes can't be used, scan them here."""
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
            futures = [pool.submit(_scan_part, root, options, chunk) for chunk in chunks]
            return [f.result() for f in futures]
    except Exception as exc:  # no fork, a broken pool, a value that can't be pickled: go sequential
        log.debug("parallel scan unavailable (%s: %s); scanning in one process", type(exc).__name__, exc)
        return [_scan_part(root, options, chunk) for chunk in chunks]


def _run_safely(name: str, app: Application, call: Callable[[], Iterable[object]],
                errors: list[ScanError]) -> list:  # type: ignore[type-arg]
    """Run one rule/analyzer on one app; a crash becomes an error entry, never a lost scan."""
    try:
        return list(call())
    except Exception as exc:
        log.debug("%s crashed on %s", name, app.name, exc_info=True)
        errors.append(ScanError(app.location.file, f"{name} failed on {app.name}: {type(exc).__name__}: {exc}",
                                ErrorKind.INTERNAL))
        return []


def _with_app(finding: Finding, app: Application) -> Finding:
    return finding if finding.application else replace(finding, application=app.name)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, str]] = set()
    out = []
    for f in findings:
        key = (f.fingerprint, f.location.file if f.location else "", f.location.line if f.location else 0,
               f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _dedupe_errors(errors: list[ScanError]) -> list[ScanError]:
    seen: set[tuple[str, str, str | None]] = set()
    out = []
    for e in errors:
        key = (e.file, e.message, e.function)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
