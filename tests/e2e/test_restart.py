"""Local data, keys and credentials survive a clean restart; --fresh forgets them."""

from __future__ import annotations

import requests

from tests.support.local_stack import only_modules, start_stack

# What restarts keep is the same for every module: translations' data shows it, on a stack that
# starts in seconds.
TRANSLATIONS_ONLY = only_modules("Translations")


def _translations(stack, credentials, locale):
    return requests.get(
        stack.url("/api/translations/app"),
        params={"locale": locale},
        timeout=30,
        headers={"x-api-key": credentials["api_key"], "Authorization": f"Bearer {credentials['token']}"},
    )


def test_restart_keeps_data_keys_and_tokens(tmp_path):
    state = tmp_path / "state"
    first = start_stack(state, overrides=TRANSLATIONS_ONLY)
    try:
        before = first.credentials
        # Data written while running (a catalogue an operator added) must outlive the emulator.
        first.aws("dynamodb").put_item(
            TableName="eckospace-local-TranslationsTable",
            Item={
                "locale": {"S": "it"},
                "direction": {"S": "ltr"},
                "version": {"S": "v1"},
                "messages": {"S": '{"nav.home":"Home page"}'},
            },
        )
        assert _translations(first, before, "it").json()["locale"] == "it"
    finally:
        assert first.stop() == 0, "Ctrl-C must shut the stack down cleanly"

    second = start_stack(state, fresh=False, overrides=TRANSLATIONS_ONLY)
    try:
        after = second.credentials
        assert after["api_key"] == before["api_key"]
        # A token minted before the restart still verifies: the signing keys were kept.
        response = _translations(second, before, "it")
        assert response.status_code == 200 and response.json()["messages"] == {"nav.home": "Home page"}
    finally:
        second.stop()

    fresh = start_stack(state, fresh=True, overrides=TRANSLATIONS_ONLY)
    try:
        assert fresh.credentials["api_key"] != before["api_key"]
        assert _translations(fresh, before, "it").status_code in (401, 403)
        assert _translations(fresh, fresh.credentials, "it").json()["locale"] == "en"
    finally:
        fresh.stop()
