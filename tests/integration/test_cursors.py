"""Every listing's cursors, through its handler, against the emulator: a cursor edited, forged with a
guessed key, hand-made in the old unsigned shape, expired, or issued to another listing or caller
is a 400 problem on every listing (never a DynamoDB error), and the keys rotate without breaking
the cursors already handed out."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eckospace import aws, cursors, keyrings
from eckospace.cursors import CURSOR_SECONDS, CursorKeys, encode_cursor
from eckospace.payments import ledger
from eckospace.webhooks import store as webhooks_store
from tests.integration.conftest import module_handlers
from tests.support.lambda_proxy import invoke

FUNCTIONS = {
    "WalletLedgerListFunction": "wallet_ledger_list",
    "WebhooksEndpointListFunction": "webhooks_endpoint_list",
    "WebhooksDeliveryListFunction": "webhooks_delivery_list",
    "PostsCreateFunction": "posts_create",
    "PostsFeedFunction": "posts_feed",
    "PostsHashtagListFunction": "posts_hashtag_list",
    "PostsUserListFunction": "posts_user_list",
    "PostsBookmarkPutFunction": "posts_bookmark_put",
    "PostsBookmarksListFunction": "posts_bookmarks_list",
    "PostsReportCreateFunction": "posts_report_create",
    "PostsModerationReportsListFunction": "posts_moderation_reports_list",
}
_handlers: dict[str, Any] = {}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api(function_env):
    keyrings._provider.cache_clear()
    yield module_handlers(function_env, FUNCTIONS, _handlers)
    keyrings._provider.cache_clear()  # its client belongs to this test


def call(
    function: str, method: str, path: str, authorizer: dict[str, str], *, query: dict | None = None, body: Any = None
):
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, query=query, body=body)
    return answer.status, answer.body, answer.headers


def user(sub: str, scopes: str) -> dict[str, str]:
    return {"sub": sub, "scope": scopes, "token_use": "user"}


def integration(client: str) -> dict[str, str]:
    return {"sub": client, "client_id": client, "scope": "webhooks:read webhooks:write", "token_use": "client"}


def unpacked(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def packed(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# ---------------------------------------------------------------------------- the listings
class Listing:
    """One listing as its caller sees it: the first page, and any page after a cursor."""

    def __init__(
        self,
        function: str,
        path: str,
        who: dict[str, str],
        *,
        query: dict | None = None,
        listing: str,
        scope: Any,
        foreign: Callable[[dict], dict],
    ) -> None:
        self.function, self.path, self.who, self.query = function, path, who, query or {}
        self.listing, self.scope, self.foreign = listing, scope, foreign

    def page(self, cursor: str | None = None, *, who: dict[str, str] | None = None, limit: int = 1):
        query = {**self.query, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        return call(self.function, "GET", self.path, who or self.who, query=query)


def wallet_ledger() -> Listing:
    owner = f"u-{uuid.uuid4().hex[:8]}"
    for n in range(3):
        ledger.apply(ledger.Effect(f"topup:cursor-{owner}-{n}", "topup", owner, 100, "eur", "stripe"))
    return Listing(
        "wallet_ledger_list",
        "/api/wallet/ledger",
        user(owner, "wallet:read"),
        query={"currency": "eur"},
        listing="wallet-ledger",
        scope=(owner, "eur"),
        foreign=lambda k: {**k, "pk": {"S": f"account#{ledger.wallet_account('victim', 'eur')}"}},
    )


def _endpoints(owner: str, count: int) -> list[str]:
    made = []
    for n in range(count):
        endpoint = webhooks_store.Endpoint(
            endpoint_id=f"ep_{uuid.uuid4().hex[:24]}",
            owner=owner,
            url=f"https://hooks.example.com/{n}",
            event_types=("webhook.test",),
            created=1,
            updated=1,
            version=1,
        )
        webhooks_store.save_endpoint(None, endpoint)
        made.append(endpoint.endpoint_id)
    return made


def webhook_endpoints() -> Listing:
    owner = f"ekc_{uuid.uuid4().hex[:12]}"
    _endpoints(owner, 3)
    return Listing(
        "webhooks_endpoint_list",
        "/api/webhooks/endpoints",
        integration(owner),
        listing="webhook-endpoints",
        scope=owner,
        foreign=lambda k: {**k, "pk": {"S": "owner#ekc_victim"}},
    )


def webhook_deliveries() -> Listing:
    owner = f"ekc_{uuid.uuid4().hex[:12]}"
    [endpoint_id] = _endpoints(owner, 1)
    for n in range(3):
        event_id = f"evt_{uuid.uuid4().hex}"
        webhooks_store.put_delivery_if_new(
            webhooks_store.Delivery(
                delivery_id=webhooks_store.delivery_id(event_id, endpoint_id, 1_700_000_000 + n),
                endpoint_id=endpoint_id,
                owner=owner,
                event_id=event_id,
                event_type="webhook.test",
                body="{}",
                created=1_700_000_000 + n,
            )
        )
    return Listing(
        "webhooks_delivery_list",
        f"/api/webhooks/endpoints/{endpoint_id}/deliveries",
        integration(owner),
        listing="webhook-deliveries",
        scope=(owner, endpoint_id, ""),
        foreign=lambda k: {**k, "pk": {"S": "endpoint#ep_victim"}},
    )


def _posts(tag: str) -> tuple[str, str]:
    """Three posts under a fresh hashtag, each bookmarked and reported by another user."""
    author, reader = f"u-{uuid.uuid4().hex[:10]}", f"u-{uuid.uuid4().hex[:10]}"
    for n in range(3):
        status, post, _ = call(
            "posts_create",
            "POST",
            "/api/posts",
            user(author, "posts:read posts:write"),
            body={"text": f"post {n} #{tag}"},
        )
        assert status == 201, post
        assert call(
            "posts_bookmark_put", "PUT", f"/api/posts/{post['id']}/bookmark", user(reader, "posts:read posts:write")
        )[0] in (200, 204)
        assert (
            call(
                "posts_report_create",
                "POST",
                f"/api/posts/{post['id']}/reports",
                user(reader, "posts:read posts:write"),
                body={"reason": "spam"},
            )[0]
            == 201
        )
    return author, reader


def posts_listings() -> list[Listing]:
    tag = f"cur{uuid.uuid4().hex[:8]}"
    author, reader = _posts(tag)
    reading, moderating = user(reader, "posts:read"), user("mod-1", "posts:read moderation:read")
    other = {"S": "bookmarks#victim"}
    return [
        Listing(
            "posts_feed",
            "/api/feed",
            reading,
            listing="posts-feed",
            scope="recent",
            foreign=lambda k: {**k, "gsi1pk": other},
        ),
        Listing(
            "posts_feed",
            "/api/feed",
            reading,
            query={"sort": "trending"},
            listing="posts-feed",
            scope="trending",
            foreign=lambda k: {**k, "trend_pk": other},
        ),
        Listing(
            "posts_hashtag_list",
            f"/api/hashtags/{tag}/posts",
            reading,
            listing="posts-hashtag",
            scope=tag,
            foreign=lambda k: {**k, "pk": {"S": "tag#victim"}},
        ),
        Listing(
            "posts_user_list",
            f"/api/users/{author}/posts",
            reading,
            listing="posts-user",
            scope=f"public:{author}",
            foreign=lambda k: {**k, "gsi2pk": {"S": "author#victim"}},
        ),
        Listing(
            "posts_bookmarks_list",
            "/api/bookmarks",
            reading,
            listing="posts-bookmarks",
            scope=reader,
            foreign=lambda k: {**k, "gsi1pk": other},
        ),
        Listing(
            "posts_moderation_reports_list",
            "/api/moderation/reports",
            moderating,
            listing="moderation-reports",
            scope="open",
            foreign=lambda k: {**k, "gsi2pk": {"S": "reports#closed"}},
        ),
    ]


LISTINGS = {
    "wallet ledger": lambda: [wallet_ledger()],
    "webhook endpoints": lambda: [webhook_endpoints()],
    "webhook deliveries": lambda: [webhook_deliveries()],
    "posts feed, hashtag, user, bookmarks, moderation": posts_listings,
}


def assert_refused(listing: Listing, cursor: str, why: str, **where) -> dict:
    status, problem, headers = listing.page(cursor, **where)
    assert status == 400, (listing.path, why, status, problem)
    assert headers["content-type"].startswith("application/problem+json"), (listing.path, why)
    assert problem["type"] == "urn:eckospace:problem:invalid-request" and "cursor" in problem["detail"], problem
    assert problem["errors"] == [{"in": "query", "name": "cursor", "detail": problem["detail"]}]
    return problem


@pytest.mark.parametrize("name", LISTINGS)
def test_every_listing_refuses_an_edited_forged_foreign_or_expired_cursor(api, name):
    keys = cursors.current_keys()
    for listing in LISTINGS[name]():
        status, first, _ = listing.page()
        assert status == 200 and first["next_cursor"], (listing.path, first)
        cursor = first["next_cursor"]
        status, second, _ = listing.page(cursor)
        assert status == 200, (listing.path, second)
        key = unpacked(cursor)["k"]

        # Signed for this listing and scope, by the keys the functions read: accepted. The same key
        # signed any other way is not.
        fresh = encode_cursor(key, listing=listing.listing, scope=listing.scope, keys=keys)
        assert listing.page(fresh)[0] == 200, listing.path
        assert_refused(listing, packed({**unpacked(cursor), "k": listing.foreign(key)}), "another partition")
        assert_refused(
            listing,
            packed({**unpacked(cursor), "k": {n: v for n, v in list(key.items())[:1]}}),
            "a key DynamoDB refuses",
        )
        assert_refused(listing, packed({**unpacked(cursor), "exp": unpacked(cursor)["exp"] + 3600}), "a longer life")
        assert_refused(listing, packed({"s": "anything", "k": key}), "the unsigned shape")
        guessed = CursorKeys(active=keys.active, keys={keys.active: "guessed-" * 8})
        assert_refused(
            listing, encode_cursor(key, listing=listing.listing, scope=listing.scope, keys=guessed), "a guessed key"
        )
        for other_listing, other_scope in (("posts-feed", "recent"), (listing.listing, "someone-else")):
            if (other_listing, other_scope) != (listing.listing, listing.scope):
                assert_refused(
                    listing,
                    encode_cursor(key, listing=other_listing, scope=other_scope, keys=keys),
                    f"issued to {other_listing} {other_scope}",
                )
        old = encode_cursor(
            key, listing=listing.listing, scope=listing.scope, keys=keys, now=time.time() - CURSOR_SECONDS - 1
        )
        assert "expired" in assert_refused(listing, old, "expired")["detail"]


def test_a_cursor_is_bound_to_its_caller(api):
    listing = wallet_ledger()
    cursor = listing.page()[1]["next_cursor"]
    assert_refused(listing, cursor, "someone else's", who=user("thief", "wallet:read"))
    theirs = webhook_endpoints()
    cursor = theirs.page()[1]["next_cursor"]
    assert_refused(theirs, cursor, "another integration's", who=integration("ekc_thief"))
    assert theirs.page(cursor)[0] == 200


def test_cursors_signed_before_and_after_a_key_rotation_keep_working(api):
    listing = webhook_endpoints()
    before = listing.page()[1]["next_cursor"]  # the function has read (and cached) the keys
    secrets = aws.client("secretsmanager")
    secret_id = cursors.KEYS_SECRET()
    held = CursorKeys.from_document(secrets.get_secret_value(SecretId=secret_id)["SecretString"])
    rotated = held.rotated()
    secrets.put_secret_value(SecretId=secret_id, SecretString=json.dumps(rotated.document()))
    key = unpacked(before)["k"]
    after = encode_cursor(key, listing="webhook-endpoints", scope=listing.scope, keys=rotated)
    assert unpacked(after)["kid"] == rotated.active != unpacked(before)["kid"]
    assert listing.page(after)[0] == 200  # a key published after this sandbox read them: it reads again
    assert listing.page(before)[0] == 200  # the key active until the rotation keeps verifying
    retired = rotated.rotated(now=time.time() + 1)
    secrets.put_secret_value(SecretId=secret_id, SecretString=json.dumps(retired.document()))
    keyrings._provider.cache_clear()
    assert_refused(listing, before, "signed with a retired key")
    assert listing.page(after)[0] == 200


def test_the_operator_command_rotates_the_keys_keeping_the_active_one(api):
    secret_id = cursors.KEYS_SECRET()
    secrets = aws.client("secretsmanager")
    before = CursorKeys.from_document(secrets.get_secret_value(SecretId=secret_id)["SecretString"])
    env = {**os.environ, "AWS_ENDPOINT_URL": aws.client("secretsmanager").meta.endpoint_url}
    done = subprocess.run(
        [sys.executable, "infra/scripts/key_rings.py", "rotate", "cursor-keys", "--env", "dev"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    after = CursorKeys.from_document(secrets.get_secret_value(SecretId=secret_id)["SecretString"])
    assert after.active != before.active and after.keys[before.active] == before.keys[before.active]
    assert set(after.keys) == {before.active, after.active} and after.active in done.stdout
    assert after.keys[after.active] not in done.stdout + done.stderr  # key ids only, never keys
    listing = webhook_endpoints()
    assert listing.page(listing.page()[1]["next_cursor"])[0] == 200  # signed and verified with the new key
