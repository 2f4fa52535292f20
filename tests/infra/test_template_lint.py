"""Every template (the root and each module stack) passes the linters CloudFormation and SAM users
rely on. `sam validate --lint` is cfn-lint run from the SAM CLI: it hands the template as read to
the cfn-lint installed beside it, with cfn-lint's defaults (samcli/commands/validate/validate.py),
and translates nothing. So one cfn-lint run over every template answers for it too, as long as the
SAM CLI's cfn-lint is ours; when it is another version, it lints every template as well."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from tests.infra.conftest import SAM_EXECUTABLE

RunSam = Callable[..., subprocess.CompletedProcess[str]]

# cfn-lint rule ids we accept findings for, each with the reason. None today: any finding fails.
ACCEPTED_CFN_LINT_RULES: dict[str, str] = {}


def _report(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit code {result.returncode}\n{result.stdout}{result.stderr}"


def _sam_cfn_lint_version() -> str | None:
    """The version of the cfn-lint that `sam validate --lint` runs; None without the SAM CLI."""
    site_packages = [str(path) for path in SAM_EXECUTABLE.parents[1].glob("lib/python*/site-packages")]
    found = next(iter(metadata.distributions(name="cfn-lint", path=site_packages)), None)
    return found.version if found else None


def _cfn_lints() -> list[Path]:
    """Our cfn-lint, and the SAM CLI's unless it is the same version (which lints alike)."""
    ours = Path(sys.prefix) / "bin" / "cfn-lint"
    sam_version = _sam_cfn_lint_version()
    if sam_version in (None, metadata.version("cfn-lint")):
        return [ours]
    return [ours, SAM_EXECUTABLE.with_name("cfn-lint")]


def test_cfn_lint_reports_nothing(stack_paths: list[Path]) -> None:
    ignored = ["--ignore-checks", *ACCEPTED_CFN_LINT_RULES] if ACCEPTED_CFN_LINT_RULES else []
    failures = [
        f"{cfn_lint}: {_report(result)}"
        for cfn_lint in _cfn_lints()
        if (
            result := subprocess.run(
                [str(cfn_lint), *ignored, "--", *map(str, stack_paths)],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        ).returncode
    ]
    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
    assert not failures, "\n".join(failures)


def test_sam_validate_lint(run_sam: RunSam, template_path: Path) -> None:
    """The SAM CLI's own command, with this repository's samconfig.toml, passes the root template
    (test_cfn_lint_reports_nothing lints every template with the same cfn-lint)."""
    result = run_sam("validate", "--lint", "--template-file", str(template_path), timeout=300)
    assert result.returncode == 0, _report(result)
