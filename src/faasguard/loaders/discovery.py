"""Finding the IaC files under a directory.

Files are recognised by content (a loader ``claims`` the parsed document); the names only decide
which files are worth parsing. Build output, dependencies and virtualenvs are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = frozenset({
    "node_modules", ".serverless", ".aws-sam", ".git", ".hg", ".svn", ".venv", "venv",
    "env", ".env", "virtualenv", ".tox", ".nox", "site-packages", "dist-packages", "__pycache__",
    ".terraform", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea", ".vscode", "bower_components",
    ".build", ".webpack", ".esbuild", ".faasguard",
})
CDK_OUT = "cdk.out"
CANDIDATE_SUFFIXES = (".yml", ".yaml", ".json", ".template", ".tf", ".tf.json", ".tfvars")
# Serverless Framework configs written as code: never run, so reported as not scanned.
CODE_CONFIG_NAMES = frozenset({"serverless.ts", "serverless.js", "serverless.cjs", "serverless.mjs"})
# JSON files that are never IaC; skipping them saves parsing large lock files.
NEVER_IAC_NAMES = frozenset({
    "package.json", "package-lock.json", "tsconfig.json", "composer.json", "composer.lock",
    "Pipfile.lock", "yarn.lock", "pnpm-lock.yaml", ".eslintrc.json", "jsconfig.json", ".prettierrc.json",
    "launch.json", "settings.json", "tslint.json", "lerna.json", "renovate.json", ".babelrc.json",
    "docker-compose.yml", "docker-compose.yaml", ".pre-commit-config.yaml", "mkdocs.yml",
    "codecov.yml", ".travis.yml", "appveyor.yml", "buildspec.yml", "samconfig.yaml",
    ".faasguard.yaml", "CITATION.cff",
})


@dataclass(frozen=True)
class Candidate:
    path: Path  # absolute
    file: str  # relative to the scan root, POSIX


def is_virtualenv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file()


def walk(root: Path) -> Iterator[Candidate]:
    """Yield candidate IaC files under ``root`` (or ``root`` itself if it is a file).

    Symbolic links to directories are not followed (no loops, nothing outside the root);
    symbolic links to files are yielded so the loader can report them if broken.
    """
    root = root.resolve()
    if root.is_file():
        yield Candidate(root, root.name)
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        current = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS and not d.endswith(".egg-info") and not is_virtualenv(current / d)
            and not (current / d).is_symlink()
        )
        # .github workflows and similar are never application IaC
        if current.name == ".github" or ".github" in current.relative_to(root).parts:
            dirnames[:] = []
            continue
        if current.name == CDK_OUT:
            # CDK synth output: only the synthesized templates (CloudFormation); the asset.* copies
            # of the code are reached through the templates' asset metadata
            dirnames[:] = []
            filenames = [n for n in filenames if n.endswith(".template.json")]
        for name in sorted(filenames):
            if name in NEVER_IAC_NAMES or not (name.endswith(CANDIDATE_SUFFIXES) or name in CODE_CONFIG_NAMES):
                continue
            path = current / name
            yield Candidate(path, path.relative_to(root).as_posix())
