"""FG-IAM-011: a long-lived access key wired into a function's environment by reference, seen in
serverless.yml, SAM and Terraform alike (no literal appears: only the model can see it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.analyzers.rules.iam.long_lived_access_key_in_env import LongLivedAccessKeyInEnvironment
from faasguard.loaders import load_tree
from faasguard.model import Severity

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "FG-IAM-011"


def _findings(variant: str) -> list[tuple[str, int, str, bool]]:
    loaded = load_tree(CASES / variant)
    assert loaded.errors == []
    rule = LongLivedAccessKeyInEnvironment()
    return sorted((f.location.file, f.location.line, f.evidence["variable"], f.evidence["secret"])
                  for app in loaded.applications for f in rule.check(app) if f.location is not None)


@pytest.mark.parametrize(("variant", "expected"), [
    ("serverless-bad", [("serverless.yml", 9, "KEY_ID", False), ("serverless.yml", 10, "KEY_SECRET", True)]),
    ("sam-bad", [("template.yaml", 18, "AWS_ACCESS_KEY", False), ("template.yaml", 19, "AWS_SECRET", True)]),
    ("terraform-bad", [("main.tf", 18, "KEY_ID", False), ("main.tf", 19, "KEY_SECRET", True)]),
])
def test_access_key_in_environment_is_reported_on_the_variable_line(
        variant: str, expected: list[tuple[str, int, str, bool]]) -> None:
    assert _findings(variant) == expected


@pytest.mark.parametrize("variant", ["serverless-good", "sam-good", "terraform-good"])
def test_other_references_are_not_access_keys(variant: str) -> None:
    assert _findings(variant) == []


def test_message_names_the_key_and_the_fix() -> None:
    [app] = load_tree(CASES / "terraform-bad").applications
    findings = list(LongLivedAccessKeyInEnvironment().check(app))
    assert [(f.severity, f.function, f.message) for f in findings] == [
        (Severity.HIGH, "aws_lambda_function.hello",
         "aws_lambda_function.hello: environment variable KEY_ID holds the access key id of long-lived access key "
         "aws_iam_access_key.deployer; use the execution role's temporary credentials"),
        (Severity.HIGH, "aws_lambda_function.hello",
         "aws_lambda_function.hello: environment variable KEY_SECRET holds the secret access key of long-lived "
         "access key aws_iam_access_key.deployer; use the execution role's temporary credentials")]
