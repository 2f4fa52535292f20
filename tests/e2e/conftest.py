from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pusher
import pytest

from tests.support.local_stack import RunningStack, start_stack
from tests.support.tokens import stack_keyring

# Small plans so throttles and quotas can be reached in a test (the standard plan, the demo key's,
# keeps its defaults), and a one-second authorizer cache so revocations show within a test.
TEST_PLAN_OVERRIDES = {
    "FreeRateLimit": "1",
    "FreeBurstLimit": "2",
    "FreeQuotaPerDay": "1000",
    "PartnerRateLimit": "100",
    "PartnerBurstLimit": "100",
    "PartnerQuotaPerMonth": "3",
    "AuthorizerCacheSeconds": "1",
    "WebhooksAllowLoopbackTargets": "true",  # the tests' receivers listen on loopback
}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("stack"), overrides=TEST_PLAN_OVERRIDES)
    yield running
    assert running.stop() == 0, running.log()[-3000:]


@pytest.fixture(scope="session")
def keyring(stack: RunningStack):
    return stack_keyring(stack.aws("secretsmanager"))


@pytest.fixture(scope="session")
def api_key(stack: RunningStack) -> str:
    return stack.credentials["api_key"]


@pytest.fixture(scope="session")
def realtime(stack: RunningStack) -> dict[str, Any]:
    """The realtime entry of the stack's credentials file."""
    found = stack.credentials.get("realtime")
    assert found, "the credentials file has a realtime entry when the module is on"
    return found


@pytest.fixture(scope="session")
def server(realtime: dict[str, Any], stack: RunningStack) -> pusher.Pusher:
    """The official Python server library, pointed at the local events API."""
    return pusher.Pusher(
        app_id=realtime["app_id"],
        key=realtime["key"],
        secret=realtime["secret"],
        host="127.0.0.1",
        port=stack.port,
        ssl=False,
    )
