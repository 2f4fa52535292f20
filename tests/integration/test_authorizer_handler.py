from __future__ import annotations

import pytest

from eckospace import aws
from eckospace.identity import jwks
from tests.integration.conftest import CallCounter, Context, event, load_function
from tests.support.tokens import mint


@pytest.fixture
def handler(function_env):
    function_env("AuthAuthorizerFunction")
    jwks.verifier.cache_clear()
    jwks._provider.cache_clear()
    yield load_function("auth_authorizer").lambda_handler
    jwks.verifier.cache_clear()
    jwks._provider.cache_clear()


def _token_event(token: str) -> dict:
    request = event("authorizer_token")
    request["authorizationToken"] = f"Bearer {token}"
    return request


def test_valid_token_gets_an_api_wide_allow_with_its_scopes(handler, backend):
    policy = handler(_token_event(mint(backend["ring"], ["translations:read", "posts:read"])), Context())
    assert policy["principalId"] == "user-1"
    statement = policy["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow" and statement["Resource"].endswith("/v1/*")
    assert policy["context"]["scope"] == "translations:read posts:read"


def test_jwks_is_read_once_per_sandbox(handler, backend):
    counter = CallCounter()
    counter.attach(aws.client("ssm"))
    for _ in range(3):
        handler(_token_event(mint(backend["ring"], ["translations:read"])), Context())
    assert counter.calls == ["GetParameter"]


@pytest.mark.parametrize("header", ["", "Bearer", "Basic abc", "Bearer not.a.jwt"])
def test_bad_credentials_raise_unauthorized(handler, header):
    request = event("authorizer_token")
    request["authorizationToken"] = header
    with pytest.raises(Exception, match="^Unauthorized$"):
        handler(request, Context())


def test_after_a_key_rotation_new_and_old_tokens_both_verify(handler, backend):
    from eckospace.identity.keystore import save_keyring

    old_ring = backend["ring"]
    old_token = mint(old_ring, ["translations:read"])
    assert handler(_token_event(old_token), Context())["principalId"] == "user-1"  # JWKS now cached
    rotated = old_ring.rotated()
    template = backend["template"]
    save_keyring(rotated, secret_id=template.physical_name("SigningKeysSecret"),
                 jwks_parameter=template.physical_name("JwksParameter"))
    try:
        # The new signing key was published a rotation ago: sandboxes with the old JWKS cached know it.
        assert handler(_token_event(mint(rotated, ["translations:read"])), Context())["principalId"] == "user-1"
        assert handler(_token_event(old_token), Context())["principalId"] == "user-1"
    finally:
        save_keyring(old_ring, secret_id=template.physical_name("SigningKeysSecret"),
                     jwks_parameter=template.physical_name("JwksParameter"))
