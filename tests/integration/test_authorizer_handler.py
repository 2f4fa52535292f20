from __future__ import annotations

import fnmatch
import uuid

import pytest

from eckospace import aws
from eckospace.identity import jwks
from tests.integration.conftest import CallCounter, event, load_function
from tests.support.lambda_proxy import Context, invoke
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
    save_keyring(
        rotated,
        secret_id=template.physical_name("SigningKeysSecret"),
        jwks_parameter=template.physical_name("JwksParameter"),
    )
    try:
        # The new signing key was published a rotation ago: sandboxes with the old JWKS cached know it.
        assert handler(_token_event(mint(rotated, ["translations:read"])), Context())["principalId"] == "user-1"
        assert handler(_token_event(old_token), Context())["principalId"] == "user-1"
    finally:
        save_keyring(
            old_ring,
            secret_id=template.physical_name("SigningKeysSecret"),
            jwks_parameter=template.physical_name("JwksParameter"),
        )


def _batch_gets(client) -> list[dict]:
    """The RequestItems of every BatchGetItem the client sends."""
    sent: list[dict] = []
    client.meta.events.register(
        "provide-client-params.dynamodb.BatchGetItem", lambda params, **_: sent.append(params["RequestItems"])
    )
    return sent


def _allowed(statement: dict, table_arn: str, request: dict) -> bool:
    """Whether one policy statement lets this table's part of a BatchGetItem through (the condition
    keys the authorizer's policy uses: the attributes read, and the keys' leading values)."""
    actions, resources = (
        [value] if isinstance(value, str) else value for value in (statement["Action"], statement["Resource"])
    )
    if statement["Effect"] != "Allow" or "dynamodb:BatchGetItem" not in actions or table_arn not in resources:
        return False
    condition = statement.get("Condition", {})
    names = request.get("ExpressionAttributeNames", {})
    projected = [names.get(part.strip(), part.strip()) for part in request.get("ProjectionExpression", "").split(",")]
    keys = {value["S"] for key in request["Keys"] for value in key.values()}
    allowed_attributes = condition.get("ForAllValues:StringEquals", {}).get("dynamodb:Attributes")
    leading = condition.get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys")
    return (
        "ProjectionExpression" in request
        and (allowed_attributes is None or set(projected) <= set(allowed_attributes))
        and (leading is None or all(any(fnmatch.fnmatchcase(key, pattern) for pattern in leading) for key in keys))
    )


def _sign_out(function_env, sid: str) -> None:
    function_env("AuthLogoutFunction")
    logout = load_function("auth_logout").lambda_handler
    authorizer = {"sub": "user-1", "scope": "", "token_use": "user", "sid": sid}
    assert invoke(logout, "POST", "/api/auth/logout", authorizer=authorizer).status == 204


def test_a_session_token_is_refused_once_its_session_has_ended(handler, backend, function_env):
    sid = uuid.uuid4().hex
    token = mint(backend["ring"], ["posts:read"], session_id=sid)
    counter = CallCounter()
    counter.attach(aws.client("dynamodb"))
    policy = handler(_token_event(token), Context())
    assert policy["context"]["sid"] == sid and counter.calls == ["BatchGetItem"]  # one backend call, as before
    _sign_out(function_env, sid)
    with pytest.raises(Exception, match="^Unauthorized$"):
        handler(_token_event(token), Context())
    other = mint(backend["ring"], ["posts:read"], session_id=uuid.uuid4().hex)
    assert handler(_token_event(other), Context())["context"]["sid"] != sid  # other sessions go on


def test_the_one_batch_get_reads_only_what_the_authorizers_policy_allows(handler, backend):
    template = backend["template"]
    sent = _batch_gets(aws.client("dynamodb"))
    handler(_token_event(mint(backend["ring"], ["posts:read"], session_id=uuid.uuid4().hex)), Context())
    assert len(sent) == 1
    statements = [
        statement
        for policy in template.properties("AuthAuthorizerFunction")["Policies"]
        for statement in policy["Statement"]
    ]
    arns = {
        template.physical_name(name): template.resolve({"Fn::GetAtt": [name, "Arn"]})
        for name in ("RevokedTokensTable", "SessionsTable", "IntegrationsTable")
    }
    assert set(sent[0]) == {template.physical_name("RevokedTokensTable"), template.physical_name("SessionsTable")}
    for table, request in sent[0].items():
        permitted = [s for s in statements if _allowed(template.resolve(s), arns[table], request)]
        assert permitted, f"the authorizer's policy does not let it read {request} from {table}"
