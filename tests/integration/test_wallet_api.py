"""GET /api/wallet and /api/wallet/ledger: a user's own wallet, and nobody else's."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from eckospace.payments import ledger
from tests.integration.conftest import load_function
from tests.support import openapi_contract
from tests.support.lambda_proxy import invoke


@pytest.fixture
def api(function_env):
    function_env("WalletGetFunction")
    function_env("WalletLedgerListFunction")
    return {
        "wallet": load_function("wallet_get").lambda_handler,
        "ledger": load_function("wallet_ledger_list").lambda_handler,
    }


def as_user(user_id: str, scopes: str = "wallet:read", token_use: str = "user") -> dict:
    return {"sub": user_id, "scope": scopes, "token_use": token_use}


def call(handler, path, authorizer, query=None):
    answer = invoke(handler, "GET", path, authorizer=authorizer, query=query)
    return answer.status, answer.body


@pytest.fixture
def funded() -> str:
    user = f"u-{uuid.uuid4().hex[:8]}"
    for n in range(5):
        ledger.apply(ledger.Effect(f"topup:test-{user}-{n}", "topup", user, 100 * (n + 1), "eur", "stripe"))
    return user


def test_balances_are_the_callers_own(api, funded):
    status, body = call(api["wallet"], "/api/wallet", as_user(funded))
    assert status == 200 and {"currency": "eur", "balance": 1500} in body["balances"]
    status, stranger = call(api["wallet"], "/api/wallet", as_user("someone-else"))
    assert status == 200 and all(b["balance"] == 0 for b in stranger["balances"])


def test_the_ledger_pages_with_cursors_newest_first(api, funded):
    status, first = call(api["ledger"], "/api/wallet/ledger", as_user(funded), {"currency": "eur", "limit": "2"})
    assert status == 200 and set(first) == {"data", "next_cursor"}  # each entry carries its currency
    assert len(first["data"]) == 2 and first["next_cursor"]
    seen = list(first["data"])
    cursor = first["next_cursor"]
    while cursor:
        status, page = call(api["ledger"], "/api/wallet/ledger", as_user(funded), {"limit": "2", "cursor": cursor})
        assert status == 200
        seen += page["data"]
        cursor = page["next_cursor"]
    assert sum(entry["amount"] for entry in seen) == 1500 and len(seen) == 5
    assert {(e["kind"], e["currency"]) for e in seen} == {("topup", "eur")}
    shown = [datetime.fromisoformat(e["created_at"]) for e in seen]
    assert shown == sorted(shown, reverse=True) and all(e["created_at"].endswith("Z") for e in seen)


def test_someone_elses_cursor_is_a_400(api, funded):
    _, first = call(api["ledger"], "/api/wallet/ledger", as_user(funded), {"limit": "2"})
    status, problem = call(api["ledger"], "/api/wallet/ledger", as_user("thief"), {"cursor": first["next_cursor"]})
    assert status == 400 and "cursor" in problem["detail"]


@pytest.mark.parametrize(
    ("authorizer", "query", "status"),
    [
        (as_user("u", scopes="translations:read"), None, 403),
        (as_user("ekc_1", token_use="client"), None, 403),
        (as_user("u"), {"currency": "jpy"}, 400),
        (as_user("u"), {"currency": "EURO"}, 400),
        (as_user("u"), {"limit": "1000"}, 400),
        (as_user("u"), {"cursor": "garbage!"}, 400),
    ],
)
def test_refused_ledger_requests(api, authorizer, query, status):
    assert call(api["ledger"], "/api/wallet/ledger", authorizer, query)[0] == status


def test_answers_match_the_committed_document(api, funded):
    def answer(handler, path, authorizer, query=None):
        return openapi_contract.check_lambda_answer(
            "GET", path, invoke(handler, "GET", path, authorizer=authorizer, query=query).result
        )

    wallet = answer(api["wallet"], "/api/wallet", as_user(funded))
    assert {"currency": "eur", "balance": 1500} in wallet["balances"]
    first = answer(api["ledger"], "/api/wallet/ledger", as_user(funded), {"limit": "3"})
    last = answer(api["ledger"], "/api/wallet/ledger", as_user(funded), {"limit": "3", "cursor": first["next_cursor"]})
    assert len(first["data"]) == 3 and len(last["data"]) == 2 and last["next_cursor"] is None
    assert answer(api["ledger"], "/api/wallet/ledger", as_user("nobody"), {"currency": "usd"}) == {
        "data": [],
        "next_cursor": None,
    }
