"""IAM least privilege on Terraform: granted and needed resources compare as they do for templates."""

from __future__ import annotations

from pathlib import Path

from faasguard.scan import scan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "terraform"


def test_needed_actions_on_referenced_resources_are_matched() -> None:
    # the fixture app grants sqs actions on module.queue's ARN, which its SQS trigger needs
    result = scan(FIXTURES / "app")
    missing = [f.message for f in result.findings if f.rule_id == "FG-IAM-106" and f.function == "module.worker"]
    assert missing == []


def test_a_literal_arn_grant_covers_the_terraform_table_it_names() -> None:
    result = scan(FIXTURES / "literal-arn")
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("FG-IAM-1")] == []
