"""A Python like Lambda's, for measuring functions as they will run: the interpreter with only what
the python3.13 runtime provides (boto3), and per function exactly what its layers ship, installed
for this machine from the same requirements files. The development environment's extras (aiohttp,
which Stripe's library would pick up, for one) are not there.

Built once into bench/.runtime and bench/.layers (ignored by git), again when a pin changes.
"""

from __future__ import annotations

import compileall
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

from eckolocal.template import FunctionSpec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNTIME_DIR = HERE / ".runtime"
LAYERS_DIR = HERE / ".layers"
DEV_LOCK = ROOT / "requirements" / "dev.lock"
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")


def _pins(names: tuple[str, ...]) -> list[str]:
    """The dev lock's pins of the packages the Lambda runtime brings."""
    wanted = {name.lower() for name in names}
    return [
        line
        for line in DEV_LOCK.read_text().splitlines()
        if line.split("==")[0].strip().lower().replace("_", "-") in wanted
    ]


def _pip(python: Path, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args], check=True)


def runtime_python() -> Path:
    """A virtual environment holding only what the runtime provides."""
    python = RUNTIME_DIR / "bin" / "python"
    pins = _pins(RUNTIME_PACKAGES)
    stamp = RUNTIME_DIR / ".pins"
    if not python.exists() or not stamp.exists() or stamp.read_text() != "\n".join(pins):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(RUNTIME_DIR)], check=True)
        _pip(python, *pins)
        stamp.write_text("\n".join(pins))
    return python


def _digest(directory: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        sha.update(path.relative_to(directory).as_posix().encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


def layer_site(content_dir: Path) -> Path:
    """What a layer ships, importable here and precompiled as the built layer is: its `python/`
    directory when it has one (the core layer), else its requirements installed for this machine
    as its Makefile installs them."""
    own_code = content_dir / "python"
    if own_code.is_dir():
        site = LAYERS_DIR / f"{content_dir.name}-{_digest(own_code)}"
        if not site.is_dir():
            building = site.with_suffix(".building")
            shutil.rmtree(building, ignore_errors=True)
            shutil.copytree(own_code, building, ignore=shutil.ignore_patterns("__pycache__"))
            compileall.compile_dir(building, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            building.rename(site)
        return site
    requirements = (content_dir / "requirements.txt").read_text()
    no_deps = "--no-deps" in (content_dir / "Makefile").read_text()
    key = hashlib.sha256(f"{requirements}{no_deps}".encode()).hexdigest()[:12]
    site = LAYERS_DIR / f"{content_dir.name}-{key}"
    if not site.is_dir():
        building = site.with_suffix(".building")
        shutil.rmtree(building, ignore_errors=True)
        _pip(
            Path(sys.executable),
            *(["--no-deps"] if no_deps else []),
            "--target",
            str(building),
            "-r",
            str(content_dir / "requirements.txt"),
        )
        building.rename(site)
    return site


def lambda_like_environment(spec: FunctionSpec, env: dict[str, str]) -> dict[str, str]:
    """`env` (a function's sandbox environment) with its layers' packages in place of the
    development environment's."""
    runtime_dir = str(ROOT / "infra" / "local")  # eckolocal.runtime's LambdaContext, for the first call
    layers = [str(layer_site(layer.parent)) for layer in spec.layer_dirs]
    paths = [str(spec.code_dir), *layers, runtime_dir]
    return {**env, "PYTHONPATH": os.pathsep.join(paths), "PYTHONNOUSERSITE": "1"}
