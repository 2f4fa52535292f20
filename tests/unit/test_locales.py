from __future__ import annotations

import pytest

from eckospace.translations.locales import accept_language_tags, canonical_case, fallback_chain, is_well_formed


@pytest.mark.parametrize("tag", ["en", "fr-CA", "zh-Hant-TW", "es-419", "sr-Latn-RS", "de-DE-1996", "en-US-x-twain",
                                 "x-private", "ar", "pt-BR", "gsw-u-sd-chzh", "yue-Hant-HK", "EN-us"])
def test_well_formed_tags(tag):
    assert is_well_formed(tag)


@pytest.mark.parametrize("tag", ["", "e", "en_US", "en-", "-en", "en--US", "12", "en-US-", "toolongsubtag",
                                 "de-1996-1996", "en-a-bbb-a-ccc", "en\u00e9", "a" * 36, "en US", "<script>"])
def test_malformed_tags(tag):
    assert not is_well_formed(tag)


def test_canonical_case():
    assert canonical_case("ZH-hant-tw") == "zh-Hant-TW"
    assert canonical_case("en-us-x-TWAIN") == "en-US-x-twain"


@pytest.mark.parametrize(("tag", "chain"), [
    ("fr-CA", ["fr-CA", "fr", "en"]),
    ("en", ["en"]),
    ("zh-Hant-TW", ["zh-Hant-TW", "zh-Hant", "zh", "en"]),
    ("de-DE-x-foo", ["de-DE-x-foo", "de-DE", "de", "en"]),
])
def test_fallback_chain_follows_rfc_4647_lookup(tag, chain):
    assert fallback_chain(tag) == chain


def test_accept_language_orders_by_quality_and_drops_junk():
    header = "fr;q=0.5, de-AT, *;q=0.1, en;q=0, x y;q=0.9, es;q=abc, it;q=0.8"
    assert accept_language_tags(header) == ["de-AT", "it", "fr"]
    assert accept_language_tags(None) == []
