"""The cursor codec: signed, bound to its listing and scope, expiring, verifiable across a key rotation."""

from __future__ import annotations

import base64
import json

import pytest

from eckospace.cursors import CURSOR_SECONDS, CursorKeys, decode_cursor, encode_cursor
from eckospace.errors import InvalidInput
from eckospace.keyrings import KeyRingUnusable

KEY = {"pk": {"S": "account#user:u1:eur"}, "sk": {"S": "entry#000123"}}
NOW = 1_800_000_000
KEYS = CursorKeys.new(now=NOW - 3600)
LISTING = {"listing": "wallet-ledger", "scope": ("u1", "eur")}


def payload(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def packed(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def refused(cursor: str, **where) -> str:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor, **({"keys": KEYS, "now": NOW} | LISTING | where))
    assert caught.value.errors == [{"in": "query", "name": "cursor", "detail": caught.value.detail}]
    return caught.value.detail


def test_a_cursor_round_trips_on_its_own_listing_and_scope():
    cursor = encode_cursor(KEY, keys=KEYS, now=NOW, **LISTING)
    assert cursor and "=" not in cursor
    assert decode_cursor(cursor, keys=KEYS, now=NOW + 60, **LISTING) == KEY
    assert encode_cursor(None, keys=KEYS, **LISTING) is None and decode_cursor(None, keys=KEYS, **LISTING) is None


@pytest.mark.parametrize(
    "where", [{"scope": ("u2", "eur")}, {"scope": ("u1", "usd")}, {"scope": "u1"}, {"listing": "webhook-endpoints"}]
)
def test_a_cursor_of_another_listing_owner_or_query_is_refused(where):
    cursor = encode_cursor(KEY, keys=KEYS, now=NOW, **LISTING)
    assert "not issued for this listing" in refused(cursor, **where)


def test_an_edited_cursor_is_refused():
    cursor = encode_cursor(KEY, keys=KEYS, now=NOW, **LISTING)
    for change in (
        {"k": {**KEY, "pk": {"S": "account#user:u2:eur"}}},  # another user's ledger
        {"k": {"pk": KEY["pk"]}},  # a key DynamoDB would refuse
        {"exp": payload(cursor)["exp"] + 3600},  # a longer life
        {"sig": encode_cursor({"x": {"S": "y"}}, keys=KEYS, now=NOW, **LISTING)[-43:]},
    ):
        assert "cursor" in refused(packed(payload(cursor) | change))


def test_a_cursor_signed_with_another_secret_under_our_key_id_is_refused():
    forger = CursorKeys(active=KEYS.active, keys={KEYS.active: "x" * 64})
    assert "not issued for this listing" in refused(encode_cursor(KEY, keys=forger, now=NOW, **LISTING))


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "bm90IGpzb24",
        "W10",
        "\u00e9",
        "eyJzIjoidXNlciMxIn0",
        packed({"s": "user:u1:eur", "k": KEY}),  # the unsigned cursors of before
        packed({"kid": "../etc", "exp": NOW + 60, "k": KEY, "sig": "AAAA"}),
        packed({"kid": "c1", "exp": "soon", "k": KEY, "sig": "AAAA"}),
        packed({"kid": "c1", "exp": NOW + 60, "k": {}, "sig": "AAAA"}),
        packed({"kid": "c1", "exp": NOW + 60, "k": KEY, "sig": "AAAA", "extra": 1}),
    ],
)
def test_malformed_cursors_are_refused(cursor):
    assert "cursor" in refused(cursor)


def test_a_cursor_expires():
    cursor = encode_cursor(KEY, keys=KEYS, now=NOW, **LISTING)
    assert decode_cursor(cursor, keys=KEYS, now=NOW + CURSOR_SECONDS - 1, **LISTING) == KEY
    assert "expired" in refused(cursor, now=NOW + CURSOR_SECONDS)


def test_old_keys_keep_verifying_through_one_rotation_then_retire():
    before = encode_cursor(KEY, keys=KEYS, now=NOW, **LISTING)
    rotated = KEYS.rotated(now=NOW)
    after = encode_cursor(KEY, keys=rotated, now=NOW, **LISTING)
    assert payload(after)["kid"] == rotated.active != KEYS.active
    assert decode_cursor(before, keys=rotated, now=NOW, **LISTING) == KEY
    assert decode_cursor(after, keys=rotated, now=NOW, **LISTING) == KEY
    twice = rotated.rotated(now=NOW + 1)
    assert set(twice.keys) == {rotated.active, twice.active}
    assert "retired" in refused(before, keys=twice)
    assert decode_cursor(after, keys=twice, now=NOW, **LISTING) == KEY


@pytest.mark.parametrize(
    "document",
    [
        "generated-placeholder-password",
        "{}",
        "[]",
        '{"active": ["c0"]}',
        '{"active": "c0"}',
        '{"active": "c0", "c0": "short"}',
        '{"active": "c1", "c0": "' + "k" * 64 + '"}',
    ],
)
def test_a_secret_that_is_not_a_key_document_is_a_deployment_fault(document):
    with pytest.raises(KeyRingUnusable):
        CursorKeys.from_document(document)


def test_the_document_cloudformation_generates_is_a_key_document():
    generated = {"active": "c0", "c0": "A" * 64}  # GenerateSecretString: SecretStringTemplate + GenerateStringKey
    keys = CursorKeys.from_document(json.dumps(generated))
    assert keys.active == "c0" and keys.document() == generated
