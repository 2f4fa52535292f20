"""Shared set-up for operator commands: reach the local stack's emulator when it is running and
nothing else was asked for, and make the core library and the local stack's tools importable."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "layers" / "core" / "python"))
sys.path.insert(0, str(ROOT / "infra" / "local"))


def use_local_stack_if_running() -> bool:
    """Point boto3 at the local stack's emulator unless told otherwise; True when it did (or when
    AWS_ENDPOINT_URL already names an emulator: resources then carry the local stack's names)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    if "AWS_ENDPOINT_URL" in os.environ:
        return True
    credentials = ROOT / ".eckospace" / "dev-credentials.json"
    if "AWS_PROFILE" in os.environ or not credentials.exists():
        return False
    endpoint = json.loads(credentials.read_text()).get("aws_endpoint_url")
    if not endpoint:
        return False
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    return True


def table_name(logical_id: str, env: str, *, local: bool) -> str:
    """A table's physical name: the local stack's naming, or the deployed stack's resource."""
    if local:
        return f"eckospace-local-{logical_id}"
    from eckospace import aws

    detail = aws.client("cloudformation").describe_stack_resource(
        StackName=f"eckospace-api-{env}", LogicalResourceId=logical_id
    )["StackResourceDetail"]
    return detail["PhysicalResourceId"]


def bucket_name(logical_id: str, env: str, *, local: bool) -> str:
    """A bucket's physical name: the local stack's naming (lower case), or the deployed stack's."""
    return table_name(logical_id, env, local=local).lower() if local else table_name(logical_id, env, local=False)


def secret_id(env: str) -> str:
    return f"eckospace/{env}/signing-keys"


def jwks_parameter(env: str) -> str:
    return f"/eckospace/{env}/jwks"
