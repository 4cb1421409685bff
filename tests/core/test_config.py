from pathlib import Path

import pytest

from faasguard.cli.scan_cmd import pair_output_files
from faasguard.config import ConfigError, resolve
from faasguard.model import Severity


def test_precedence_cli_over_env_over_file_over_defaults(tmp_path: Path) -> None:
    (tmp_path / ".faasguard.yaml").write_text("fail_on: low\nskip_check: [FG-FN-001]\nstage: prod\n")
    env = {"FAASGUARD_FAIL_ON": "medium", "FAASGUARD_STAGE": "qa", "PATH": "/bin"}
    config = resolve(tmp_path, {"stage": "cli"}, environ=env)
    assert config.fail_on is Severity.MEDIUM  # env beats file
    assert config.stage == "cli"  # cli beats env
    assert config.skip_check == ("FG-FN-001",)  # file beats defaults
    assert config.soft_fail is False  # default
    assert config.sources == ("defaults", str(tmp_path / ".faasguard.yaml"), "environment", "command line")


def test_pyproject_tool_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.faasguard]\nfail-on = "critical"\nvar = { table = "t1" }\n')
    config = resolve(tmp_path, {}, environ={})
    assert (config.fail_on, dict(config.var)) == (Severity.CRITICAL, {"table": "t1"})


@pytest.mark.parametrize(("content", "message"), [
    ("fail_on: severe\n", "unknown severity 'severe'"),
    ("colour: red\n", "unknown setting 'colour'"),
    ("soft_fail: maybe\n", "expected true or false"),
])
def test_bad_config_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / ".faasguard.yaml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        resolve(tmp_path, {}, environ={})


def test_output_files_pair_with_the_preceding_format() -> None:
    args = ["scan", ".", "-o", "sarif", "--output-file", "r.sarif", "-o", "table", "--output=json",
            "--output-file=r.json"]
    assert pair_output_files(args) == ["scan", ".", "-o", "sarif=r.sarif", "-o", "table", "-o", "json=r.json"]


def test_framework_option_accepts_lists_and_rejects_unknown_names(tmp_path: Path) -> None:
    config = resolve(tmp_path, {"framework": ["serverless,cloudformation", "terraform"]}, environ={})
    assert config.framework == ("serverless", "cloudformation", "terraform")
    with pytest.raises(ConfigError, match="unknown framework pulumi"):
        resolve(tmp_path, {"framework": ["pulumi"]}, environ={})
