from __future__ import annotations

import pytest

from eckospace.http.conditional import if_none_match_hits, strong_etag
from eckospace.http.pagination import decode_cursor, encode_cursor
from eckospace.http.problems import BadRequest, InsufficientScope, TooManyRequests


def test_cursor_round_trip_and_scope_binding():
    key = {"pk": {"S": "user#1"}, "sk": {"S": "post#9"}}
    cursor = encode_cursor(key, scope="user#1")
    assert cursor and "=" not in cursor
    assert decode_cursor(cursor, scope="user#1") == key
    with pytest.raises(BadRequest):
        decode_cursor(cursor, scope="user#2")  # a cursor from someone else's listing


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "W10", "eyJzIjoidXNlciMxIn0", "\u00e9"])
def test_tampered_cursors_are_400s(cursor):
    with pytest.raises(BadRequest):
        decode_cursor(cursor, scope="user#1")


def test_no_cursor_means_first_page():
    assert encode_cursor(None, scope="s") is None and decode_cursor(None, scope="s") is None


def test_etags_are_strong_and_match_weakly():
    tag = strong_etag(b"body")
    assert tag.startswith('"') and tag != strong_etag(b"other")
    assert if_none_match_hits(tag, tag) and if_none_match_hits(f"W/{tag}", tag)
    assert if_none_match_hits(f'"a", {tag}', tag) and if_none_match_hits("*", tag)
    assert not if_none_match_hits('"a"', tag) and not if_none_match_hits(None, tag)


def test_problem_documents():
    problem = InsufficientScope(("posts:write",))
    body = problem.body(instance="/api/posts", request_id="r1")
    assert body["status"] == 403 and body["type"] == "urn:eckospace:problem:insufficient-scope"
    assert body["required_scopes"] == ["posts:write"] and body["request_id"] == "r1"
    assert 'scope="posts:write"' in problem.headers["WWW-Authenticate"]
    assert TooManyRequests(retry_after=0).headers["Retry-After"] == "1"
