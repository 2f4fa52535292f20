"""Handlers run in-process against the AWS emulator over real HTTP (moto server on loopback),
with the template's own resources created in it."""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from eckolocal.provision import provision
from eckolocal.stack import Emulator, free_port, seed_keys, seed_translations
from eckolocal.template import FunctionSpec, Template
from eckospace import aws
from eckospace.config import forget_settings

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "events"


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    # The local stack's own emulator: moto, with DynamoDB served one request at a time (moto alone
    # can lose concurrent transactional writes) and DynamoDB's and S3's checks moto lacks.
    server = Emulator(free_port())
    server.start(tmp_path_factory.mktemp("emulator") / "emulator.log")
    port = server.port
    saved = dict(os.environ)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    session = boto3.session.Session(region_name="us-east-1")
    template = Template(ROOT / "template.yaml")
    provision(template, session)
    seed_translations(template, session, ROOT / "infra" / "seed")
    stored: dict[str, Any] = {}
    ring = seed_keys(template, session, stored)
    try:
        yield {"template": template, "session": session, "ring": ring}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


@pytest.fixture
def function_env(backend, monkeypatch):
    """Apply a function's template environment; fresh clients and settings for each test."""
    functions = backend["template"].functions()

    def apply(logical_id: str) -> None:
        for key, value in functions[logical_id].environment.items():
            monkeypatch.setenv(key, value)
        aws.reset_clients()
        forget_settings()

    yield apply
    aws.reset_clients()
    forget_settings()


def load_function(directory: str) -> ModuleType:
    """Each function is its own `app` module; load it under a unique name."""
    path = ROOT / "functions" / directory / "app.py"
    spec = importlib.util.spec_from_file_location(f"function_{directory}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves a model's annotations through its module
    spec.loader.exec_module(module)
    return module


def module_handlers(function_env: Any, functions: dict[str, str], loaded: dict[str, Any]) -> dict[str, Any]:
    """The handlers of `functions` (logical id -> directory) by directory, each function's template
    environment applied; `loaded` keeps them for the test module, so each is imported once."""
    for logical_id in functions:
        function_env(logical_id)
    if not loaded:
        loaded.update({directory: load_function(directory).lambda_handler for directory in functions.values()})
    return loaded


@functools.cache
def _functions() -> dict[str, FunctionSpec]:
    """Every function of the templates (with their defaults), read once for all test modules."""
    return Template(ROOT / "template.yaml").functions()


def module_functions(*modules: str) -> dict[str, str]:
    """Logical id -> function directory of every function of these modules, as the templates say."""
    return {logical_id: spec.code_dir.name for logical_id, spec in _functions().items() if spec.module in modules}


def event(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))


class CallCounter:
    """Counts AWS API calls made through a boto3 client (botocore event hooks)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-call.*.*", self._count)
        return client

    def _count(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)


def sqs_event(*bodies: dict) -> dict:
    """An SQS batch event, one record per body (JSON-encoded)."""
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": "r",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:queue",
            }
            for i, body in enumerate(bodies)
        ]
    }
