"""A small built-in classification of IAM actions for the declared-IAM rules.

Deep IAM analysis (the action database, needed vs granted) is a separate analyzer; these rules
only need to recognise wildcards, write verbs and permission-management actions.
"""

from __future__ import annotations

# Verbs that change state (prefix of the action name after "service:").
WRITE_VERBS = (
    "Put", "Create", "Delete", "Update", "Write", "Attach", "Detach", "Modify", "Set", "Add", "Remove",
    "Pass", "Associate", "Disassociate", "Replace", "Restore", "Reset", "Enable", "Disable", "Invoke",
    "Publish", "Send", "Start", "Stop", "Terminate", "Tag", "Untag", "Change", "Upload", "Import", "Run",
    "Execute", "Copy", "Purge", "Revoke", "Authorize", "Rotate", "Cancel", "Abort", "Register",
    "Deregister", "Grant", "Retire", "Schedule", "Encrypt", "ReEncrypt", "Generate", "Restart", "Leave",
    "Invite", "Accept", "Move", "Release", "Assign", "Unassign", "Allocate",
)

# Actions that change who may do what: granting them on "*" is a privilege-escalation path.
PERMISSION_MANAGEMENT = (
    "sts:assumerole", "kms:creategrant", "kms:putkeypolicy", "lambda:addpermission",
    "lambda:addlayerversionpermission", "s3:putbucketpolicy", "s3:putbucketacl", "s3:putobjectacl",
    "sns:settopicattributes", "sns:addpermission", "sqs:setqueueattributes", "sqs:addpermission",
    "secretsmanager:putresourcepolicy", "ecr:setrepositorypolicy", "lambda:updatefunctioncode",
    "lambda:updatefunctionconfiguration", "lambda:createfunction",
)

# Actions with no resource-level permissions ("*" is the only possible resource), and the
# CloudWatch Logs writes of AWSLambdaBasicExecutionRole, which AWS itself grants on "*".
RESOURCE_STAR_ONLY = (
    "logs:createloggroup", "logs:createlogstream", "logs:putlogevents",
    "states:sendtasksuccess", "states:sendtaskfailure", "states:sendtaskheartbeat",
    "codepipeline:putjobsuccessresult", "codepipeline:putjobfailureresult",
    "xray:puttracesegments", "xray:puttelemetryrecords", "xray:getsamplingrules", "xray:getsamplingtargets",
    "cloudwatch:putmetricdata", "ec2:createnetworkinterface", "ec2:deletenetworkinterface",
    "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses", "sts:getcalleridentity",
    "kms:generaterandom", "lambda:createeventsourcemapping", "logs:createlogdelivery",
    "logs:deletelogdelivery", "logs:updatelogdelivery",
)

# Services whose full wildcard amounts to account takeover or unbounded secrets access.
SENSITIVE_SERVICES = frozenset({"iam", "sts", "organizations", "kms", "lambda", "secretsmanager", "ssm",
                                "cloudformation", "ec2"})

# Reading secrets or decrypting: on "*" this opens every secret of the account.
SECRET_READS = (
    "secretsmanager:getsecretvalue", "secretsmanager:batchgetsecretvalue", "ssm:getparameter",
    "ssm:getparameters", "ssm:getparametersbypath", "ssm:getparameterhistory", "kms:decrypt",
)


def split(action: str) -> tuple[str, str]:
    service, _, name = action.strip().partition(":")
    return service.lower(), name


def is_full_wildcard(action: str) -> bool:
    return action.strip() in ("*", "*:*")


def is_service_wildcard(action: str) -> bool:
    service, name = split(action)
    return bool(service) and service != "*" and name == "*"


def is_write(action: str) -> bool:
    _, name = split(action)
    if not name:
        return False
    if name.startswith("*"):
        return True  # "*Item" may be PutItem / DeleteItem
    if name.startswith("Batch"):
        name = name[len("Batch"):]  # BatchWriteItem writes, BatchGetItem reads
    return name.startswith(WRITE_VERBS)


def is_permission_management(action: str) -> bool:
    low = action.strip().lower()
    return low.startswith(PERMISSION_MANAGEMENT) or (low.startswith(("iam:", "organizations:")) and is_write(action))


def needs_star(action: str) -> bool:
    return action.strip().lower() in RESOURCE_STAR_ONLY


def reads_secrets(action: str) -> bool:
    low = action.strip().lower()
    if low.endswith("*"):
        prefix = low.rstrip("*")
        return any(s.startswith(prefix) for s in SECRET_READS) and ":" in prefix and prefix.split(":")[1] != ""
    return low in SECRET_READS
