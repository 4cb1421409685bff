"""SAM connectors add their profile's statements to the source function's role."""

from __future__ import annotations

from cfn_helpers import load_text

from faasguard.model import ValueKind

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Connectors:
      ToQueue:
        Properties:
          Destination:
            Id: Queue
          Permissions: [Write]
    Properties:
      CodeUri: s3://b/k.zip
      Handler: a.b
      Runtime: python3.12
  Table:
    Type: AWS::Serverless::SimpleTable
  Queue:
    Type: AWS::SQS::Queue
  FnToTable:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Fn}
      Destination: {Id: Table}
      Permissions: [Read, Delete]
"""


def test_connectors_expand_to_role_statements() -> None:
    app, errors = load_text(TEMPLATE)
    role = app.role("FnRole")
    assert role is not None
    by_policy = {s.policy_name: s for s in role.statements}
    assert set(by_policy) == {"FnToQueueConnectorWrite", "FnToTableConnectorRead"}
    read = by_policy["FnToTableConnectorRead"]
    assert "dynamodb:GetItem" in read.actions and "dynamodb:PutItem" not in read.actions
    assert [(r.kind, r.ref, r.attribute, str(r)) for r in read.resources] == [
        (ValueKind.RESOURCE_ATTRIBUTE, "Table", "Arn", "${Table.Arn}"),
        (ValueKind.RESOURCE_ATTRIBUTE, "Table", "Arn", "${Table.Arn}/index/*"),
    ]
    assert read.location.line == 24
    write = by_policy["FnToQueueConnectorWrite"]
    assert "sqs:SendMessage" in write.actions and write.resources[0].ref == "Queue"
    assert write.location.line == 10
    # "Delete" is not an access category of a function -> table connector: reported, not guessed
    assert [(e.line, e.message) for e in errors] == [
        (24, "connector FnToTable: permission 'Delete' is not one of Read, Write")]
