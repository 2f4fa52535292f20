from __future__ import annotations

import base64

import pytest

from eckospace.identity.integrations import Integration, SecretHash, _digest
from eckospace.identity.oauth import OAuthError, _client_credentials, granted_scopes, parse_form

FORM = "application/x-www-form-urlencoded"


def _integration(**changes) -> Integration:
    options = dict(
        client_id="ekc_1",
        name="n",
        allowed_scopes=frozenset({"a:read", "b:read", "b:write"}),
        default_scopes=frozenset({"a:read"}),
        tier="free",
        secret_hashes=(SecretHash(digest=_digest("s3cret"), created=0),),
    )
    options.update(changes)
    return Integration(**options)


def test_form_parsing_refuses_repeats_wrong_types_and_junk():
    assert parse_form("grant_type=client_credentials&scope=a%3Aread", False, FORM, None).form == {
        "grant_type": "client_credentials",
        "scope": "a:read",
    }
    encoded = base64.b64encode(b"grant_type=client_credentials").decode()
    assert parse_form(encoded, True, FORM + "; charset=utf-8", None).form == {"grant_type": "client_credentials"}
    for body, is_base64, content_type in [
        ("a=1&a=2", False, FORM),
        ("a=1", False, "application/json"),
        ("%%%", True, FORM),
        ("x" * 9000 + "=1", False, FORM),
    ]:
        with pytest.raises(OAuthError) as refused:
            parse_form(body, is_base64, content_type, None)
        assert refused.value.error == "invalid_request" and refused.value.status == 400


def test_client_credentials_from_basic_or_form_but_not_both():
    header = "Basic " + base64.b64encode(b"ekc_1:s3%3Acret").decode()  # RFC 6749 2.3.1: form-encoded
    assert _client_credentials(parse_form("", False, FORM, header)) == ("ekc_1", "s3:cret", True)
    assert _client_credentials(parse_form("client_id=ekc_1&client_secret=x", False, FORM, None)) == (
        "ekc_1",
        "x",
        False,
    )
    with pytest.raises(OAuthError) as both:
        _client_credentials(parse_form("client_id=ekc_1&client_secret=x", False, FORM, header))
    assert both.value.error == "invalid_request"
    with pytest.raises(OAuthError) as broken:
        _client_credentials(parse_form("", False, FORM, "Basic !!!"))
    assert broken.value.status == 401 and "Basic" in broken.value.headers["WWW-Authenticate"]


def test_scopes_granted_are_requested_and_allowed_or_the_default_set():
    integration = _integration()
    assert granted_scopes(integration, None) == ["a:read"]
    assert granted_scopes(integration, "  ") == ["a:read"]
    assert granted_scopes(integration, "b:write b:read b:read") == ["b:read", "b:write"]
    with pytest.raises(OAuthError) as escalation:
        granted_scopes(integration, "a:read admin:write")
    assert escalation.value.error == "invalid_scope" and "admin:write" in escalation.value.description


def test_secrets_match_in_constant_time_and_stop_at_their_expiry():
    integration = _integration(
        secret_hashes=(
            SecretHash(digest=_digest("old"), created=0, expires_at=100),
            SecretHash(digest=_digest("new"), created=50),
        )
    )
    assert integration.authenticates("old", now=99) and not integration.authenticates("old", now=100)
    assert integration.authenticates("new", now=10**10)
    assert not integration.authenticates("", now=0) and not integration.authenticates("OLD", now=0)
