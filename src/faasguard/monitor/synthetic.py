"""Synthetic CloudTrail traffic for the throughput benchmark and tests.

Fast (string templates, no per-event ``json.dumps``) and deterministic for a given seed. The mix
looks like a small serverless account: Lambda execution roles (session name = function name,
user agent with ``exec-env/AWS_Lambda_*``) calling DynamoDB/S3/SQS, ``Invoke`` data events, CI
deployments, and a sprinkle of suspicious calls so every rule has something to look at.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

ACCOUNT = "123456789012"
FUNCTIONS = tuple(f"orders-{name}" for name in ("api", "worker", "billing", "notify", "export", "resize"))
_LAMBDA_UA = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.12.1 exec-env/AWS_Lambda_python3.12"
_CI_UA = "aws-cli/2.15.0 Python/3.11.6 Linux/6.2 exe/x86_64.ubuntu.22"
_ROLE_CALLS = (
    ("dynamodb.amazonaws.com", "GetItem", '{"tableName":"orders","key":{"id":{"S":"%d"}}}'),
    ("dynamodb.amazonaws.com", "PutItem", '{"tableName":"orders","item":{"id":{"S":"%d"}}}'),
    ("s3.amazonaws.com", "GetObject", '{"bucketName":"orders-data","key":"in/%d.json"}'),
    ("sqs.amazonaws.com", "SendMessage", '{"queueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/q%d"}'),
    ("kms.amazonaws.com", "Decrypt", '{"encryptionContext":{"n":"%d"}}'),
)
_ADMIN_CALLS = (
    ("lambda.amazonaws.com", "GetFunction20150331v2", '{"functionName":"%s"}'),
    ("lambda.amazonaws.com", "ListFunctions20150331", "null"),
    ("iam.amazonaws.com", "GetRole", '{"roleName":"%s-role"}'),
    ("cloudformation.amazonaws.com", "DescribeStacks", '{"stackName":"%s"}'),
)
# Rare events that rules should fire on (about 1 in 5,000).
_SUSPICIOUS = (
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", '{"functionName":"%s","publish":true}'),
    ("lambda.amazonaws.com", "AddPermission20150331v2",
     '{"functionName":"%s","statementId":"x","action":"lambda:InvokeFunction","principal":"*"}'),
    ("cloudtrail.amazonaws.com", "StopLogging", '{"name":"%s-trail"}'),
    ("secretsmanager.amazonaws.com", "GetSecretValue", '{"secretId":"%s/db"}'),
)

_ROLE_IDENTITY = (
    '{"type":"AssumedRole","principalId":"AROAEXAMPLE%(fi)02d:%(fn)s",'
    '"arn":"arn:aws:sts::' + ACCOUNT + ':assumed-role/%(fn)s-role/%(fn)s","accountId":"' + ACCOUNT + '",'
    '"accessKeyId":"ASIAEXAMPLE%(fi)02d","sessionContext":{"sessionIssuer":{"type":"Role",'
    '"principalId":"AROAEXAMPLE%(fi)02d","arn":"arn:aws:iam::' + ACCOUNT + ':role/%(fn)s-role",'
    '"accountId":"' + ACCOUNT + '","userName":"%(fn)s-role"},"attributes":{"creationDate":"%(t)s",'
    '"mfaAuthenticated":"false"}}}'
)
_USER_IDENTITY = (
    '{"type":"IAMUser","principalId":"AIDAEXAMPLEDEPLOY","arn":"arn:aws:iam::' + ACCOUNT + ':user/deployer",'
    '"accountId":"' + ACCOUNT + '","accessKeyId":"AKIAEXAMPLEDEPLOY","userName":"deployer"}'
)
_INVOKE_REQUEST = '{"functionName":"arn:aws:lambda:us-east-1:' + ACCOUNT + ':function:FN"}'
_SERVICE_IDENTITY = '{"type":"AWSService","invokedBy":"apigateway.amazonaws.com"}'

_TEMPLATE = (
    '{"eventVersion":"1.09","userIdentity":%(identity)s,"eventTime":"%(t)s","eventSource":"%(src)s",'
    '"eventName":"%(name)s","awsRegion":"us-east-1","sourceIPAddress":"%(ip)s","userAgent":"%(ua)s",'
    '"requestParameters":%(req)s,"responseElements":null,"requestID":"%(rid)s","eventID":"%(eid)s",'
    '"readOnly":%(ro)s,"eventType":"%(etype)s","managementEvent":%(mgmt)s,"recipientAccountId":"'
    + ACCOUNT + '","eventCategory":"%(cat)s"}'
)


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def cloudtrail_lines(count: int, seed: int = 7, start: datetime | None = None) -> Iterator[str]:
    """Yield ``count`` CloudTrail records, one JSON object per string (no newline)."""
    rng = random.Random(seed)
    t0 = start or datetime(2026, 1, 5, tzinfo=timezone.utc)
    step = timedelta(seconds=86_400 * 7 / max(count, 1))  # spread over a week
    for i in range(count):
        t = (t0 + step * i).strftime("%Y-%m-%dT%H:%M:%SZ")
        fi = rng.randrange(len(FUNCTIONS))
        fn = FUNCTIONS[fi]
        roll = rng.random()
        values: dict[str, object] = {"t": t, "rid": _uuid(rng), "eid": _uuid(rng), "ro": "false",
                                     "etype": "AwsApiCall", "mgmt": "true", "cat": "Management"}
        if roll < 0.55:  # a function's role at work
            src, name, req = _ROLE_CALLS[rng.randrange(len(_ROLE_CALLS))]
            values.update(identity=_ROLE_IDENTITY % {"fi": fi, "fn": fn, "t": t}, src=src, name=name,
                          req=req % rng.randrange(100_000), ip=f"3.80.{fi}.{rng.randrange(250)}",
                          ua=_LAMBDA_UA, mgmt="false", cat="Data")
        elif roll < 0.90:  # Invoke data events from API Gateway
            values.update(identity=_SERVICE_IDENTITY, src="lambda.amazonaws.com", name="Invoke",
                          req=_INVOKE_REQUEST.replace("FN", fn),
                          ip="apigateway.amazonaws.com", ua="apigateway.amazonaws.com", etype="AwsApiCall",
                          mgmt="false", cat="Data")
        elif roll < 0.9998:  # people and CI reading things
            src, name, req = _ADMIN_CALLS[rng.randrange(len(_ADMIN_CALLS))]
            values.update(identity=_USER_IDENTITY, src=src, name=name,
                          req=req % fn if "%s" in req else req, ip="203.0.113.10", ua=_CI_UA, ro="true")
        else:
            src, name, req = _SUSPICIOUS[rng.randrange(len(_SUSPICIOUS))]
            values.update(identity=_USER_IDENTITY, src=src, name=name, req=req % fn,
                          ip=f"198.51.100.{rng.randrange(250)}", ua="python-requests/2.31")
        yield _TEMPLATE % values


def write_ndjson(path: str, count: int, seed: int = 7) -> None:
    with open(path, "w", encoding="utf-8") as out:
        batch: list[str] = []
        for line in cloudtrail_lines(count, seed):
            batch.append(line)
            if len(batch) >= 10_000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")
