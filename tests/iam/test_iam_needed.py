"""Static boto3 usage analysis: what the code calls, with resource hints, never executing it."""

from __future__ import annotations

from pathlib import Path

from iam_helpers import write

from faasguard.analyzers.iam.needed import CodeNeeds, Hint, analyse


def _run(tmp_path: Path, files: dict[str, str], handler: str = "app.handler") -> CodeNeeds:
    write(tmp_path, files)
    return analyse((tmp_path,), tmp_path, handler)


def _pairs(result: CodeNeeds) -> set[tuple[str, str, str]]:
    return {(n.action, n.hint.kind, n.hint.value) for n in result.needs}


def test_clients_resources_and_env_hints(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "import os\nimport boto3\nfrom boto3 import client\n"
        "s3 = boto3.client('s3')\nddb = boto3.resource('dynamodb')\nTABLE = os.environ.get('T')\n"
        "def handler(event, context):\n"
        "    s3.get_object(Bucket=os.environ['B'], Key='k')\n"
        "    ddb.Table(TABLE).query(KeyConditionExpression='x', IndexName='gsi')\n"
        "    client(service_name='sqs').send_message(\n"
        "        QueueUrl='https://sqs.eu-west-1.amazonaws.com/1/q', MessageBody='m')\n"
    )})
    assert _pairs(r) == {("s3:GetObject", "env", "B"), ("dynamodb:Query", "env", "T"),
                         ("sqs:SendMessage", "literal", "https://sqs.eu-west-1.amazonaws.com/1/q")}
    query = next(n for n in r.needs if n.action == "dynamodb:Query")
    assert query.index and (query.file, query.line) == ("app.py", 9)
    assert r.confidence == "high" and r.handler_found


def test_only_code_reachable_from_the_handler_counts(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "import boto3\n"
        "def handler(event, context):\n    helper()\n"
        "def helper():\n    boto3.client('sns').publish(TopicArn='arn:aws:sns:eu-west-1:1:t', Message='x')\n"
        "def other(event, context):\n    boto3.client('s3').delete_bucket(Bucket='b')\n"
    )})
    assert {n.action for n in r.needs} == {"sns:Publish"}


def test_sessions_subresources_collections_and_batch_actions(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "import boto3\n"
        "session = boto3.session.Session()\n"
        "def handler(event, context):\n"
        "    bucket = session.resource('s3').Bucket('media')\n"
        "    for obj in bucket.objects.filter(Prefix='a/'):\n"
        "        obj.delete()\n"
        "    bucket.objects.filter(Prefix='old/').delete()\n"
        "    size = session.resource('s3').Object('media', 'k').content_length\n"
        "    keys = list(bucket.objects.all())\n"
    )})
    assert {n.action for n in r.needs} == {"s3:ListBucket", "s3:DeleteObject", "s3:GetObject"}
    assert all(n.hint == Hint("literal", "media", "identifier") for n in r.needs)
    assert {n.line for n in r.needs if n.action == "s3:ListBucket"} == {5, 7, 9}


def test_paginators_waiters_batch_writer_and_transfer_helpers(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "import boto3\n"
        "s3 = boto3.client('s3')\n"
        "ddb = boto3.client('dynamodb')\n"
        "table = boto3.resource('dynamodb').Table('orders')\n"
        "def handler(event, context):\n"
        "    for page in s3.get_paginator('list_objects_v2').paginate(Bucket='in'):\n"
        "        pass\n"
        "    ddb.get_waiter('table_exists').wait(TableName='orders')\n"
        "    with table.batch_writer() as writer:\n"
        "        writer.put_item(Item={})\n"
        "    s3.download_file('in', 'k', '/tmp/k')\n"
        "    s3.upload_file('/tmp/k', 'out', 'k')\n"
        "    url = s3.generate_presigned_url('get_object', Params={'Bucket': 'in', 'Key': 'k'})\n"
    )})
    assert _pairs(r) == {
        ("s3:ListBucket", "literal", "in"), ("dynamodb:DescribeTable", "literal", "orders"),
        ("dynamodb:BatchWriteItem", "literal", "orders"), ("s3:GetObject", "literal", "in"),
        ("s3:PutObject", "literal", "out"),
    }


def test_clients_passed_between_functions_modules_and_objects(tmp_path: Path) -> None:
    r = _run(tmp_path, {
        "app.py": (
            "import boto3\n"
            "from lib.store import Store, make_client\n"
            "from lib import queue as q\n"
            "def handler(event, context):\n"
            "    Store(boto3.client('sqs')).send('m')\n"
            "    kinesis = make_client()\n"
            "    put(kinesis)\n"
            "    q.notify()\n"
            "def put(k):\n"
            "    k.put_record(StreamName='s', Data=b'x', PartitionKey='p')\n"
        ),
        "lib/__init__.py": "",
        "lib/store.py": (
            "import boto3\n"
            "class Store:\n"
            "    def __init__(self, client):\n        self.client = client\n"
            "    def send(self, body):\n        self.client.send_message(QueueUrl='q', MessageBody=body)\n"
            "def make_client():\n    return boto3.client('kinesis')\n"
        ),
        "lib/queue.py": ("import boto3\n_sns = boto3.client('sns')\n"
                         "def notify():\n    _sns.publish(TopicArn='t', Message='m')\n"),
    })
    assert {n.action for n in r.needs} == {"sqs:SendMessage", "kinesis:PutRecord", "sns:Publish"}
    assert {n.file for n in r.needs} == {"lib/store.py", "app.py", "lib/queue.py"}


