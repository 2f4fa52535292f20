"""API key rotation: the new key works at once, the old one until its overlap ends, when the
scheduled retirement function disables it."""

from __future__ import annotations

from eckolocal.usage import ensure_usage_plans
from eckospace import aws
from eckospace.identity import api_keys, integrations
from tests.integration.conftest import load_function
from tests.support.lambda_proxy import Context


def _enabled(key_id: str) -> bool:
    return aws.client("apigateway").get_api_key(apiKey=key_id)["enabled"]


def test_rotated_out_keys_are_disabled_once_their_overlap_ends(function_env, backend):
    function_env("IdentityRetireApiKeysFunction")
    ensure_usage_plans(backend["template"], aws.client("apigateway"))
    plan = api_keys.plan_id("dev", "standard")
    due_key, _ = api_keys.create(name="due", plan=plan)
    later_key, _ = api_keys.create(name="later", plan=plan)
    due, _ = integrations.register(
        name="due",
        allowed_scopes={"translations:read"},
        default_scopes={"translations:read"},
        tier="standard",
        api_key_id=due_key,
    )
    later, _ = integrations.register(
        name="later",
        allowed_scopes={"translations:read"},
        default_scopes={"translations:read"},
        tier="standard",
        api_key_id=later_key,
    )
    new_due, _ = api_keys.create(name="due-2", plan=api_keys.plan_of(due_key, "dev"))
    new_later, _ = api_keys.create(name="later-2", plan=plan)
    integrations.rotate_api_key(due.client_id, new_key_id=new_due, overlap_seconds=0)
    integrations.rotate_api_key(later.client_id, new_key_id=new_later, overlap_seconds=3600)

    result = load_function("identity_retire_api_keys").lambda_handler({"detail-type": "Scheduled Event"}, Context())

    assert result == {"retired": [due_key]}
    assert not _enabled(due_key) and _enabled(new_due)
    assert _enabled(later_key) and _enabled(new_later)  # still inside its overlap
    assert integrations.get(due.client_id).retiring_api_key_id is None
    assert integrations.get(later.client_id).retiring_api_key_id == later_key
