"""Sign-in codes and sessions, through their handlers, against the emulator."""

from __future__ import annotations

import json

import pytest

from eckospace.identity import sessions, signing, users
from tests.integration.conftest import Context, api_event, load_function


@pytest.fixture
def handlers(function_env, monkeypatch):
    for function in ("AuthSessionCreateFunction", "MeGetFunction"):
        function_env(function)  # both environments: session tables, users table, signing keys
    signing._provider.cache_clear()
    return {name: load_function(name).lambda_handler for name in ("auth_session_create", "auth_session_refresh", "me_get")}


def call(handler, method, path, **kwargs):
    response = handler(api_event(method, path, **kwargs), Context())
    return response["statusCode"], json.loads(response["body"]) if response["body"] else None


def test_a_sign_in_code_works_once_and_the_session_reaches_me(handlers, backend):
    user = users.find_or_create("google", "sub-1", email="ada@example.com", name="Ada")
    assert users.find_or_create("google", "sub-1", email="ada@example.com", name="Ada").id == user.id
    code = sessions.new_sign_in_code(user.id)
    status, session = call(handlers["auth_session_create"], "POST", "/api/auth/session", body={"code": code})
    assert status == 200 and session["token_type"] == "Bearer" and session["refresh_token"].startswith("ekr_")
    assert "admin:write" not in session["scope"].split() and "posts:write" in session["scope"].split()
    replay, problem = call(handlers["auth_session_create"], "POST", "/api/auth/session", body={"code": code})
    assert replay == 400 and problem["errors"][0]["name"] == "code"

    from tests.support.tokens import AUDIENCE, ISSUER  # the claims the handler reads come from the authorizer
    from eckospace.identity.tokens import TokenVerifier

    claims = TokenVerifier(lambda _: backend["ring"].jwks(), issuer=ISSUER, audience=AUDIENCE).verify(session["access_token"])
    assert claims.subject == user.id and claims.token_use == "user"
    status, me = call(handlers["me_get"], "GET", "/api/me",
                      authorizer={"sub": user.id, "scope": "", "token_use": "user"})
    assert status == 200 and me == {"id": user.id, "email": "ada@example.com", "name": "Ada", "created": me["created"]}
    status, _ = call(handlers["me_get"], "GET", "/api/me", authorizer={"sub": "ekc_1", "scope": "", "token_use": "client"})
    assert status == 403  # an integration's token is not a person's session


def test_refresh_rotates_and_reuse_revokes_the_whole_family(handlers):
    user = users.find_or_create("google", "sub-2", email="bob@example.com", name=None)
    first = sessions.exchange_sign_in_code(sessions.new_sign_in_code(user.id))
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
