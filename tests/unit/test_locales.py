from __future__ import annotations

import re

import pytest

from eckospace.translations.locales import (
    LANGUAGE_TAG_PATTERN,
    MAX_TAG_LENGTH,
    accept_language_tags,
    canonical_case,
    fallback_chain,
    is_well_formed,
)


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "fr-CA",
        "zh-Hant-TW",
        "es-419",
        "sr-Latn-RS",
        "de-DE-1996",
        "en-US-x-twain",
        "x-private",
        "ar",
        "pt-BR",
        "gsw-u-sd-chzh",
        "yue-Hant-HK",
        "EN-us",
        "de-1996-1996",
        "en-a-bbb-a-ccc",
    ],
)  # well-formed, if not valid (RFC 5646 §2.2.9)
def test_well_formed_tags(tag):
    assert is_well_formed(tag)


@pytest.mark.parametrize(
    "tag",
    [
        "",
        "e",
        "en_US",
        "en-",
        "-en",
        "en--US",
        "12",
        "en-US-",
        "toolongsubtag",
        "en-a",
        "en\u00e9",
        "a" * 36,
        "en US",
        "<script>",
        "en\n",
        "en-US\n",
    ],
)
def test_malformed_tags(tag):
    assert not is_well_formed(tag)


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "fr-CA",
        "zh-Hant-TW",
        "de-1996-1996",
        "x-private",
        "",
        "en_US",
        "en-",
        "en\n",
        "a" * 36,
        "en-a",
        "toolongsubtag",
        "12",
    ],
)
def test_the_documented_pattern_says_what_is_well_formed(tag):
    # The OpenAPI document states LANGUAGE_TAG_PATTERN (with maxLength 35) as the rule for `locale`.
    documented = len(tag) <= MAX_TAG_LENGTH and re.fullmatch(LANGUAGE_TAG_PATTERN, tag) is not None
    assert documented == is_well_formed(tag)


def test_canonical_case():
    assert canonical_case("ZH-hant-tw") == "zh-Hant-TW"
    assert canonical_case("en-us-x-TWAIN") == "en-US-x-twain"


@pytest.mark.parametrize(
    ("tag", "chain"),
    [
        ("fr-CA", ["fr-CA", "fr", "en"]),
        ("en", ["en"]),
        ("zh-Hant-TW", ["zh-Hant-TW", "zh-Hant", "zh", "en"]),
        ("de-DE-x-foo", ["de-DE-x-foo", "de-DE", "de", "en"]),
    ],
)
def test_fallback_chain_follows_rfc_4647_lookup(tag, chain):
    assert fallback_chain(tag) == chain


def test_accept_language_orders_by_quality_and_drops_junk():
    header = "fr;q=0.5, de-AT, *;q=0.1, en;q=0, x y;q=0.9, es;q=abc, it;q=0.8"
    assert accept_language_tags(header) == ["de-AT", "it", "fr"]
    assert accept_language_tags(None) == []
