import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        TABLE.put_item(Item={"id": str(order["id"]), "total": int(order["total"])})
    return {"batchItemFailures": []}
