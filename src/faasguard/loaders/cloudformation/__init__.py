"""SAM and CloudFormation templates -> application model.

``CloudFormationLoader`` loads stand-alone templates. ``build_template_model`` is the reusable
core: the Serverless Framework loader runs a serverless.yml's ``resources.Resources`` through it
(``template={"Resources": ...}``) with ``function_aliases`` mapping the framework's generated
logical ids (``HelloLambdaFunction``) to its function ids (``hello``); what those resources say
about aliased functions comes back in ``TemplateModel.external_*`` (apply with
``TemplateModel.attach(fn)``), and Permissions/Roles refer to the function ids.

Conventions (the details are in each module's docstring):

- Values: intrinsics are evaluated where the template decides them (parameter defaults or
  ``--var`` overrides, Mappings, Conditions); ``AWS::Partition``/``AWS::URLSuffix`` are the
  commercial partition's literals, other pseudo parameters stay typed ``PARAMETER`` references
  (``AWS::Region`` becomes literal with ``--region``). See ``intrinsics.py``.
- ``source_kind`` is ``"sam"`` with the SAM transform or any ``AWS::Serverless::*`` resource.
- Lines: a setting points at its key (a Globals setting at the Globals line); a trigger at its
  event / route / target entry; an HTTP route of a CFN method at its ``AuthorizationType``; routes
  of OpenAPI definitions (inline, ``AWS::Include`` or a local ``DefinitionUri``) at the method
  in that definition file.
- SAM's generated objects are modelled: the ``<Function>Role`` (basic execution, X-Ray, VPC and
  DLQ permissions, Policies, connectors) and the implicit ``ServerlessRestApi`` /
  ``ServerlessHttpApi``.
- Bad input becomes ``ScanError`` entries on the offending key's line; nothing raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Handlers register themselves per resource type when their modules are imported.
from faasguard.loaders.cloudformation import apis, connectors, functions, iam, links  # noqa: F401
from faasguard.loaders.cloudformation import resources as _resources  # noqa: F401
from faasguard.loaders.cloudformation.builder import Builder
from faasguard.loaders.cloudformation.context import SAM_TRANSFORM, BuildContext, TemplateModel
from faasguard.loaders.cloudformation.intrinsics import Resolver
from faasguard.loaders.cloudformation.loader import CloudFormationLoader, claims_template
from faasguard.loaders.document import Document
from faasguard.model import Value


def build_template_model(doc: Document, template: Mapping[str, Any], *,
                         parameters: Mapping[str, Value] | None = None, root: Path, app_root: str,
                         source_kind: str, function_aliases: Mapping[str, str] | None = None,
                         region: str | None = None,
                         extra_resource_ids: frozenset[str] = frozenset()) -> TemplateModel:
    """Build the model objects of ``template`` (whose nodes come from ``doc``, for lines).

    ``root`` is the scan root, ``app_root`` the application directory relative to it;
    ``extra_resource_ids`` are logical ids that exist at deploy time without being in
    ``template`` (resources the Serverless Framework generates), so Ref/GetAtt to them are
    typed resource references, not unresolved.
    """
    if not isinstance(template, Mapping):
        template = {}
    resources = template.get("Resources")
    ids = {str(k) for k in resources} if isinstance(resources, Mapping) else set()
    ids |= set(extra_resource_ids) | set((function_aliases or {}).keys())
    ids |= implicit_resource_ids(resources)
    resolver = Resolver(template, parameters=parameters, region=region, resource_ids=frozenset(ids))
    ctx = BuildContext(doc, template, resolver=resolver, root=root, app_root=app_root,
                       source_kind=source_kind, function_aliases=function_aliases)
    return Builder(ctx).build()


def implicit_resource_ids(resources: Any) -> set[str]:
    """Logical ids that the SAM transform generates (so ``!Ref MyFunctionRole`` resolves)."""
    ids: set[str] = set()
    if not isinstance(resources, Mapping):
        return ids
    for logical_id, body in resources.items():
        if not isinstance(body, Mapping):
            continue
        rtype = body.get("Type")
        if rtype == "AWS::Serverless::Function":
            ids |= {f"{logical_id}Role", f"{logical_id}Url", f"{logical_id}Alias", f"{logical_id}Version"}
            ids |= {"ServerlessRestApi", "ServerlessHttpApi", "ServerlessRestApiProdStage",
                    "ServerlessRestApiDeployment", "ServerlessHttpApiApiGatewayDefaultStage"}
        elif rtype in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
            ids |= {f"{logical_id}Stage", f"{logical_id}Deployment", f"{logical_id}ApiGatewayDefaultStage"}
    return ids


__all__ = ["SAM_TRANSFORM", "CloudFormationLoader", "TemplateModel", "build_template_model", "claims_template"]
