import subprocess
import urllib.parse


def handler(event, context):
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        # The object key is chosen by whoever uploaded the file: command injection
        subprocess.run(f"convert /tmp/{key} -resize 128x128 /tmp/thumb.png", shell=True, check=True)
    return {"ok": True}
