from __future__ import annotations

from eckospace.http.conditional import if_none_match_hits, strong_etag
from eckospace.http.problems import InsufficientScope, TooManyRequests


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
