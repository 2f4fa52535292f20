"""Shared set-up for operator commands: reach the local stack's emulator when it is running and
nothing else was asked for, and make the core library importable."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "layers" / "core" / "python"))


def use_local_stack_if_running() -> None:
    credentials = ROOT / ".eckospace" / "dev-credentials.json"
    if "AWS_ENDPOINT_URL" in os.environ or "AWS_PROFILE" in os.environ or not credentials.exists():
        return
    endpoint = json.loads(credentials.read_text()).get("aws_endpoint_url")
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def secret_id(env: str) -> str:
    return f"eckospace/{env}/signing-keys"


def jwks_parameter(env: str) -> str:
    return f"/eckospace/{env}/jwks"
