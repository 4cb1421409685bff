import json
import os

import pymysql

DB_HOST = os.environ.get("DB_HOST", "localhost")


def create_order(event, context):
    body = json.loads(event["body"])
    customer = body["customer"]
    conn = pymysql.connect(host=DB_HOST, user="orders", password=os.environ["DB_PASSWORD"])
    with conn.cursor() as cursor:
        # SQL built from the request body: injectable
        cursor.execute(f"SELECT id, total FROM orders WHERE customer = '{customer}'")
        rows = cursor.fetchall()
    return {"statusCode": 200, "body": json.dumps(rows)}
