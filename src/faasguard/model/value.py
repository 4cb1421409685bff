"""Values read from IaC, kept as literals or as typed references.

Rules must be able to tell ``DB_PASSWORD: hunter2`` from ``DB_PASSWORD: ${ssm:/db/pass}``, so a
loader never flattens a reference into a string.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from faasguard.model.location import Location


class ValueKind(str, Enum):
    LITERAL = "literal"
    SSM = "ssm"  # SSM Parameter Store (${ssm:...}, {{resolve:ssm:...}}, AWS::SSM::Parameter::Value)
    SECRETS_MANAGER = "secretsmanager"  # ${ssm:/aws/reference/secretsmanager/...}, {{resolve:secretsmanager}}
    ENV = "env"  # the deploying machine's environment (${env:X}), not read unless the user opts in
    PARAMETER = "parameter"  # template parameter / variable without a decidable value
    RESOURCE_ATTRIBUTE = "resource_attribute"  # !Ref Bucket, !GetAtt Table.Arn, aws_s3_bucket.x.arn
    STACK_OUTPUT = "stack_output"  # ${cf:...}, ${output:...}, Fn::ImportValue
    REMOTE = "remote"  # ${s3:...}, ${aws:...}: resolved only at deploy time
    UNRESOLVED = "unresolved"  # could not be resolved statically


@dataclass(frozen=True, slots=True)
class Value:
    """A literal, or a reference to something resolved at deploy or run time.

    ``literal`` holds the value for LITERAL (str, int, float, bool or None). For references,
    ``ref`` names the target (parameter path, resource logical id, variable name) and
    ``attribute`` the attribute (``Arn``), when there is one. ``raw`` is the text as written.
    """

    kind: ValueKind
    literal: str | int | float | bool | None = None
    ref: str = ""
    attribute: str = ""
    raw: str = ""
    location: Location | None = None

    @staticmethod
    def of(literal: str | int | float | bool | None, location: Location | None = None) -> Value:
        return Value(ValueKind.LITERAL, literal=literal, raw="" if literal is None else str(literal),
                     location=location)

    @staticmethod
    def unresolved(raw: str, location: Location | None = None) -> Value:
        return Value(ValueKind.UNRESOLVED, raw=raw, location=location)

    @property
    def is_literal(self) -> bool:
        return self.kind is ValueKind.LITERAL

    @property
    def is_reference(self) -> bool:
        return self.kind is not ValueKind.LITERAL

    @property
    def is_secret_reference(self) -> bool:
        return self.kind in (ValueKind.SSM, ValueKind.SECRETS_MANAGER)

    def text(self) -> str | None:
        """The literal as a string, or None for references and nulls."""
        if self.kind is not ValueKind.LITERAL or self.literal is None:
            return None
        if isinstance(self.literal, bool):
            return "true" if self.literal else "false"
        return str(self.literal)

    def as_int(self) -> int | None:
        if self.kind is not ValueKind.LITERAL or self.literal is None or isinstance(self.literal, bool):
            return None
        try:
            return int(str(self.literal).strip())
        except ValueError:
            return None

    def as_bool(self) -> bool | None:
        if self.kind is not ValueKind.LITERAL or self.literal is None:
            return None
        if isinstance(self.literal, bool):
            return self.literal
        text = str(self.literal).strip().lower()
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0", "off"):
            return False
        return None

    def __str__(self) -> str:
        if self.kind is ValueKind.LITERAL:
            return "" if self.literal is None else str(self.literal)
        return self.raw or f"<{self.kind.value}:{self.ref}{'.' + self.attribute if self.attribute else ''}>"
