"""Builds a layer of pinned third-party wheels for the functions' platform, for `sam build`.

Every layer Makefile that installs wheels calls this with its requirements file and ARTIFACTS_DIR.
It installs the wheels for arm64 and python3.13 (what template.yaml's Globals say) and precompiles
them, since Lambda cannot write bytecode caches and a layer shipped without them is compiled from
source on every cold start. Each module stack carries its own copy of the shared layers, so the same
requirements are asked for several times in one (parallel) build: the first build installs them
once into a staging directory, under a lock, and every build copies that.
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PLATFORM_ARGS = ["--implementation", "cp", "--python-version", "3.13"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requirements", type=Path, required=True)
    parser.add_argument("--target", type=Path, required=True, help="ARTIFACTS_DIR of sam build")
    parser.add_argument("--platform", action="append", default=[], help="pip --platform tags")
    parser.add_argument("--no-deps", action="store_true", help="the requirements list everything the layer adds")
    args = parser.parse_args()
    pip_args = [
        "--only-binary=:all:",
        *(f"--platform={tag}" for tag in args.platform),
        *PLATFORM_ARGS,
        *(["--no-deps"] if args.no_deps else []),
    ]
    key = hashlib.sha256("\n".join([args.requirements.read_text(), *pip_args]).encode()).hexdigest()[:16]
    stage_root = Path(tempfile.gettempdir()) / "eckospace-layers"
    stage_root.mkdir(parents=True, exist_ok=True)
    stage = stage_root / key
    with open(stage_root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stage.is_dir():
            building = stage_root / f"{key}.{os.getpid()}"
            shutil.rmtree(building, ignore_errors=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-compile",
                    *pip_args,
                    "--target",
                    str(building / "python"),
                    "-r",
                    str(args.requirements),
                ],
                check=True,
            )
            # Named as Lambda will see them, under /opt/python.
            if not compileall.compile_dir(
                building / "python",
                ddir="/opt/python",
                quiet=1,
                workers=0,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            ):
                return 1
            building.rename(stage)
    shutil.copytree(stage, args.target, dirs_exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
