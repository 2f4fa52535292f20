"""Outgoing webhooks through the local stack, over HTTP: an integration registers an endpoint on a
loopback receiver (this deployment allows loopback targets), and test events and domain events
arrive signed, verified by `standardwebhooks`; another integration sees none of it."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from urllib.parse import urlsplit

import pytest
import requests
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from eckospace import aws
from eckospace.identity import integrations, settings
from tests.support import openapi_contract
from tests.support.local_stack import RunningStack
from tests.support.webhook_receiver import Answer, Receiver

SCOPES = "webhooks:read webhooks:write wallet:read"
EP = "/api/webhooks/endpoints"


def client_token(stack: RunningStack, api_key: str, client_id: str, secret: str, scope: str = SCOPES) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = requests.post(
        stack.url("/api/oauth/token"),
        timeout=30,
        data={"grant_type": "client_credentials", "scope": scope},
        headers={"x-api-key": api_key, "Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def second_integration(stack: RunningStack) -> tuple[str, str]:
    saved = os.environ.get(settings.INTEGRATIONS_TABLE.variable)
    os.environ[settings.INTEGRATIONS_TABLE.variable] = "eckospace-local-IntegrationsTable"
    aws.use_client("dynamodb", stack.aws("dynamodb"))
    try:
        integration, secret = integrations.register(
            name=f"Other {uuid.uuid4().hex[:6]}",
            allowed_scopes=set(SCOPES.split()),
            default_scopes={"webhooks:read"},
            tier="standard",
            api_key_id=None,
        )
    finally:
        aws.reset_clients()
        if saved is None:
            os.environ.pop(settings.INTEGRATIONS_TABLE.variable, None)
        else:
            os.environ[settings.INTEGRATIONS_TABLE.variable] = saved
    return integration.client_id, secret


class Api:
    def __init__(self, stack: RunningStack, api_key: str, token: str) -> None:
        self.stack, self.headers = stack, {"x-api-key": api_key, "Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, body=None, **params) -> requests.Response:
        return requests.request(
            method, self.stack.url(path), json=body, params=params or None, headers=self.headers, timeout=30
        )


def wait_for_log(api: Api, endpoint_id: str, count: int, timeout: float = 60.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliveries = api("GET", f"{EP}/{endpoint_id}/deliveries").json()["data"]
        if len([d for d in deliveries if d["status"] == "succeeded"]) >= count:
            return deliveries
        time.sleep(0.3)
    raise AssertionError(f"the delivery log never showed {count} successes: {deliveries}")


def test_a_registered_endpoint_receives_signed_test_and_domain_events(stack, api_key, second_integration):
    owner = Api(
        stack, api_key, client_token(stack, api_key, stack.credentials["client_id"], stack.credentials["client_secret"])
    )
    with Receiver() as receiver:
        created = owner(
            "POST", EP, {"url": receiver.url, "event_types": ["wallet.credited"], "description": "end to end"}
        )
        assert created.status_code == 201, created.text
        endpoint = openapi_contract.check("POST", EP, 201, created.headers["Content-Type"], created.content)
        assert endpoint["secret"].startswith("whsec_")
        tested = owner("POST", f"{EP}/{endpoint['id']}/test")
        assert tested.status_code == 202
        [test_delivery] = receiver.wait_for(1)
        payload = Webhook(endpoint["secret"]).verify(test_delivery.body, test_delivery.headers)
        assert payload["type"] == "webhook.test" and test_delivery.headers["webhook-id"] == tested.json()["delivery_id"]

        event_id = f"evt_{uuid.uuid4().hex}"
        sqs = stack.aws("sqs")
        sqs.send_message(
            QueueUrl=sqs.get_queue_url(QueueName="eckospace-local-WebhookEventsQueue")["QueueUrl"],
            MessageBody=json.dumps(
                {
                    "id": event_id,
                    "type": "wallet.credited",
                    "created": int(time.time()),
                    "subject": "dev-user",
                    "data": {"amount": 1500, "currency": "eur", "effect_id": "topup:e2e"},
                }
            ),
        )
        received = receiver.wait_for(2)
        credited = Webhook(endpoint["secret"]).verify(received[1].body, received[1].headers)
        assert credited["id"] == event_id and credited["data"]["amount"] == 1500
        with pytest.raises(WebhookVerificationError):
            Webhook(endpoint["secret"]).verify(received[1].body + b" ", received[1].headers)
        assert [openapi_contract.check_webhook(got.body)["type"] for got in received] == [
            "webhook.test",
            "wallet.credited",
        ]

        deliveries = wait_for_log(owner, endpoint["id"], 2)
        log = owner("GET", f"{EP}/{endpoint['id']}/deliveries")
        openapi_contract.check(
            "GET", log.request.path_url.split("?")[0], log.status_code, log.headers["Content-Type"], log.content
        )
        assert {d["event_type"] for d in deliveries} == {"webhook.test", "wallet.credited"}
        assert all(d["attempts"][0]["status_code"] == 200 for d in deliveries)
        assert endpoint["secret"] not in json.dumps(deliveries)

        other = Api(stack, api_key, client_token(stack, api_key, *second_integration))
        assert other("GET", EP).json() == {"data": [], "next_cursor": None}
        for method, path in (
            ("GET", f"{EP}/{endpoint['id']}"),
            ("GET", f"{EP}/{endpoint['id']}/deliveries"),
            ("POST", f"{EP}/{endpoint['id']}/deliveries/{deliveries[0]['id']}/redeliver"),
            ("DELETE", f"{EP}/{endpoint['id']}"),
        ):
            answer = other(method, path)
            assert answer.status_code == 404, (method, path, answer.text)
            assert answer.headers["Content-Type"] == "application/problem+json"
        assert owner("DELETE", f"{EP}/{endpoint['id']}").status_code == 204
        assert len(receiver.received) == 2


def test_private_targets_are_refused_over_http(stack, api_key):
    owner = Api(
        stack, api_key, client_token(stack, api_key, stack.credentials["client_id"], stack.credentials["client_secret"])
    )
    for url in (
        "http://hooks.example.com/in",
        "https://10.0.0.1/in",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/in",
    ):
        answer = owner("POST", EP, {"url": url, "event_types": ["wallet.credited"]})
        assert answer.status_code == 422 and answer.json()["errors"][0]["name"] == "url", (url, answer.text)


def test_the_stacks_own_services_are_refused_as_targets(stack, api_key):
    """Loopback receivers are allowed here, but not the AWS emulator, the gateway or the Stripe
    emulator: one test delivery to the emulator could reset every table and queue."""
    owner = Api(
        stack, api_key, client_token(stack, api_key, stack.credentials["client_id"], stack.credentials["client_secret"])
    )
    credentials = stack.credentials
    own = {name: urlsplit(credentials[name]).port for name in ("aws_endpoint_url", "api_url", "stripe_api_base")}
    assert own["aws_endpoint_url"] and own["api_url"] == stack.port and own["stripe_api_base"]
    for name, port in own.items():
        for url in (f"http://127.0.0.1:{port}/moto-api/reset", f"http://localhost:{port}/", f"http://[::1]:{port}/"):
            answer = owner("POST", EP, {"url": url, "event_types": ["wallet.credited"]})
            assert answer.status_code == 422, (name, url, answer.text)
            assert answer.json()["errors"][0]["name"] == "url" and "own services" in answer.json()["detail"]
    with Receiver() as receiver:
        endpoint = owner("POST", EP, {"url": receiver.url, "event_types": ["wallet.credited"]})
        assert endpoint.status_code == 201, endpoint.text  # any other loopback port is fine
        moved = owner(
            "PATCH",
            f"{EP}/{endpoint.json()['id']}",
            {"url": f"http://127.0.0.1:{own['aws_endpoint_url']}/moto-api/reset"},
        )
        assert moved.status_code == 422, moved.text
        assert owner("DELETE", f"{EP}/{endpoint.json()['id']}").status_code == 204


def test_a_failed_attempt_is_retried_through_the_queue_and_succeeds(stack, api_key):
    """Svix's schedule through the real local stack: 500, then the retry five seconds later gets 200."""
    owner = Api(
        stack, api_key, client_token(stack, api_key, stack.credentials["client_id"], stack.credentials["client_secret"])
    )
    with Receiver(Answer(500), Answer(200)) as receiver:
        endpoint = owner("POST", EP, {"url": receiver.url, "event_types": ["wallet.credited"]}).json()
        assert owner("POST", f"{EP}/{endpoint['id']}/test").status_code == 202
        first, second = receiver.wait_for(2, timeout=60)
        [delivery] = wait_for_log(owner, endpoint["id"], 1)
        owner("DELETE", f"{EP}/{endpoint['id']}")
    assert second.at - first.at >= 4.5
    assert first.headers["webhook-id"] == second.headers["webhook-id"]  # the same delivery, retried
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 200]
    Webhook(endpoint["secret"]).verify(second.body, second.headers)
