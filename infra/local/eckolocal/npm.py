"""The local stack's own npm packages (`infra/local/oidc`, `infra/local/web`), installed on first use
with `npm ci` from their committed lockfiles."""

from __future__ import annotations

import subprocess
from pathlib import Path

NPM_CI = ["npm", "ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]


class NpmError(RuntimeError):
    """npm is missing, or `npm ci` failed."""


def ensure_installed(package_dir: Path, purpose: str) -> None:
    """`npm ci` in `package_dir` when its node_modules is missing or older than its lockfile;
    `purpose` names what the package is for in the error raised when npm is missing."""
    installed = package_dir / "node_modules" / ".package-lock.json"  # npm writes it after a complete install
    lockfile = package_dir / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lockfile.stat().st_mtime:
        return
    try:
        result = subprocess.run(NPM_CI, cwd=package_dir, capture_output=True, text=True, timeout=300)
    except FileNotFoundError as error:
        raise NpmError(f"npm is needed to install {purpose} (Node.js 20 or later)") from error
    if result.returncode != 0:
        raise NpmError(f"npm ci failed in {package_dir}:\n{result.stdout}{result.stderr}")
