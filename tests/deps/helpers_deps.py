"""Application models for the dependency tests, built by hand (no loader needed)."""

from __future__ import annotations

from faasguard.model import Application, Function, Location, Resource, ResourceKind, Value, ValueKind


def sam_fixture_app() -> Application:
    """The model the SAM loader gives for tests/fixtures/deps/samapp/template.yaml."""
    file = "template.yaml"
    layer = Resource("CommonLayer", ResourceKind.OTHER, "AWS::Serverless::LayerVersion", Location(file, 19),
                     properties={"ContentUri": "layers/common/"})
    orders = Function("OrdersFunction", "OrdersFunction", Location(file, 5), runtime="python3.11",
                      handler="app.handler", code_path="src/orders",
                      layers=(Value(ValueKind.RESOURCE_ATTRIBUTE, ref="CommonLayer", raw="!Ref CommonLayer"),),
                      source_kind="sam")
    web = Function("WebFunction", "WebFunction", Location(file, 13), runtime="nodejs20.x",
                   handler="index.handler", code_path="src/web", source_kind="sam")
    return Application("samapp", "sam", ".", (file,), Location(file, 1), functions=(orders, web),
                       resources=(layer,))
