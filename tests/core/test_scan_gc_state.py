"""A scan pauses the cyclic garbage collector for speed and always restores the caller's setting."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from faasguard.report.json_report import render_json
from faasguard.scan import scan

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.11
      Handler: app.handler
      Code: {ZipFile: "def handler(e, c): pass"}
      Role: arn:aws:iam::123456789012:role/r
"""


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_setting_is_restored(tmp_path: Path, enabled: bool) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        result = scan(tmp_path)
        assert gc.isenabled() is enabled
        assert [fn.name for app in result.applications for fn in app.functions] == ["Fn"]
        assert render_json(result).startswith("{")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
