"""The application model (see ARCHITECTURE.md): typed, immutable, no I/O."""

from faasguard.model.application import (
    ASYNC_TRIGGER_KINDS,
    HTTP_TRIGGER_KINDS,
    POLLED_TRIGGER_KINDS,
    Api,
    ApiKind,
    Application,
    Authorizer,
    AuthorizerKind,
    Cors,
    Function,
    FunctionUrl,
    ManagedPolicyRef,
    PackageType,
    Permission,
    PolicyTemplateRef,
    Resource,
    ResourceKind,
    Role,
    Statement,
    Throttling,
    Trigger,
    TriggerKind,
    Trust,
    VpcConfig,
)
from faasguard.model.finding import ErrorKind, Finding, Fix, FlowStep, ScanError, Severity, Suppression
from faasguard.model.location import Location
from faasguard.model.value import Value, ValueKind

__all__ = [
    "ASYNC_TRIGGER_KINDS", "HTTP_TRIGGER_KINDS", "POLLED_TRIGGER_KINDS",
    "Api", "ApiKind", "Application", "Authorizer", "AuthorizerKind", "Cors", "ErrorKind",
    "Finding", "Fix", "FlowStep", "Function", "FunctionUrl", "Location", "ManagedPolicyRef",
    "PackageType", "Permission", "PolicyTemplateRef", "Resource", "ResourceKind", "Role",
    "ScanError", "Severity", "Statement", "Suppression", "Throttling", "Trigger", "TriggerKind", "Trust",
    "Value", "ValueKind", "VpcConfig",
]
