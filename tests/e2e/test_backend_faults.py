"""Faults in the AWS backend, tried from outside: a hung backend gets a 503 with Retry-After within
the function's time limit, never a gateway timeout; a backend that went away gets problem+json 503s
until the local stack has started it again, and then the API answers as before."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.local_stack import RunningStack, only_modules, start_stack
from tests.support.tokens import mint, stack_keyring

FUNCTION_TIMEOUT_SECONDS = 10  # Globals.Function.Timeout: what API Gateway would wait for
AUTHORIZER_TIMEOUT_SECONDS = 5


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # The wallet's module alone: the gateway and the emulator's supervisor treat every module
    # alike, and a restarted emulator has only its resources to get back.
    running = start_stack(tmp_path_factory.mktemp("faults"), overrides=only_modules("Payments"))
    yield running
    running.stop()


def _emulator_pid(stack: RunningStack) -> int:
    """The stack's AWS emulator process, found by its command line."""
    port = stack.credentials["aws_endpoint_url"].rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"eckolocal.emulator" in command and port.encode() in command:
                return int(entry.name)
    raise AssertionError("the stack's AWS emulator process is not running")


def _wallet(stack: RunningStack, token: str) -> requests.Response:
    return requests.get(
        stack.url("/api/wallet"),
        timeout=60,
        headers={"x-api-key": stack.credentials["api_key"], "Authorization": f"Bearer {token}"},
    )


def _assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["status"] == 503  # the body agrees with the status line


def test_a_hung_backend_is_a_503_in_time_not_a_gateway_timeout(stack: RunningStack) -> None:
    token = stack.credentials["token"]
    assert _wallet(stack, token).status_code == 200  # warm: the token's authorization is cached
    fresh_token = mint(stack_keyring(stack.aws("secretsmanager")), ["wallet:read"], subject="dev-user")
    pid = _emulator_pid(stack)
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        _assert_unavailable(_wallet(stack, token))
        assert time.monotonic() - started < FUNCTION_TIMEOUT_SECONDS
        # A token the authorizer has not seen: it cannot check revocations, and says so in time.
        started = time.monotonic()
        _assert_unavailable(_wallet(stack, fresh_token))
        assert time.monotonic() - started < AUTHORIZER_TIMEOUT_SECONDS
    finally:
        os.kill(pid, signal.SIGCONT)
    assert _wallet(stack, token).status_code == 200


def test_an_emulator_that_died_is_restarted_and_requests_meanwhile_get_503s(stack: RunningStack) -> None:
    token = stack.credentials["token"]
    assert _wallet(stack, token).status_code == 200
    os.kill(_emulator_pid(stack), signal.SIGKILL)
    answers = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = _wallet(stack, token)
        answers.append(response.status_code)
        if response.status_code == 200:
            break
        _assert_unavailable(response)
        time.sleep(0.2)
    assert answers[-1] == 200, f"the API did not come back: {answers}"
    assert "restarting it" in stack.log() and _emulator_pid(stack)
