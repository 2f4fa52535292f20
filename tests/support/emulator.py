"""The local stack's AWS emulator (`python -m eckolocal.emulator`) run by a test, over HTTP."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import boto3

from eckolocal.stack import Emulator, free_port

ROOT = Path(__file__).resolve().parents[2]


class Session:
    """What provisioning needs of a boto3 session, pointed at one endpoint."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    @functools.cache  # noqa: B019 - a client per service and options, kept as long as the session
    def client(self, service: str, **options: Any) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            **options,
        )


def start_emulator(log_file: Path, emulator: Emulator | None = None) -> Emulator:
    """Start an emulator (on a free port, or `emulator` again on its own) able to import the stack."""
    running = emulator or Emulator(free_port())
    paths = [str(ROOT / "infra" / "local"), str(ROOT / "layers" / "core" / "python")]
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(paths + ([saved] if saved else []))
    try:
        running.start(log_file)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = saved
    return running
