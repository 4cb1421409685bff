"""What every loader implements, and the options they share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from faasguard.loaders.document import Document
from faasguard.model import Application, ScanError


@dataclass(frozen=True)
class LoadOptions:
    """Options that change how IaC is interpreted.

    ``allow_env``: let ``${env:X}`` read the scanning process's own environment. Off by default:
    scanning an untrusted pull request in CI must not copy CI secrets into a report.
    """

    stage: str | None = None
    region: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    allow_env: bool = False
    # Only these frameworks (see FRAMEWORKS); empty means all of them.
    frameworks: tuple[str, ...] = ()

    def wants(self, framework: str) -> bool:
        return not self.frameworks or framework in self.frameworks


# What --framework accepts: "cloudformation" covers SAM and CDK output (they are CloudFormation).
FRAMEWORKS = ("serverless", "cloudformation", "terraform", "chalice", "zappa")


@dataclass
class LoadResult:
    applications: list[Application] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    # Files this loader consumed (e.g. serverless.yml's ${file(...)} includes), so other loaders
    # don't load them again as stand-alone documents.
    consumed: set[Path] = field(default_factory=set)


class Loader(Protocol):
    """Turns one kind of IaC document into applications.

    ``claims`` looks at an already-parsed document and says whether it is this loader's kind
    (by content, not by file name). ``load`` builds the model; it must not raise on bad input:
    problems become ``ScanError`` entries in the result.
    """

    name: str

    def claims(self, doc: Document) -> bool: ...

    def load(self, doc: Document, root: Path, options: LoadOptions) -> LoadResult: ...
