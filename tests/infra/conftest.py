"""Shared fixtures of the infrastructure tier: the repository, the parsed templates (the root and
every module stack), the generated route definition, the SAM CLI and the stack report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eckolocal.template import Template, load_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SAM_EXECUTABLE = REPO_ROOT / ".venv-sam" / "bin" / "sam"
SAM_PYTHON = REPO_ROOT / ".venv-sam" / "bin" / "python"
STACK_REPORT = REPO_ROOT / "infra" / "scripts" / "stack_report.py"
ROUTE_DEFINITION = "infra/api.yaml"
LAMBDA_PYTHON = "3.13"

RunSam = Callable[..., subprocess.CompletedProcess[str]]  # the `run_sam` fixture


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def template_path(repo_root: Path) -> Path:
    return repo_root / "template.yaml"


@pytest.fixture(scope="session")
def template_doc(template_path: Path) -> dict[str, Any]:
    """template.yaml as written: intrinsics in long form (`{"Ref": ...}`), nothing evaluated, and
    every resource kept whatever its Condition, so a disabled module is checked too."""
    return load_yaml(template_path)


@pytest.fixture(scope="session")
def stack_paths(repo_root: Path, template_path: Path) -> list[Path]:
    """The root template and every module stack it nests."""
    return [template_path, *sorted((repo_root / "infra" / "stacks").glob("*.yaml"))]


@pytest.fixture(scope="session")
def stack_docs(stack_paths: list[Path], repo_root: Path) -> dict[str, dict[str, Any]]:
    """Each stack as written, by its path in the repository."""
    return {path.relative_to(repo_root).as_posix(): load_yaml(path) for path in stack_paths}


@pytest.fixture(scope="session")
def resources(stack_docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every resource of every stack, as written (logical ids are unique across the stacks)."""
    found: dict[str, dict[str, Any]] = {}
    for name, doc in stack_docs.items():
        for logical_id, resource in doc.get("Resources", {}).items():
            assert logical_id not in found, f"{logical_id} of {name} is declared in another stack too"
            found[logical_id] = resource
    return found


@pytest.fixture(scope="session")
def route_definition(repo_root: Path) -> dict[str, Any]:
    """The REST API's generated OpenAPI body (`make generate`)."""
    return load_yaml(repo_root / ROUTE_DEFINITION)


@pytest.fixture(scope="session")
def template(template_path: Path) -> Template:
    """The template as the local stack and the OpenAPI generator see it (default parameters)."""
    return Template(template_path)


def _pyenv_version(prefix: str) -> str | None:
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    listed = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True, check=False)
    matching = [v for v in listed.stdout.split() if v.startswith(f"{prefix}.")]
    return matching[-1] if matching else None


def _sam_environment() -> dict[str, str]:
    """The caller's environment (make exports PYENV_VERSION), plus what SAM needs to build the
    python3.13 runtime without Docker: `python3.13` on PATH, through pyenv when run outside make."""
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    selected = [v for v in env.get("PYENV_VERSION", "").split(":") if v]
    if not any(v.startswith(f"{LAMBDA_PYTHON}.") for v in selected):
        found = _pyenv_version(LAMBDA_PYTHON)
        if found:
            env["PYENV_VERSION"] = ":".join([found, *selected])
    return env


@pytest.fixture(scope="session")
def run_sam(repo_root: Path) -> RunSam:
    """Runs `sam <args>` in the repository; skips when the SAM CLI's venv is absent (`make test`
    always creates it, so CI never skips)."""
    if not SAM_EXECUTABLE.exists():
        pytest.skip(f"SAM CLI not installed at {SAM_EXECUTABLE}: run `make .venv-sam/.installed`")
    env = _sam_environment()

    def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SAM_EXECUTABLE), *args],
            cwd=repo_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


def stack_report(*parameters: str, impact: bool = False) -> dict[str, Any]:
    """What infra/scripts/stack_report.py finds (SAM's translator lives in the SAM CLI's venv)."""
    if not SAM_PYTHON.exists():
        pytest.skip(f"SAM CLI not installed at {SAM_PYTHON}: run `make .venv-sam/.installed`")
    command = [str(SAM_PYTHON), str(STACK_REPORT), *(f"--parameter={p}" for p in parameters)]
    result = subprocess.run(
        [*command, *(["--impact"] if impact else [])],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"exit code {result.returncode}\n{result.stdout}{result.stderr[-4000:]}"
    return json.loads(result.stdout)
