"""Cursors through the local stack, over HTTP: the stack seeds the keys that sign them, and an
edited, forged or foreign cursor is a 400 problem on the wallet ledger and the webhook endpoint and
delivery listings (whose keys DynamoDB, and the stack's emulator, would otherwise refuse or page
from someone else's partition)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import uuid
from collections.abc import Iterator

import pytest
import requests

from eckospace import aws
from eckospace.cursors import CursorKeys, encode_cursor
from eckospace.identity import integrations
from eckospace.identity import settings as identity_settings
from eckospace.payments import ledger
from eckospace.payments import settings as payments_settings
from eckospace.webhooks import settings as webhooks_settings
from eckospace.webhooks import store as webhooks_store
from tests.support.local_stack import RunningStack
from tests.support.tokens import mint

SETTINGS = {
    payments_settings.WALLETS_TABLE.variable: "eckospace-local-WalletsTable",
    webhooks_settings.TABLE.variable: "eckospace-local-WebhooksTable",
    identity_settings.INTEGRATIONS_TABLE.variable: "eckospace-local-IntegrationsTable",
}


@contextlib.contextmanager
def writing_to(stack: RunningStack) -> Iterator[None]:
    """The library's own writes, made straight into the stack's tables."""
    saved = {name: os.environ.get(name) for name in SETTINGS}
    os.environ.update(SETTINGS)
    aws.use_client("dynamodb", stack.aws("dynamodb"))
    try:
        yield
    finally:
        aws.reset_clients()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def unpacked(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def packed(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def get(stack: RunningStack, api_key: str, token: str, path: str, **params) -> requests.Response:
    return requests.get(
        stack.url(path), params=params, timeout=30, headers={"x-api-key": api_key, "Authorization": f"Bearer {token}"}
    )


def assert_refused(answer: requests.Response, why: str) -> None:
    assert answer.status_code == 400, (why, answer.status_code, answer.text)
    assert answer.headers["Content-Type"].startswith("application/problem+json"), why
    assert "cursor" in answer.json()["detail"] and answer.json()["errors"][0]["name"] == "cursor", answer.json()


@pytest.fixture(scope="module")
def cursor_keys(stack: RunningStack) -> CursorKeys:
    document = stack.aws("secretsmanager").get_secret_value(SecretId="eckospace/dev/cursor-keys")["SecretString"]
    return CursorKeys.from_document(document)


def test_the_stack_seeds_cursor_keys_and_keeps_them(stack, cursor_keys):
    stored = json.loads((stack.state_dir / "state" / "secrets.json").read_text())
    assert stored["cursor_keys"] == cursor_keys.document()


def test_the_wallet_ledger_refuses_edited_and_foreign_cursors(stack, api_key, keyring, cursor_keys):
    owner, victim = f"user-{uuid.uuid4().hex[:8]}", f"user-{uuid.uuid4().hex[:8]}"
    with writing_to(stack):
        for user in (owner, victim):
            for n in range(3):
                ledger.apply(ledger.Effect(f"topup:e2e-cursor-{user}-{n}", "topup", user, 100, "eur", "stripe"))
    token, thief = (mint(keyring, ["wallet:read"], subject=s) for s in (owner, victim))
    first = get(stack, api_key, token, "/api/wallet/ledger", limit=1)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert get(stack, api_key, token, "/api/wallet/ledger", limit=1, cursor=cursor).status_code == 200
    key = unpacked(cursor)["k"]
    theirs = {**key, "pk": {"S": f"account#{ledger.wallet_account(victim, 'eur')}"}}
    assert_refused(
        get(stack, api_key, token, "/api/wallet/ledger", cursor=packed({**unpacked(cursor), "k": theirs})),
        "another user's ledger",
    )
    assert_refused(
        get(stack, api_key, token, "/api/wallet/ledger", cursor=packed({**unpacked(cursor), "k": {"pk": key["pk"]}})),
        "a key DynamoDB refuses",
    )
    assert_refused(get(stack, api_key, thief, "/api/wallet/ledger", cursor=cursor), "the owner's cursor, another user")
    assert_refused(
        get(stack, api_key, token, "/api/wallet/ledger", currency="usd", cursor=cursor), "another currency's"
    )
    forged = CursorKeys(active=cursor_keys.active, keys={cursor_keys.active: "guessed-" * 8})
    assert_refused(
        get(
            stack,
            api_key,
            token,
            "/api/wallet/ledger",
            cursor=encode_cursor(theirs, listing="wallet-ledger", scope=(owner, "eur"), keys=forged),
        ),
        "signed with a guessed key",
    )


def test_the_webhook_listings_refuse_edited_and_foreign_cursors(stack, api_key):
    with writing_to(stack):
        made = []
        for _ in range(2):
            integration, secret = integrations.register(
                name=f"Cursors {uuid.uuid4().hex[:6]}",
                allowed_scopes={"webhooks:read"},
                default_scopes={"webhooks:read"},
                tier="standard",
                api_key_id=None,
            )
            endpoints = []
            for n in range(3):
                endpoint = webhooks_store.Endpoint(
                    endpoint_id=f"ep_{uuid.uuid4().hex[:24]}",
                    owner=integration.client_id,
                    url=f"https://hooks.example.com/{n}",
                    event_types=("webhook.test",),
                    created=1,
                    updated=1,
                    version=1,
                )
                webhooks_store.save_endpoint(None, endpoint)
                endpoints.append(endpoint.endpoint_id)
            for n in range(3):
                event_id = f"evt_{uuid.uuid4().hex}"
                webhooks_store.put_delivery_if_new(
                    webhooks_store.Delivery(
                        delivery_id=webhooks_store.delivery_id(event_id, endpoints[0], 1_700_000_000 + n),
                        endpoint_id=endpoints[0],
                        owner=integration.client_id,
                        event_id=event_id,
                        event_type="webhook.test",
                        body="{}",
                        created=1_700_000_000 + n,
                    )
                )
            made.append((integration.client_id, secret, endpoints[0]))
    tokens = []
    for client_id, secret, _ in made:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        answer = requests.post(
            stack.url("/api/oauth/token"),
            timeout=30,
            data={"grant_type": "client_credentials", "scope": "webhooks:read"},
            headers={"x-api-key": api_key, "Authorization": f"Basic {basic}"},
        )
        assert answer.status_code == 200, answer.text
        tokens.append(answer.json()["access_token"])
    (owner, _, endpoint_id), (other, _, other_endpoint) = made
    mine, theirs = tokens
    for path, foreign in (
        ("/api/webhooks/endpoints", {"pk": {"S": f"owner#{other}"}}),
        (f"/api/webhooks/endpoints/{endpoint_id}/deliveries", {"pk": {"S": f"endpoint#{other_endpoint}"}}),
    ):
        first = get(stack, api_key, mine, path, limit=1)
        assert first.status_code == 200, first.text
        cursor = first.json()["next_cursor"]
        assert get(stack, api_key, mine, path, limit=1, cursor=cursor).status_code == 200
        edited = {**unpacked(cursor), "k": {**unpacked(cursor)["k"], **foreign}}
        assert_refused(get(stack, api_key, mine, path, cursor=packed(edited)), f"{path}: another owner's partition")
        assert_refused(
            get(stack, api_key, mine, path, cursor=packed({"s": "x", "k": unpacked(cursor)["k"]})),
            f"{path}: the unsigned shape",
        )
    cursor = get(stack, api_key, theirs, "/api/webhooks/endpoints", limit=1).json()["next_cursor"]
    assert_refused(get(stack, api_key, mine, "/api/webhooks/endpoints", cursor=cursor), "another integration's cursor")
    deliveries = f"/api/webhooks/endpoints/{endpoint_id}/deliveries"
    cursor = get(stack, api_key, mine, deliveries, limit=1).json()["next_cursor"]
    assert_refused(get(stack, api_key, mine, deliveries, status="failed", cursor=cursor), "another status filter's")
    assert_refused(get(stack, api_key, mine, "/api/webhooks/endpoints", cursor=cursor), "another listing's")
