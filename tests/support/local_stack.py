"""Start and stop the real local stack (`python -m eckolocal`) for end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests

from eckolocal.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def only_modules(*modules: str) -> dict[str, str]:
    """Parameter overrides that switch off every module of template.yaml but `modules` (by name,
    e.g. "Translations"): a test that needs a few starts a stack with less to create, in seconds."""
    switches = [name for name in load_yaml(ROOT / "template.yaml")["Parameters"] if name.startswith("Enable")]
    wanted = {f"Enable{module}" for module in modules}
    assert wanted <= set(switches), f"no such module: {sorted(wanted - set(switches))}"
    return {switch: str(switch in wanted).lower() for switch in switches}


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    port: int
    state_dir: Path
    log_path: Path

    @property
    def credentials(self) -> dict[str, Any]:
        return json.loads((self.state_dir / "dev-credentials.json").read_text())

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def aws(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.credentials["aws_endpoint_url"],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_stack(
    state_dir: Path,
    *,
    fresh: bool = True,
    template: Path | None = None,
    overrides: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    port: int | None = None,
) -> RunningStack:
    port = port or free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    credentials = state_dir / "dev-credentials.json"
    credentials.unlink(missing_ok=True)
    command = [sys.executable, "-m", "eckolocal", "--port", str(port), "--state-dir", str(state_dir)]
    if fresh:
        command.append("--fresh")
    if template:
        command += ["--template", str(template)]
    if overrides:
        command += ["--parameter-overrides", *(f"{k}={v}" for k, v in overrides.items())]
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    child_env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "infra" / "local"), str(ROOT / "layers" / "core" / "python")])
    child_env.update(env or {})
    log_path = state_dir / "stack.log"
    with open(log_path, "wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, env=child_env)
    stack = RunningStack(process, port, state_dir, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local stack exited with {process.returncode}:\n{stack.log()[-4000:]}")
        if credentials.exists():
            try:
                if requests.get(stack.url("/_local/health"), timeout=2).status_code == 200:
                    return stack
            except requests.ConnectionError:
                pass
        time.sleep(0.2)
    stack.stop()
    raise RuntimeError(f"local stack did not start within {timeout:.0f} s:\n{stack.log()[-4000:]}")
