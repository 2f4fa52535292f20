"""`sam build` packages every function on its own, and the deps layer for the Lambda runtime,
without Docker. Built once for the module, in a temporary directory (never the repo's .aws-sam)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

RunSam = Callable[..., subprocess.CompletedProcess[str]]

DEPS_LAYER = "DepsLayer"
CORE_LAYER = "CoreLayer"
# Lambda architecture name -> the platform tag in compiled extension file names.
PLATFORM_TAGS = {"arm64": "aarch64", "x86_64": "x86_64"}
EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()
EXTENSION_TAG = re.compile(r"\.cpython-(?P<abi>\d+)-(?P<platform>\w+?)-linux-gnu\.so$")


@pytest.fixture(scope="module")
def build_dir(run_sam: RunSam, template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("sam") / "build"
    # --no-cached: samconfig.toml turns caching on, and SAM keeps that cache in ./.aws-sam of the repo.
    result = run_sam("build", "--no-cached", "--template-file", str(template_path), "--build-dir", str(target))
    if result.returncode != 0:
        pytest.fail(f"sam build failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return target


@pytest.fixture(scope="module")
def function_sources(resources: dict[str, dict[str, Any]], repo_root: Path) -> dict[str, Path]:
    sources = {logical_id: repo_root / resource["Properties"]["CodeUri"]
               for logical_id, resource in resources.items() if resource["Type"] == "AWS::Serverless::Function"}
    assert sources, "the template declares no functions"
    return sources


def _digests(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under root, bytecode caches left out."""
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


def _packages(root: Path) -> set[str]:
    return {entry.name for entry in root.iterdir()
            if entry.is_dir() and not entry.name.endswith((".dist-info", ".data")) and entry.name != "__pycache__"}


def test_every_function_has_its_own_artifact(build_dir: Path, function_sources: dict[str, Path]) -> None:
    missing = [logical_id for logical_id in function_sources if not (build_dir / logical_id / "app.py").is_file()]
    assert not missing, f"no built artifact with an app.py for: {missing}"


def test_artifacts_hold_their_own_code(build_dir: Path, function_sources: dict[str, Path]) -> None:
    problems = []
    for logical_id, source in function_sources.items():
        built = _digests(build_dir / logical_id)
        stale = [path for path, digest in _digests(source).items() if built.get(path) != digest]
        if stale:
            problems.append(f"{logical_id}: missing or different from {source.name}/: {stale}")
    assert not problems, "\n".join(problems)


def test_artifacts_hold_no_other_functions_code(build_dir: Path, function_sources: dict[str, Path]) -> None:
    # An empty file (an __init__.py, say) is no leak; any other file two functions share is code
    # that belongs in the core layer.
    sources = {logical_id: set(_digests(path).values()) - {EMPTY_DIGEST}
               for logical_id, path in function_sources.items()}
    problems = []
    for logical_id in function_sources:
        foreign = set().union(*(digests for other, digests in sources.items() if other != logical_id))
        leaked = [path for path, digest in _digests(build_dir / logical_id).items() if digest in foreign]
        if leaked:
            problems.append(f"{logical_id} carries another function's files: {leaked}")
    assert not problems, "\n".join(problems)


def test_functions_leave_layer_packages_to_the_layers(build_dir: Path, function_sources: dict[str, Path],
                                                      repo_root: Path, resources: dict[str, dict[str, Any]]) -> None:
    # A copy in the function's own bundle would shadow the layer's (/var/task precedes /opt/python).
    core = repo_root / resources[CORE_LAYER]["Properties"]["ContentUri"] / "python"
    layered = _packages(core) | _packages(build_dir / DEPS_LAYER / "python")
    problems = [f"{logical_id} bundles {sorted(shadowing)}" for logical_id in function_sources
                if (shadowing := _packages(build_dir / logical_id) & layered)]
    assert not problems, "\n".join(problems)


def test_deps_layer_ships_powertools(build_dir: Path) -> None:
    assert (build_dir / DEPS_LAYER / "python" / "aws_lambda_powertools" / "__init__.py").is_file()


def test_deps_layer_is_built_for_the_functions_runtime(build_dir: Path, template_doc: dict[str, Any]) -> None:
    # Compiled wheels must match what the functions run on, or imports fail only once deployed.
    function_globals = template_doc["Globals"]["Function"]
    abi = function_globals["Runtime"].removeprefix("python").replace(".", "")
    platform = PLATFORM_TAGS[function_globals["Architectures"][0]]
    extensions = {path.name: found for path in (build_dir / DEPS_LAYER / "python").rglob("*.so")
                  if (found := EXTENSION_TAG.search(path.name))}
    assert extensions, "no version-tagged compiled extension in the deps layer (pydantic_core has one)"
    wrong = sorted(name for name, found in extensions.items()
                   if (found["abi"], found["platform"]) != (abi, platform))
    assert not wrong, f"not built for cpython-{abi} on {platform}: {wrong}"


@pytest.mark.parametrize(("layer", "module"), [(DEPS_LAYER, "aws_lambda_powertools/__init__.py"),
                                               (DEPS_LAYER, "pydantic/main.py"),
                                               (CORE_LAYER, "eckospace/http/resolver.py")])
def test_layers_ship_precompiled_bytecode(build_dir: Path, template_doc: dict[str, Any], layer: str, module: str) -> None:
    # Lambda cannot write __pycache__: without shipped bytecode every cold start compiles the sources.
    version = template_doc["Globals"]["Function"]["Runtime"].removeprefix("python").replace(".", "")
    source = build_dir / layer / "python" / module
    cached = source.parent / "__pycache__" / f"{source.stem}.cpython-{version}.pyc"
    assert source.is_file() and cached.is_file(), f"{cached} is missing"
