from __future__ import annotations

from eckospace.http.conditional import if_none_match_hits


def test_if_none_match_compares_weakly():
    tag = '"0123abcd"'
    assert if_none_match_hits(tag, tag) and if_none_match_hits(f"W/{tag}", tag)
    assert if_none_match_hits(f'"a", {tag}', tag) and if_none_match_hits("*", tag)
    assert not if_none_match_hits('"a"', tag) and not if_none_match_hits(None, tag)
