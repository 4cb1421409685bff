import requests


def export_report(event, context):
    params = event.get("queryStringParameters") or {}
    target = params.get("callback")
    # The caller chooses where we send the report: server-side request forgery
    response = requests.post(target, json={"status": "ready"}, verify=False)
    return {"statusCode": response.status_code}
