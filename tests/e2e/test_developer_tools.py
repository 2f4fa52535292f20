"""What a developer uses around the API: the served OpenAPI document and docs, `make token`, and
sign-in through the local OpenID Connect provider that stands in for Google."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import requests

from tests.support.local_stack import ROOT


def test_openapi_document_and_docs_are_served(stack):
    document = requests.get(stack.credentials["openapi_url"], timeout=60).json()
    operation = document["paths"]["/api/translations/app"]["get"]
    assert operation["security"] == [{"apiKey": [], "bearerAuth": ["translations:read"]}]
    assert document["servers"][0]["url"] == stack.credentials["api_url"]
    committed = json.loads((ROOT / "infra" / "openapi.json").read_text())
    assert committed["paths"] == document["paths"]
    docs = requests.get(stack.credentials["docs_url"], timeout=60)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_token_script_mints_a_narrow_token_the_api_accepts(stack, api_key):
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": stack.credentials["aws_endpoint_url"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    minted = subprocess.run(
        [sys.executable, "infra/scripts/mint_token.py", "--scopes", "translations:read"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    response = requests.get(
        stack.url("/api/translations/app"),
        timeout=30,
        headers={"x-api-key": api_key, "Authorization": f"Bearer {minted}"},
    )
    assert response.status_code == 200
    refused = subprocess.run(
        [sys.executable, "infra/scripts/mint_token.py", "--scopes", "everything:please"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "unknown scopes" in refused.stderr


def test_sign_in_works_offline_through_the_local_provider(stack, api_key):
    sign_in = stack.credentials["sign_in"]
    started = requests.get(sign_in["url"], allow_redirects=False, timeout=30)
    assert started.status_code == 302 and started.headers["Location"].startswith(f"{sign_in['provider']}/")
    credentials = stack.state_dir / "dev-credentials.json"
    done = subprocess.run(
        [sys.executable, "infra/scripts/sign_in.py", "grace", "--credentials", str(credentials)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    session = json.loads(done.stdout)
    me = requests.get(
        stack.url("/api/me"),
        timeout=30,
        headers={"x-api-key": api_key, "Authorization": f"Bearer {session['access_token']}"},
    )
    assert me.status_code == 200 and me.json()["email"] == "grace@example.com", me.text
    refused = subprocess.run(
        [sys.executable, "infra/scripts/sign_in.py", "mallory", "--credentials", str(credentials)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0  # not an account of the provider


def _operator(stack, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": stack.credentials["aws_endpoint_url"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return subprocess.run(
        [sys.executable, "infra/scripts/integrations.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_operators_create_rotate_and_disable_integrations(stack):
    import base64
    import time

    created = json.loads(
        _operator(stack, "create", "--name", "Acme CRM", "--scopes", "translations:read", "--tier", "standard").stdout
    )
    assert created["client_id"].startswith("ekc_") and created["client_secret"].startswith("eks_")

    def token(secret: str) -> requests.Response:
        basic = base64.b64encode(f"{created['client_id']}:{secret}".encode()).decode()
        return requests.post(
            stack.url("/api/oauth/token"),
            data={"grant_type": "client_credentials"},
            timeout=30,
            headers={"x-api-key": created["api_key"], "Authorization": f"Basic {basic}"},
        )

    time.sleep(1.1)  # new keys reach the gateway within a second
    first = token(created["client_secret"])
    assert first.status_code == 200
    listed = [json.loads(line) for line in _operator(stack, "list").stdout.splitlines()]
    assert any(item["client_id"] == created["client_id"] and item["tier"] == "standard" for item in listed)
    assert all("secret" not in json.dumps(item) for item in listed)

    rotated = json.loads(
        _operator(stack, "rotate-secret", "--client-id", created["client_id"], "--overlap-hours", "1").stdout
    )
    assert token(rotated["client_secret"]).status_code == 200 and token(created["client_secret"]).status_code == 200

    rekeyed = json.loads(_operator(stack, "rotate-key", "--client-id", created["client_id"]).stdout)
    assert rekeyed["api_key"] != created["api_key"] and rekeyed["previous_api_key_retired_at"] > time.time()
    time.sleep(1.1)
    with_new_key = requests.post(
        stack.url("/api/oauth/token"),
        data={"grant_type": "client_credentials"},
        timeout=30,
        headers={
            "x-api-key": rekeyed["api_key"],
            "Authorization": "Basic "
            + base64.b64encode(f"{created['client_id']}:{rotated['client_secret']}".encode()).decode(),
        },
    )
    assert with_new_key.status_code == 200
    assert token(rotated["client_secret"]).status_code == 200  # the old key works through its overlap

    assert not listed[[i["client_id"] for i in listed].index(created["client_id"])]["first_party"]
    trusted = json.loads(_operator(stack, "first-party", "--client-id", created["client_id"]).stdout)
    assert trusted == {"client_id": created["client_id"], "first_party": True}
    listed = [json.loads(line) for line in _operator(stack, "list").stdout.splitlines()]
    assert any(item["client_id"] == created["client_id"] and item["first_party"] for item in listed)

    assert _operator(stack, "disable", "--client-id", created["client_id"]).returncode == 0
    assert token(rotated["client_secret"]).status_code == 401
    refused = _operator(stack, "create", "--name", "Bad", "--scopes", "root:everything")
    assert refused.returncode != 0 and "unknown scopes" in refused.stderr


def test_signing_key_rotation_publishes_then_switches(stack):
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": stack.credentials["aws_endpoint_url"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    secret_before = json.loads(
        stack.aws("secretsmanager").get_secret_value(SecretId="eckospace/dev/signing-keys")["SecretString"]
    )
    try:
        _rotate_and_check(stack, env, secret_before)
    finally:  # later tests mint with the stack's original ring
        from eckospace.identity.keys import KeyRing
        from eckospace.identity.keystore import save_keyring

        save_keyring(
            KeyRing.from_json(secret_before),
            secret_id="eckospace/dev/signing-keys",
            jwks_parameter="/eckospace/dev/jwks",
            secretsmanager=stack.aws("secretsmanager"),
            ssm=stack.aws("ssm"),
        )


def _rotate_and_check(stack, env: dict[str, str], secret_before: dict) -> None:
    done = subprocess.run(
        [sys.executable, "infra/scripts/keys.py", "rotate"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    secret_after = json.loads(
        stack.aws("secretsmanager").get_secret_value(SecretId="eckospace/dev/signing-keys")["SecretString"]
    )
    published = json.loads(stack.aws("ssm").get_parameter(Name="/eckospace/dev/jwks")["Parameter"]["Value"])
    kids_before = [key["kid"] for key in secret_before["keys"]]
    kids_after = [key["kid"] for key in secret_after["keys"]]
    # The key published as next at the last rotation signs now; the old active one still verifies.
    assert secret_after["active_kid"] == kids_before[kids_before.index(secret_before["active_kid"]) + 1]
    assert kids_after[0] == secret_before["active_kid"] and len(kids_after) == 3
    assert {key["kid"] for key in published["keys"]} == set(kids_after)
    assert all("d" not in key for key in published["keys"])
    # The developer's token, signed with the old key, keeps working.
    response = requests.get(
        stack.url("/api/translations/app"),
        timeout=30,
        headers={"x-api-key": stack.credentials["api_key"], "Authorization": f"Bearer {stack.credentials['token']}"},
    )
    assert response.status_code == 200
    init_again = subprocess.run(
        [sys.executable, "infra/scripts/keys.py", "init"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert init_again.returncode != 0 and "already holds a key ring" in init_again.stderr
