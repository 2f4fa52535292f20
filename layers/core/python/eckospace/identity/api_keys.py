"""API keys in API Gateway: each integration's key, on its tier's usage plan.

Usage plans are named `eckospace-<environment>-<tier>` by template.yaml. Keys meter and throttle
an integration; they are not authentication (the bearer token is).
"""

from __future__ import annotations

import secrets

from eckospace import aws
from eckospace.identity.integrations import IntegrationError


def plan_id(environment: str, tier: str) -> str:
    name = f"eckospace-{environment}-{tier}"
    for plan in aws.client("apigateway").get_usage_plans(limit=500).get("items", []):
        if plan["name"] == name:
            found: str = plan["id"]
            return found
    raise IntegrationError(f"no usage plan named {name}")


def create(*, name: str, plan: str) -> tuple[str, str]:
    """A new enabled key on `plan`: (key id, key value). The value is shown once."""
    client = aws.client("apigateway")
    value = "ekk_" + secrets.token_urlsafe(30)
    key_id = client.create_api_key(name=name, value=value, enabled=True)["id"]
    client.create_usage_plan_key(usagePlanId=plan, keyId=key_id, keyType="API_KEY")
    return key_id, value


def plan_of(key_id: str, environment: str) -> str:
    client = aws.client("apigateway")
    for plan in client.get_usage_plans(keyId=key_id, limit=500).get("items", []):
        if plan["name"].startswith(f"eckospace-{environment}-"):
            found: str = plan["id"]
            return found
    raise IntegrationError(f"API key {key_id} is on no usage plan of {environment}")


def disable(key_id: str) -> None:
    aws.client("apigateway").update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
