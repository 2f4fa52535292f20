"""Every template (the root and each module stack) passes the linters CloudFormation and SAM users
rely on. `sam validate --lint` reads only the template it is given, so each is given in turn."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

RunSam = Callable[..., subprocess.CompletedProcess[str]]

# cfn-lint rule ids we accept findings for, each with the reason. None today: any finding fails.
ACCEPTED_CFN_LINT_RULES: dict[str, str] = {}


def _report(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit code {result.returncode}\n{result.stdout}{result.stderr}"


def test_cfn_lint_reports_nothing(stack_paths: list[Path]) -> None:
    cfn_lint = Path(sys.prefix) / "bin" / "cfn-lint"
    ignored = ["--ignore-checks", *ACCEPTED_CFN_LINT_RULES] if ACCEPTED_CFN_LINT_RULES else []
    result = subprocess.run(
        [str(cfn_lint), *ignored, "--", *map(str, stack_paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
    assert result.returncode == 0, _report(result)


def test_sam_validate_lint(run_sam: RunSam, stack_paths: list[Path]) -> None:
    failures = [
        f"{path.name}: {_report(result)}"
        for path in stack_paths
        if (result := run_sam("validate", "--lint", "--template-file", str(path), timeout=300)).returncode
    ]
    assert not failures, "\n".join(failures)
