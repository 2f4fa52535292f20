"""`sam build` packages every function on its own, in the root stack or a module stack, and the
layers for the Lambda runtime, without Docker. Built once for the module, in a temporary directory
(never the repo's .aws-sam)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

RunSam = Callable[..., subprocess.CompletedProcess[str]]

DEPS_LAYER = "DepsLayer"
CORE_LAYER = "CoreLayer"
STRIPE_LAYER = "StripeLayer"
MEDIA_LAYER = "MediaLayer"
SEARCH_LAYER = "SearchLayer"
MODULE_LAYERS = (STRIPE_LAYER, MEDIA_LAYER, SEARCH_LAYER)  # layers of one module's own, beside the shared ones
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


@dataclass(frozen=True)
class Built:
    source: Path  # the function's code in the repository
    artifact: Path  # where sam build put it
    layers: tuple[Path, ...]  # the built layers it runs with


def _built_functions(stack_docs: dict[str, dict[str, Any]], repo_root: Path, build_dir: Path) -> dict[str, Built]:
    """Every function of every stack, with where `sam build` puts it: `<Fn>/` for the root's,
    `<Module>/<Fn>/` for a module stack's (its layers likewise)."""
    root = stack_docs["template.yaml"]
    build_of = {"template.yaml": build_dir}
    for logical_id, resource in root["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Application":
            build_of[f"{resource['Properties']['Location']}"] = build_dir / logical_id
    found = {}
    for name, doc in stack_docs.items():
        layers = doc.get("Globals", {}).get("Function", {}).get("Layers", [])
        for logical_id, resource in doc["Resources"].items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            props = resource["Properties"]
            refs = [layer["Ref"] for layer in [*layers, *props.get("Layers", [])]]
            found[logical_id] = Built(
                source=(repo_root / Path(name).parent / props["CodeUri"]).resolve(),
                artifact=build_of[name] / logical_id,
                layers=tuple(build_of[name] / ref for ref in refs),
            )
    return found


@pytest.fixture(scope="module")
def built(stack_docs: dict[str, dict[str, Any]], repo_root: Path, build_dir: Path) -> dict[str, Built]:
    found = _built_functions(stack_docs, repo_root, build_dir)
    assert len(found) >= 50, "the templates declare fewer functions than they did"
    return found


@pytest.fixture(scope="module")
def function_sources(built: dict[str, Built]) -> dict[str, Path]:
    return {logical_id: function.source for logical_id, function in built.items()}


def _digests(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under root, bytecode caches left out."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _packages(root: Path) -> set[str]:
    return {
        entry.name
        for entry in root.iterdir()
        if entry.is_dir() and not entry.name.endswith((".dist-info", ".data")) and entry.name != "__pycache__"
    }


def test_every_function_has_its_own_artifact(built: dict[str, Built]) -> None:
    missing = [logical_id for logical_id, function in built.items() if not (function.artifact / "app.py").is_file()]
    assert not missing, f"no built artifact with an app.py for: {missing}"


def test_artifacts_hold_their_own_code(built: dict[str, Built], function_sources: dict[str, Path]) -> None:
    problems = []
    for logical_id, source in function_sources.items():
        artifact = _digests(built[logical_id].artifact)
        stale = [path for path, digest in _digests(source).items() if artifact.get(path) != digest]
        if stale:
            problems.append(f"{logical_id}: missing or different from {source.name}/: {stale}")
    assert not problems, "\n".join(problems)


def test_artifacts_hold_no_other_functions_code(built: dict[str, Built], function_sources: dict[str, Path]) -> None:
    # An empty file (an __init__.py, say) is no leak; any other file two functions share is code
    # that belongs in the core layer.
    sources = {
        logical_id: set(_digests(path).values()) - {EMPTY_DIGEST} for logical_id, path in function_sources.items()
    }
    problems = []
    for logical_id in function_sources:
        foreign = set().union(*(digests for other, digests in sources.items() if other != logical_id))
        leaked = [path for path, digest in _digests(built[logical_id].artifact).items() if digest in foreign]
        if leaked:
            problems.append(f"{logical_id} carries another function's files: {leaked}")
    assert not problems, "\n".join(problems)


def test_functions_leave_layer_packages_to_the_layers(built: dict[str, Built]) -> None:
    # A copy in the function's own bundle would shadow the layer's (/var/task precedes /opt/python).
    problems = []
    for logical_id, function in built.items():
        layered = set().union(*(_packages(layer / "python") for layer in function.layers))
        if shadowing := _packages(function.artifact) & layered:
            problems.append(f"{logical_id} bundles {sorted(shadowing)}")
    assert not problems, "\n".join(problems)


def _size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def test_functions_ship_only_what_they_import(built: dict[str, Built]) -> None:
    """Stripe's library (about 30 MB) goes only to the payments functions that call Stripe, pypdf and
    Pillow only to the media worker, tantivy only to the listing and job searches and their indexer; every
    function with just the shared layers ships at most 40 MiB, its code and its layers unzipped."""
    extra = {
        lid: sorted(layer.name for layer in function.layers if layer.name.endswith(MODULE_LAYERS))
        for lid, function in built.items()
    }
    assert {lid: layers for lid, layers in extra.items() if layers} == {
        "PaymentsStripeWebhookFunction": [STRIPE_LAYER],
        "PaymentsWorkerFunction": [STRIPE_LAYER],
        "WalletTopupCreateFunction": [STRIPE_LAYER],
        "MediaWorkerFunction": [MEDIA_LAYER],
        "MarketplaceListingSearchFunction": [SEARCH_LAYER],
        "MarketplaceSearchIndexerFunction": [SEARCH_LAYER],
        "JobsJobSearchFunction": [f"Jobs{SEARCH_LAYER}"],  # the jobs stack's own copy
    }
    sizes = {
        lid: _size(function.artifact) + sum(_size(layer) for layer in function.layers)
        for lid, function in built.items()
        if not extra[lid]
    }
    too_big = {lid: f"{size / 2**20:.1f} MiB" for lid, size in sizes.items() if size > 40 * 2**20}
    assert not too_big, f"over 40 MiB with their layers: {too_big}"
    assert not [
        lid
        for lid, function in built.items()
        if STRIPE_LAYER not in extra[lid] and any((layer / "python" / "stripe").exists() for layer in function.layers)
    ]


def test_deps_layer_ships_powertools(build_dir: Path) -> None:
    assert (build_dir / DEPS_LAYER / "python" / "aws_lambda_powertools" / "__init__.py").is_file()


def test_deps_layer_is_built_for_the_functions_runtime(build_dir: Path, template_doc: dict[str, Any]) -> None:
    # Compiled wheels must match what the functions run on, or imports fail only once deployed.
    function_globals = template_doc["Globals"]["Function"]
    abi = function_globals["Runtime"].removeprefix("python").replace(".", "")
    platform = PLATFORM_TAGS[function_globals["Architectures"][0]]
    extensions = {
        path.name: found
        for path in (build_dir / DEPS_LAYER / "python").rglob("*.so")
        if (found := EXTENSION_TAG.search(path.name))
    }
    assert extensions, "no version-tagged compiled extension in the deps layer (pydantic_core has one)"
    wrong = sorted(name for name, found in extensions.items() if (found["abi"], found["platform"]) != (abi, platform))
    assert not wrong, f"not built for cpython-{abi} on {platform}: {wrong}"


@pytest.mark.parametrize(
    ("layer", "module"),
    [
        (DEPS_LAYER, "aws_lambda_powertools/__init__.py"),
        (DEPS_LAYER, "pydantic/main.py"),
        (CORE_LAYER, "eckospace/http/resolver.py"),
    ],
)
def test_layers_ship_precompiled_bytecode(
    build_dir: Path, template_doc: dict[str, Any], layer: str, module: str
) -> None:
    # Lambda cannot write __pycache__: without shipped bytecode every cold start compiles the sources.
    version = template_doc["Globals"]["Function"]["Runtime"].removeprefix("python").replace(".", "")
    source = build_dir / layer / "python" / module
    cached = source.parent / "__pycache__" / f"{source.stem}.cpython-{version}.pyc"
    assert source.is_file() and cached.is_file(), f"{cached} is missing"