def test_names_read_from_the_event_are_marked(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "import boto3\ns3 = boto3.client('s3')\n"
        "def handler(event, context):\n"
        "    for rec in event['Records']:\n"
        "        s3.get_object(Bucket=rec['s3']['bucket']['name'], Key=rec['s3']['object'].get('key'))\n"
    )})
    assert _pairs(r) == {("s3:GetObject", "event", ".Records.[].s3.bucket.name")}


def test_powertools_utilities_are_modelled(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "from aws_lambda_powertools.utilities import parameters\n"
        "from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer\n"
        "store = DynamoDBPersistenceLayer(table_name='idem')\n"
        "def handler(event, context):\n"
        "    parameters.get_secret('db-password')\n    parameters.get_parameter('/app/flag')\n"
    )})
    assert _pairs(r) == {
        ("secretsmanager:GetSecretValue", "literal", "db-password"), ("ssm:GetParameter", "literal", "/app/flag"),
        ("dynamodb:GetItem", "literal", "idem"), ("dynamodb:PutItem", "literal", "idem"),
        ("dynamodb:UpdateItem", "literal", "idem"), ("dynamodb:DeleteItem", "literal", "idem"),
    }


def test_dynamic_service_names_and_getattr_lower_confidence(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "import os, boto3\n"
        "def handler(event, context):\n"
        "    c = boto3.client(os.environ['SERVICE'])\n"
        "    s3 = boto3.client('s3')\n"
        "    getattr(s3, event['op'])()\n"
    )})
    assert r.needs == [] and r.confidence == "low"
    assert any("named at run time" in n for n in r.notes)
    assert any("chosen at run time" in n for n in r.notes)


def test_wrappers_lower_confidence(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "from pynamodb.models import Model\n"
        "def handler(event, context):\n    return Model\n"
    )})
    assert r.confidence == "medium" and any("pynamodb" in n for n in r.notes)


def test_code_is_never_executed_and_bad_code_does_not_break(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    r = _run(tmp_path, {
        "app.py": (
            f"open({str(marker)!r}, 'w').write('x')\n"
            "import boto3\n"
            "def handler(event, context):\n    boto3.client('s3').list_buckets()\n"
        ),
        "broken.py": "def (:\n",
    })
    assert not marker.exists()
    assert {n.action for n in r.needs} == {"s3:ListAllMyBuckets"}


def test_missing_handler_analyses_everything_with_medium_confidence(tmp_path: Path) -> None:
    code = "import boto3\ndef other(e, c):\n    boto3.client('sqs').purge_queue(QueueUrl='q')\n"
    r = _run(tmp_path, {"app.py": code}, handler="nope.handler")
    assert {n.action for n in r.needs} == {"sqs:PurgeQueue"} and r.confidence == "medium"


def test_long_call_chains_across_many_modules_are_followed_quickly(tmp_path: Path) -> None:
    import time

    files = {"app.py": "from m0 import f0\ndef handler(e, c):\n    f0()\n"}
    for i in range(200):
        nxt = f"from m{i + 1} import f{i + 1}\n" if i < 199 else ""
        call = f"    f{i + 1}()\n" if i < 199 else ""
        files[f"m{i}.py"] = (f"import boto3\n{nxt}class C{i}:\n    def run(self, x):\n        x.extend([1])\n"
                             f"        boto3.client('s3').get_object(Bucket='b{i}', Key='k')\n"
                             f"def f{i}():\n{call}    C{i}().run([])\n")
    start = time.perf_counter()
    r = _run(tmp_path, files)
    assert time.perf_counter() - start < 10
    assert len(r.needs) == 200 and {n.hint.value for n in r.needs} == {f"b{i}" for i in range(200)}
    assert r.confidence == "high"


def test_class_attributes_and_structured_parameters(tmp_path: Path) -> None:
    r = _run(tmp_path, {"app.py": (
        "import os, boto3\n"
        "TABLE = os.environ['TABLE']\n"
        "class Repo:\n"
        "    ddb = boto3.client('dynamodb')\n"
        "    def save(self, item):\n"
        "        self.ddb.transact_write_items(TransactItems=[{'Put': {'TableName': TABLE, 'Item': item}}])\n"
        "        self.ddb.batch_write_item(RequestItems={TABLE: [{'PutRequest': {'Item': item}}]})\n"
        "def handler(event, context):\n"
        "    Repo().save({})\n"
        "    bus = os.environ['BUS']\n"
        "    boto3.client('events').put_events(Entries=[{'EventBusName': bus, 'Detail': '{}'}])\n"
    )})
    assert _pairs(r) == {
        ("dynamodb:PutItem", "env", "TABLE"),  # the transaction only puts
        ("dynamodb:BatchWriteItem", "env", "TABLE"), ("events:PutEvents", "env", "BUS")}
