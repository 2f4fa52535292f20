"""What a post's text may hold, and the hashtags, mentions and ids read from it."""

from __future__ import annotations

import re

import pytest

from eckospace.posts import store, text


def test_hashtags_are_word_characters_case_folded_and_unique():
    found = text.hashtags("#Café and #CAFÉ, #日本 #a_b-c #x#y email@host#no (#yes)")
    assert found == ["café", "日本", "a_b", "x", "yes"]
    assert text.hashtags("#" + "a" * 51) == []  # too long to be a hashtag
    assert text.hashtags("#" + "a" * 50) == ["a" * 50]
    with pytest.raises(text.TextProblem, match="at most 10 hashtags"):
        text.hashtags(" ".join(f"#t{n}" for n in range(11)))


def test_mentions_address_user_ids_skip_the_author_and_repeat_once():
    assert text.mentions("hi @bob, @alice-2 and @bob again; me@example.com @me", author="me") == ["bob", "alice-2"]
    with pytest.raises(text.TextProblem, match="at most 10"):
        text.mentions(" ".join(f"@u{n}" for n in range(11)), author="me")


@pytest.mark.parametrize("bad", ["", "   \n", "nul\x00", "bell\x07", "x" * 5001, "esc\x1b[31m"])
def test_text_rules(bad):
    with pytest.raises(text.TextProblem):
        text.normalize_text(bad)


def test_text_is_nfc_and_keeps_newlines_and_tabs():
    assert text.normalize_text("Cafe\u0301\n\tok") == "Caf\u00e9\n\tok"
    assert len(text.normalize_text("e\u0301" * 5000)) == 5000  # counted after NFC


def test_post_ids_sort_by_time():
    earlier, later = store.new_id("pst", 1_700_000_000_000), store.new_id("pst", 1_700_000_000_001)
    assert store.POST_ID.match(earlier) and earlier < later


def test_hot_score_is_stable_in_time():
    assert store.hot_score(0, 0) == store.hot_score(1, 0) == 0
    assert store.hot_score(100, 0) == 2


@pytest.mark.parametrize(
    "value",
    [
        "hi",
        "a\tb\nc",
        "é",
        "\ufeff",
        "   x   ",
        "",
        "   \n",
        "nul\x00",
        "bell\x07",
        "esc\x1b[31m",
        "\u3000\u3000",
        "x\x85",
        "\x9f",
        "\u2028",
    ],
)
def test_the_documented_text_pattern_says_what_normalize_text_refuses(value):
    # The OpenAPI document states TEXT_PATTERN (with the length) as the rule for a post's text.
    try:
        text.normalize_text(value)
        accepted = True
    except text.TextProblem:
        accepted = False
    assert (re.fullmatch(text.TEXT_PATTERN, value) is not None) == accepted
