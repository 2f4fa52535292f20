"""Sign-in codes and sessions, through their handlers, against the emulator."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import datetime

import pytest

from eckospace import aws
from eckospace.identity import sessions, signing, users
from eckospace.identity.tokens import TokenClaims, TokenVerifier
from tests.integration.conftest import load_function
from tests.support.lambda_proxy import invoke
from tests.support.tokens import AUDIENCE, ISSUER

BINDING = "browser-binding-" + "b" * 32  # the value of the browser's sign-in cookie
MISMATCH = "urn:eckospace:problem:sign-in-browser-mismatch"
DAY = 24 * 3600


@pytest.fixture
def handlers(function_env, monkeypatch):
    for function in ("AuthSessionCreateFunction", "AuthSessionRefreshFunction", "AuthLogoutFunction", "MeGetFunction"):
        function_env(function)  # their environments together: session tables, users table, signing keys
    signing._provider.cache_clear()
    return {
        name: load_function(name).lambda_handler
        for name in ("auth_session_create", "auth_session_refresh", "auth_logout", "me_get")
    }


def claims_of(backend, access_token: str) -> TokenClaims:
    return TokenVerifier(lambda _: backend["ring"].jwks(), issuer=ISSUER, audience=AUDIENCE).verify(access_token)


def refresh_item(refresh_token: str) -> dict:
    key = {"pk": {"S": f"refresh#{hashlib.sha256(refresh_token.encode()).hexdigest()}"}}
    return aws.client("dynamodb").get_item(TableName=os.environ["ECKO_SESSIONS_TABLE"], Key=key, ConsistentRead=True)[
        "Item"
    ]


def new_session(user_id: str) -> dict:
    return sessions.exchange_sign_in_code(sessions.new_sign_in_code(user_id, BINDING), BINDING)


def call(handler, method, path, **request):
    answer = invoke(handler, method, path, **request)
    return answer.status, answer.body


def test_a_sign_in_code_works_once_and_the_session_reaches_me(handlers, backend):
    user = users.find_or_create("google", "sub-1", email="ada@example.com", name="Ada")
    assert users.find_or_create("google", "sub-1", email="ada@example.com", name="Ada").id == user.id
    code = sessions.new_sign_in_code(user.id, BINDING)
    status, session = call(
        handlers["auth_session_create"], "POST", "/api/auth/session", body={"code": code, "binding": BINDING}
    )
    assert status == 200 and session["token_type"] == "Bearer" and session["refresh_token"].startswith("ekr_")
    assert "admin:write" not in session["scope"].split() and "posts:write" in session["scope"].split()
    replay, problem = call(
        handlers["auth_session_create"], "POST", "/api/auth/session", body={"code": code, "binding": BINDING}
    )
    assert replay == 401 and problem["errors"][0]["name"] == "code"

    claims = claims_of(backend, session["access_token"])
    assert claims.subject == user.id and claims.token_use == "user" and claims.session_id
    status, me = call(
        handlers["me_get"], "GET", "/api/me", authorizer={"sub": user.id, "scope": "", "token_use": "user"}
    )
    assert status == 200 and me == {
        "id": user.id,
        "email": "ada@example.com",
        "name": "Ada",
        "created_at": me["created_at"],
    }
    created_at = datetime.fromisoformat(me["created_at"])
    assert me["created_at"].endswith("Z") and abs(created_at.timestamp() - time.time()) < 60
    status, _ = call(
        handlers["me_get"], "GET", "/api/me", authorizer={"sub": "ekc_1", "scope": "", "token_use": "client"}
    )
    assert status == 403  # an integration's token is not a person's session


def test_refresh_rotates_and_reuse_revokes_the_whole_family(handlers):
    user = users.find_or_create("google", "sub-2", email="bob@example.com", name=None)
    first = new_session(user.id)
    refresh = handlers["auth_session_refresh"]
    status, second = call(refresh, "POST", "/api/auth/refresh", body={"refresh_token": first["refresh_token"]})
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    # The first token again: someone holds a copy. The family dies, the newest token with it.
    assert call(refresh, "POST", "/api/auth/refresh", body={"refresh_token": first["refresh_token"]})[0] == 401
    assert call(refresh, "POST", "/api/auth/refresh", body={"refresh_token": second["refresh_token"]})[0] == 401


@pytest.mark.parametrize("body", [{}, {"refresh_token": "short"}, {"refresh_token": "ekr_" + "x" * 40}, []])
def test_bad_refresh_requests(handlers, body):
    status, problem = call(handlers["auth_session_refresh"], "POST", "/api/auth/refresh", body=body)
    assert status in (400, 401) and problem["status"] == status


def test_a_sign_in_code_is_exchanged_only_with_the_binding_it_was_issued_for(handlers):
    user = users.find_or_create("google", "sub-3", email="cy@example.com", name=None)
    code = sessions.new_sign_in_code(user.id, BINDING)
    create = handlers["auth_session_create"]
    foreign = "another-browser-" + "c" * 32
    status, problem = call(create, "POST", "/api/auth/session", body={"code": code, "binding": foreign})
    assert status == 403 and problem["type"] == MISMATCH and "another browser" in problem["detail"]
    status, problem = call(create, "POST", "/api/auth/session", body={"code": code})
    assert status == 400 and problem["errors"][0] == {"in": "body", "name": "binding", "detail": "Field required"}
    status, session = call(create, "POST", "/api/auth/session", body={"code": code, "binding": BINDING})
    assert status == 200 and session["refresh_token"].startswith("ekr_")  # the refusals spent nothing


def test_a_session_ends_at_its_absolute_lifetime_however_often_it_refreshes(handlers):
    assert os.environ["ECKO_SESSION_MAX_DAYS"] == "30"  # SessionMaxDays, passed down from the template
    user = users.find_or_create("google", "sub-4", email="di@example.com", name=None)
    started = time.time()
    first = new_session(user.id)
    ends = int(refresh_item(first["refresh_token"])["family_expires_at"]["N"])
    assert started + 30 * DAY - 2 <= ends <= time.time() + 30 * DAY + 2
    refresh = handlers["auth_session_refresh"]
    status, second = call(refresh, "POST", "/api/auth/refresh", body={"refresh_token": first["refresh_token"]})
    assert status == 200
    rotated = refresh_item(second["refresh_token"])
    assert int(rotated["family_expires_at"]["N"]) == ends  # a rotation grants no more time
    assert int(rotated["expires_at"]["N"]) <= ends
    # The family's end comes (moved to now, rather than waiting thirty days).
    aws.client("dynamodb").update_item(
        TableName=os.environ["ECKO_SESSIONS_TABLE"],
        Key={"pk": rotated["pk"]},
        UpdateExpression="SET family_expires_at = :now",
        ExpressionAttributeValues={":now": {"N": str(int(time.time()))}},
    )
    status, problem = call(refresh, "POST", "/api/auth/refresh", body={"refresh_token": second["refresh_token"]})
    assert status == 401 and problem["type"] == "urn:eckospace:problem:unauthorized"
    assert "maximum lifetime" in problem["detail"]


def test_session_max_days_bounds_the_family_and_its_refresh_tokens(handlers, monkeypatch):
    monkeypatch.setenv("ECKO_SESSION_MAX_DAYS", "2")
    user = users.find_or_create("google", "sub-5", email="ed@example.com", name=None)
    item = refresh_item(new_session(user.id)["refresh_token"])
    ends = int(item["family_expires_at"]["N"])
    assert abs(ends - (time.time() + 2 * DAY)) <= 2 and int(item["expires_at"]["N"]) <= ends


def test_logout_revokes_the_session_family_and_is_idempotent(handlers, backend):
    user = users.find_or_create("google", "sub-6", email="fi@example.com", name=None)
    first = new_session(user.id)
    refresh, logout = handlers["auth_session_refresh"], handlers["auth_logout"]
    status, second = call(refresh, "POST", "/api/auth/refresh", body={"refresh_token": first["refresh_token"]})
    sid = claims_of(backend, first["access_token"]).session_id
    assert status == 200 and sid and claims_of(backend, second["access_token"]).session_id == sid
    context = {"sub": user.id, "scope": first["scope"], "token_use": "user", "sid": sid}
    status, body = call(logout, "POST", "/api/auth/logout", authorizer=context)
    assert status == 204 and body is None
    assert call(logout, "POST", "/api/auth/logout", authorizer=context) == (204, None)  # again: the same answer
    status, problem = call(refresh, "POST", "/api/auth/refresh", body={"refresh_token": second["refresh_token"]})
    assert status == 401 and "session has ended" in problem["detail"]
    other = new_session(user.id)  # another session of the same person is untouched
    assert call(refresh, "POST", "/api/auth/refresh", body={"refresh_token": other["refresh_token"]})[0] == 200


def test_logout_needs_a_session_token(handlers):
    logout = handlers["auth_logout"]
    developer = {"sub": "u-1", "scope": "", "token_use": "user"}
    status, problem = call(logout, "POST", "/api/auth/logout", authorizer=developer)
    assert status == 403 and "no sign-in session" in problem["detail"]  # a developer token (make token)
    integration = {"sub": "ekc_1", "scope": "", "token_use": "client"}
    status, _ = call(logout, "POST", "/api/auth/logout", authorizer=integration)
    assert status == 403  # an integration's token is not a person's session
