"""One needed permission: an action on a resource, and why it is needed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Requirement:
    action: str  # canonical "s3:GetObject"
    resource: str  # Fn::Sub-style text, "*" when unknown
    reason: str  # "handler.py:12 s3.GetObject", "trigger sqs", "logs", ...
    origin: str = "code"  # "code" | "platform"
    file: str = ""
    line: int = 0
    note: str = ""  # e.g. why the resource is "*"
