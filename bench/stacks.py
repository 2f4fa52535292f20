"""The deployment shape: resources and transformed bytes per stack, against CloudFormation's caps
and our budget (200 resources, 500 KB), and what a one-line change to one function's code, and to
the shared core layer, changes in the transformed templates (infra/scripts/stack_report.py, run on
the SAM CLI's Python, where SAM's translator is)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SAM_PYTHON = REPO / ".venv-sam" / "bin" / "python"
MAX_RESOURCES, CFN_RESOURCES = 200, 500
MAX_BYTES, CFN_BYTES = 500 * 1024, 1024 * 1024


def _row(
    subject: str, value: float, unit: str, peer: str, peer_value: float | None, budget: str, passed: bool | None
) -> dict[str, Any]:
    return {
        "benchmark": "stacks",
        "subject": subject,
        "value": value,
        "unit": unit,
        "peer": peer,
        "peer_value": peer_value,
        "ratio": value / peer_value if peer_value else None,
        "budget": budget,
        "pass": passed,
    }


def _only_the_function(changes: dict[str, list[str]]) -> bool:
    """Only the changed function's own resources in its module, and the module's stack in the root."""
    root = changes.get("template.yaml", [])
    module_changes = [c for name, stack in changes.items() if name != "template.yaml" for c in stack]
    return (
        len(root) == 1
        and "AWS::CloudFormation::Stack" in root[0]
        and len({c.split("Function", 1)[0] for c in module_changes}) == 1
    )


def run() -> dict[str, Any]:
    done = subprocess.run(
        [str(SAM_PYTHON), "infra/scripts/stack_report.py", "--impact"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    rows = []
    for name, figures in sorted(report["stacks"].items()):
        rows.append(
            _row(
                f"{name}: resources",
                figures["resources"],
                "resources",
                "CloudFormation cap",
                CFN_RESOURCES,
                f"<= {MAX_RESOURCES}, no cycle",
                figures["resources"] <= MAX_RESOURCES and not figures["cycles"],
            )
        )
        rows.append(
            _row(
                f"{name}: transformed size",
                round(figures["bytes"] / 1024, 1),
                "KB",
                "CloudFormation cap (S3)",
                CFN_BYTES / 1024,
                f"<= {MAX_BYTES // 1024} KB",
                figures["bytes"] <= MAX_BYTES,
            )
        )
    function, layer = report["impact"]["function"], report["impact"]["core_layer"]
    rows.append(
        _row(
            f"one-line change to {function['file']}",
            sum(len(c) for c in function["changes"].values()),
            "resources changed",
            "",
            None,
            "the function, its version and alias; its module's stack in the root",
            _only_the_function(function["changes"]),
        )
    )
    rows.append(
        _row(
            f"one-line change to {layer['file']} (core layer)",
            sum(len(c) for c in layer["changes"].values()),
            "resources changed",
            "",
            None,
            "every function gets a new version",
            None,
        )
    )
    return {
        "rows": rows,
        "stacks": report["stacks"],
        "impact": report["impact"],
        "api_deployment": report["api_deployment"],
    }
